import { CutlineError } from '../../errors.js';
import type { Scene } from '../schema.js';
import type { SceneProvider } from './types.js';

type Generate = Extract<Scene, { source: 'generate' }>;

const NOT_AVAILABLE =
  'text-to-video scenes (Amazon Bedrock asynchronous video generation) are not available in this build: the Bedrock provider is not implemented yet; use an upload, image, title or voiceover scene';

/**
 * Text-to-video. The Bedrock integration is not built, so the provider refuses everywhere with the reason;
 * a scene that already carries generated media (e.g. a project given inline) is still placed as a clip.
 */
export const generateProvider: SceneProvider<Generate> = {
  source: 'generate',
  generates: true,
  available: () => NOT_AVAILABLE,
  sources: () => [],
  prepare: async (_s, _ctx, at) => {
    throw new CutlineError('NOT_SUPPORTED', `${at}: ${NOT_AVAILABLE}`, [
      { path: `${at}.source`, message: 'generate is not available' },
    ]);
  },
  length: async (s) => s.length,
  place(s, slot, at) {
    if (!slot.media)
      throw new CutlineError('NOT_SUPPORTED', `${at}: ${NOT_AVAILABLE}`, [
        { path: `${at}.source`, message: 'generate is not available' },
      ]);
    return {
      visual: {
        asset: { type: 'video', src: slot.media.src },
        start: slot.start,
        length: slot.length,
        fit: s.fit ?? 'crop',
        ...(slot.transition ? { transition: { in: slot.transition, out: slot.transition } } : {}),
      },
    };
  },
};
