import type { Clip } from '../../edit/schema.js';
import type { Scene } from '../schema.js';
import type { SceneProvider } from './types.js';

type Image = Extract<Scene, { source: 'image' }>;

/** A caption over a scene: Shotstack's subtitle title style, at the bottom. */
export function captionClip(text: string, start: number, length: number): Clip {
  return {
    asset: { type: 'title', text, style: 'subtitle', position: 'bottom' },
    start,
    length,
  };
}

/** A still with Ken Burns motion (zoomIn unless the scene names an effect), with an optional caption. */
export const imageProvider: SceneProvider<Image> = {
  source: 'image',
  generates: false,
  available: () => true,
  sources: (s) => [{ src: s.src, at: 'src' }],
  length: async (s) => s.length,
  place: (s, slot) => ({
    visual: {
      asset: { type: 'image', src: s.src },
      start: slot.start,
      length: slot.length,
      // `cover` would stretch (the edit format's meaning); crop fills the frame in shape.
      fit: s.fit ?? 'crop',
      effect: s.effect ?? 'zoomIn',
      ...(slot.transition ? { transition: { in: slot.transition, out: slot.transition } } : {}),
    },
    ...(s.caption ? { overlay: captionClip(s.caption, slot.start, slot.length) } : {}),
  }),
};
