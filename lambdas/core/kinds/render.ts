import type { Edit } from '../edit/schema.js';
import { collectSources } from '../engine/prepare.js';
import { parseEdit } from '../intake/parse-edit.js';
import type { JobKind } from '../jobs/types.js';
import { expandPresets } from '../packaging/social.js';
import {
  applyEditSpeech,
  editSpeechItems,
  pollEditSpeechItem,
  runEditSpeechItem,
} from '../providers/edit-speech.js';

export const renderKind: JobKind<Edit> = {
  type: 'render',
  parse: (body) => parseEdit(body),
  sources: (edit) => collectSources(edit).map(({ src, at }) => ({ src, at })),
  callback: (edit) => edit.callback,
  callbackEvents: (edit) => edit.callbackEvents,
  // Text-to-speech assets and "auto" captions are resolved first (providers/edit-speech.ts).
  prepareItems: (edit) => editSpeechItems(edit),
  prepareItem: (edit, item, ctx) => runEditSpeechItem(edit, item, ctx),
  pollItem: (_edit, _item, state, ctx) => pollEditSpeechItem(state, ctx),
  // The edit itself, plus a rendition per aspect ratio when it asks for the `social` preset.
  expand: async (edit, ctx) => expandPresets(await applyEditSpeech(edit, ctx)),
};
