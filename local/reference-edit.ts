/**
 * The cost model's reference edit (lambdas/core/plan/cost.ts is fit on its renders in `npm run bench`):
 * two clips with a crossfade, a picture-in-picture, a logo, a title and a soundtrack. The bench renders
 * it for 30–60 s beside a hand-written ffmpeg command built from the same layout (bench/edits.ts);
 * `cutline calibrate` renders a few seconds of it to measure a machine against the model.
 */
import type { ReferenceMedia } from './reference-media.js';

export const TITLE_TEXT = 'Cutline bench';

/**
 * Where everything sits on a timeline of `duration` seconds (30 s: the edit):
 * track A plays video1 over [0, D/2 + 1) and video2 over [D/2, D) — a 1 s crossfade; a picture-in-picture
 * of video2 (scale 0.3, topRight) over [round(D/6), round(D/6) + D/2); the logo (scale 0.15, bottomLeft)
 * over all of it; a minimal title over [2, 8); the soundtrack at half volume under everything.
 */
export function layout(duration: number) {
  const half = duration / 2;
  const pipStart = Math.round(duration / 6);
  return {
    duration,
    v1: { start: 0, length: half + 1 },
    v2: { start: half, length: duration - half },
    crossfade: 1,
    pip: { start: pipStart, length: half, scale: 0.3 },
    logo: { scale: 0.15 },
    title: { start: 2, length: 6 },
    musicVolume: 0.5,
  };
}

/** The Shotstack-format edit; sources are relative to the media directory. */
export function referenceEdit(media: ReferenceMedia, duration: number): unknown {
  const l = layout(duration);
  return {
    timeline: {
      background: '#000000',
      soundtrack: { src: media.music.split('/').pop(), volume: l.musicVolume },
      tracks: [
        {
          clips: [
            {
              asset: { type: 'title', text: TITLE_TEXT, style: 'minimal' },
              start: l.title.start,
              length: l.title.length,
            },
          ],
        },
        {
          clips: [
            {
              asset: { type: 'image', src: 'logo.png' },
              start: 0,
              length: duration,
              fit: 'contain',
              scale: l.logo.scale,
              position: 'bottomLeft',
            },
          ],
        },
        {
          clips: [
            {
              asset: { type: 'video', src: 'video2.mp4', volume: 0 },
              start: l.pip.start,
              length: l.pip.length,
              fit: 'contain',
              scale: l.pip.scale,
              position: 'topRight',
            },
          ],
        },
        {
          clips: [
            { asset: { type: 'video', src: 'video1.mp4' }, start: l.v1.start, length: l.v1.length },
            { asset: { type: 'video', src: 'video2.mp4' }, start: l.v2.start, length: l.v2.length },
          ],
        },
      ],
    },
    output: { format: 'mp4', size: { width: media.width, height: media.height }, fps: media.fps },
  };
}
