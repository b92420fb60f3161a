import type { Clip } from '../../edit/schema.js';
import type { Scene } from '../schema.js';
import type { SceneProvider, Slot } from './types.js';

type Title = Extract<Scene, { source: 'title' }>;

/**
 * A title card: the text centred on a full-frame colour (black unless given). It is a text asset the size
 * of the frame with an opaque background, so the card never shows what lies beneath it.
 */
export function titleCard(t: { text: string; color?: string; background?: string }, slot: Slot): Clip {
  const { width, height } = slot.frame;
  return {
    asset: {
      type: 'text',
      text: t.text,
      width,
      height,
      font: { size: Math.max(8, Math.round(height / 9)), color: t.color ?? '#ffffff' },
      background: { color: t.background ?? '#000000', padding: Math.round(width / 20) },
    },
    start: slot.start,
    length: slot.length,
    ...(slot.transition ? { transition: { in: slot.transition, out: slot.transition } } : {}),
  };
}

export const titleProvider: SceneProvider<Title> = {
  source: 'title',
  generates: false,
  available: () => true,
  sources: () => [],
  length: async (s) => s.length,
  place: (s, slot) => ({ visual: titleCard(s, slot) }),
};
