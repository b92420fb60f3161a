import { CutlineError } from '../errors.js';
import type { TimedClip } from './timeline.js';

/**
 * Shotstack's luma mattes: a `luma` clip is not drawn; it masks the other clips on its own track that it
 * overlaps in time (the matte's brightness is their alpha while it plays: white shows, black hides).
 * Pure: the clips of one track → each masked clip with the mattes over it.
 */
export function lumaTargets(track: readonly TimedClip[]): Map<TimedClip, TimedClip[]> {
  const out = new Map<TimedClip, TimedClip[]>();
  const lumas = track.filter((c) => c.clip.asset.type === 'luma');
  for (const luma of lumas) {
    let masks = 0;
    for (const c of track) {
      if (c.clip.asset.type === 'luma' || c.clip.asset.type === 'audio' || c.clip.asset.type === 'caption')
        continue;
      if (c.start < luma.end && luma.start < c.end) {
        out.set(c, [...(out.get(c) ?? []), luma]);
        masks++;
      }
    }
    if (!masks) {
      const message = `a luma matte masks the clips it overlaps on its own track; none overlaps ${luma.start}–${luma.end} s`;
      throw new CutlineError('VALIDATION_FAILED', `${luma.at}: ${message}`, [{ path: luma.at, message }]);
    }
  }
  return out;
}
