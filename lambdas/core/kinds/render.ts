import type { Edit } from '../edit/schema.js';
import { collectSources } from '../engine/prepare.js';
import { parseEdit } from '../intake/parse-edit.js';
import type { JobKind } from '../jobs/types.js';
import { expandPresets } from '../packaging/social.js';
import {
  applyEditGeneration,
  assertEditGeneration,
  editGenerationItems,
  editGenerationSources,
  isGenerationItem,
  pollEditGenerationItem,
  runEditGenerationItem,
} from '../providers/edit-generation.js';
import {
  applyEditSpeech,
  editSpeechItems,
  pollEditSpeechItem,
  runEditSpeechItem,
} from '../providers/edit-speech.js';

export const renderKind: JobKind<Edit> = {
  type: 'render',
  parse: (body) => {
    const edit = parseEdit(body);
    assertEditGeneration(edit);
    return edit;
  },
  sources: (edit) => [
    ...collectSources(edit).map(({ src, at }) => ({ src, at })),
    ...editGenerationSources(edit),
  ],
  callback: (edit) => edit.callback,
  callbackEvents: (edit) => edit.callbackEvents,
  // Text-to-speech assets, "auto" captions (providers/edit-speech.ts) and text-to-image / image-to-video
  // assets (providers/edit-generation.ts) are resolved first.
  prepareItems: (edit) => [...editGenerationItems(edit), ...editSpeechItems(edit)],
  prepareItem: (edit, item, ctx) =>
    isGenerationItem(item) ? runEditGenerationItem(edit, item, ctx) : runEditSpeechItem(edit, item, ctx),
  pollItem: (edit, item, state, ctx) =>
    isGenerationItem(item) ? pollEditGenerationItem(edit, item, state, ctx) : pollEditSpeechItem(state, ctx),
  // Speech first: it reads the edit as written (clip positions do not move, so generation's swap follows).
  // The edit itself, plus a rendition per aspect ratio when it asks for the `social` preset.
  expand: async (edit, ctx) => expandPresets(applyEditGeneration(await applyEditSpeech(edit, ctx), ctx)),
};
