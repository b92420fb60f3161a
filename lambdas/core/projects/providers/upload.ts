import { CutlineError } from '../../errors.js';
import type { Scene } from '../schema.js';
import type { SceneProvider } from './types.js';

type Upload = Extract<Scene, { source: 'upload' }>;

/** A user's clip, cut to the scene's length (default: the clip's own, after trim). */
export const uploadProvider: SceneProvider<Upload> = {
  source: 'upload',
  generates: false,
  available: () => true,
  sources: (s) => [{ src: s.src, at: 'src' }],
  async length(s, ctx, at) {
    if (s.length !== undefined) return s.length;
    const probe = await ctx.probe(s.src, `${at}.src`);
    const left = (probe.durationSeconds ?? 0) - (s.trim ?? 0);
    if (!probe.hasVideo || probe.isImage || !(left > 0)) {
      throw new CutlineError(
        'VALIDATION_FAILED',
        `${at}: the upload has no video after trim ${s.trim ?? 0} s; give the scene a length or another clip`,
        [{ path: `${at}.src`, message: 'no video to show' }],
      );
    }
    return left;
  },
  place: (s, slot) => ({
    visual: {
      asset: {
        type: 'video',
        src: s.src,
        ...(s.trim !== undefined ? { trim: s.trim } : {}),
        ...(s.volume !== undefined ? { volume: s.volume } : {}),
      },
      start: slot.start,
      length: slot.length,
      // `cover` would stretch (the edit format's meaning); crop fills the frame in shape.
      fit: s.fit ?? 'crop',
      ...(slot.transition ? { transition: { in: slot.transition, out: slot.transition } } : {}),
    },
  }),
};
