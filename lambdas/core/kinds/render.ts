import type { Edit } from '../edit/schema.js';
import { collectSources } from '../engine/prepare.js';
import { parseEdit } from '../intake/parse-edit.js';
import type { JobKind } from '../jobs/types.js';
import { expandPresets } from '../packaging/social.js';

export const renderKind: JobKind<Edit> = {
  type: 'render',
  parse: (body) => parseEdit(body),
  sources: (edit) => collectSources(edit).map(({ src, at }) => ({ src, at })),
  callback: (edit) => edit.callback,
  callbackEvents: (edit) => edit.callbackEvents,
  // The edit itself, plus a rendition per aspect ratio when it asks for the `social` preset.
  expand: async (edit) => expandPresets(edit),
};
