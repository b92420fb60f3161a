import type { RichTextAsset } from '../edit/schema.js';
import type { TransitionSpec } from './motion.js';
import type { Size } from './placement.js';

/**
 * rich-text's animation presets as layer motion (pure), for the presets that move the whole drawn text
 * block; those drawn letter by letter (render/letters.ts: typewriter, movingLetters, and the rest when a
 * `style` is given) do not come here (README, format table):
 *
 * | preset        | here                                                              | default direction |
 * |---------------|-------------------------------------------------------------------|-------------------|
 * | fadeIn        | the block fades in                                                | —                 |
 * | slideIn       | the block slides in from off-screen, travelling `direction`       | left              |
 * | ascend        | fades in while rising (or falling) NUDGE of its box into place    | up                |
 * | shift         | fades in while travelling NUDGE of its box along `direction`      | left              |
 *
 * `direction` is where the text travels (as in Shotstack's slideLeft transition). Duration: the preset's
 * `duration`, default DEFAULT_SECONDS, never more than half the clip.
 */
export interface Entrance {
  transition: TransitionSpec;
  /** Pixels the layer starts away from its place, eased back to 0 over `duration`. */
  nudge?: { dx: number; dy: number; duration: number };
}

export const DEFAULT_SECONDS = 1;
export const NUDGE = 0.15;

type Direction = 'left' | 'right' | 'up' | 'down';
const SLIDE = { left: 'slideLeft', right: 'slideRight', up: 'slideUp', down: 'slideDown' } as const;

export function richTextEntrance(asset: RichTextAsset, clipLength: number, box: Size): Entrance | undefined {
  const a = asset.animation;
  if (!a) return undefined;
  const duration = Math.min(a.duration ?? DEFAULT_SECONDS, clipLength / 2);
  const travel = (d: Direction) => {
    const dx = Math.round(NUDGE * box.width);
    const dy = Math.round(NUDGE * box.height);
    // It starts opposite to where it travels.
    return {
      dx: d === 'left' ? dx : d === 'right' ? -dx : 0,
      dy: d === 'up' ? dy : d === 'down' ? -dy : 0,
      duration,
    };
  };
  switch (a.preset) {
    case 'fadeIn':
      return { transition: { kind: 'fade', duration } };
    case 'slideIn':
      return { transition: { kind: SLIDE[a.direction ?? 'left'], duration } };
    case 'ascend':
      return {
        transition: { kind: 'fade', duration },
        nudge: travel(a.direction === 'down' ? 'down' : 'up'),
      };
    case 'shift':
      return { transition: { kind: 'fade', duration }, nudge: travel(a.direction ?? 'left') };
    // Always letter by letter (render/letters.ts).
    case 'typewriter':
    case 'movingLetters':
      return undefined;
  }
}
