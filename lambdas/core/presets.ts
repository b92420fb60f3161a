import { CutlineError } from './errors.js';

/**
 * What a media file dropped at `drop/<preset>/<file>` becomes: each preset builds an ordinary edit around
 * the file, so it runs through the same pipeline as an API render. (The packaging issue adds hls,
 * social and thumbnails.)
 */
type PresetBuilder = (src: string) => Record<string, unknown>;

const video = (src: string, extra: Record<string, unknown> = {}) => ({
  asset: { type: 'video', src },
  start: 0,
  length: 'auto',
  fit: 'contain',
  ...extra,
});

export const PRESETS: Record<string, PresetBuilder> = {
  /** H.264/AAC MP4 at 1080p. */
  mp4: (src) => ({
    timeline: { tracks: [{ clips: [video(src)] }] },
    output: { format: 'mp4', resolution: '1080' },
  }),
  /** A lighter 720p MP4 for the web. */
  web: (src) => ({
    timeline: { tracks: [{ clips: [video(src)] }] },
    output: { format: 'mp4', resolution: 'hd', quality: 'medium' },
  }),
  /** A 480-wide GIF of the first 5 seconds at 12 fps. */
  gif: (src) => ({
    timeline: { tracks: [{ clips: [video(src)] }] },
    output: { format: 'gif', size: { width: 480, height: 270 }, fps: 12, range: { start: 0, length: 5 } },
  }),
  /** A JPEG of the frame at 1 s. */
  poster: (src) => ({
    timeline: { tracks: [{ clips: [video(src)] }] },
    output: { format: 'jpg', resolution: 'hd', range: { start: 1, length: 1 } },
  }),
  /** The sound as MP3. */
  audio: (src) => ({
    timeline: { tracks: [{ clips: [{ asset: { type: 'audio', src }, start: 0, length: 'auto' }] }] },
    output: { format: 'mp3' },
  }),
};

export function presetEdit(preset: string, src: string): Record<string, unknown> {
  const build = PRESETS[preset];
  if (!build) {
    throw new CutlineError(
      'VALIDATION_FAILED',
      `unknown preset "${preset}"; drop media under one of: ${Object.keys(PRESETS)
        .map((p) => `drop/${p}/`)
        .join(', ')}`,
      [{ path: 'key', message: `unknown preset "${preset}"` }],
    );
  }
  return build(src);
}
