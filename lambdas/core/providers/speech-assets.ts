import type { Edit } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import { ALIAS_PREFIX } from '../edit/caption-alias.js';

/** A caption asset's `src` that asks for the edit's own speech, transcribed. */
export const AUTO_CAPTIONS = 'auto';

/** Whether a caption's src is resolved by the job from speech (auto, or a clip named by alias). */
export const spokenCaptionSrc = (src: string): boolean =>
  src === AUTO_CAPTIONS || src.startsWith(ALIAS_PREFIX);

/** Whether an edit has speech to resolve before it renders (text-to-speech, an "auto" or alias caption). */
export function hasSpeech(edit: Edit): boolean {
  return edit.timeline.tracks.some((t) =>
    t.clips.some(
      (c) =>
        c.asset.type === 'text-to-speech' ||
        ((c.asset.type === 'caption' || c.asset.type === 'rich-caption') && spokenCaptionSrc(c.asset.src)),
    ),
  );
}

/**
 * The renderer draws what an edit names; text-to-speech assets and `"auto"` captions are resolved by the
 * job before it (prepare items, then expansion). One reaching a render is a wiring mistake: say so loudly.
 */
export function assertSpeechResolved(edit: Edit): void {
  edit.timeline.tracks.forEach((t, ti) =>
    t.clips.forEach((c, ci) => {
      const a = c.asset;
      if (
        a.type === 'text-to-speech' ||
        ((a.type === 'caption' || a.type === 'rich-caption') && spokenCaptionSrc(a.src))
      )
        throw new CutlineError(
          'NOT_SUPPORTED',
          `timeline.tracks[${ti}].clips[${ci}].asset: ${a.type === 'text-to-speech' ? 'text-to-speech' : `${a.type} src ${JSON.stringify(a.src)}`} is resolved by a job (POST /v1/renders or cutline render), not by a bare render of the edit`,
          [{ path: `timeline.tracks[${ti}].clips[${ci}].asset`, message: 'not resolved before rendering' }],
        );
    }),
  );
}
