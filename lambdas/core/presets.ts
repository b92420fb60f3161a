import { CutlineError } from './errors.js';

/**
 * What a media file dropped at `drop/<preset>/<file>` becomes: each preset builds an ordinary edit (plain
 * JSON, validated later by submitJob like any API edit) around the file, so it runs through the same
 * pipeline as an API render. To add a preset, add one entry to PRESETS; the error message and the
 * README's list come from its keys. Packaging (HLS, WebM, social ratios, sprites, loudness) is asked for
 * through `output.presets`, exactly as an API edit would (lambdas/core/packaging).
 */

/** What is known about the source before it is rendered; without it, presets use 16:9 defaults. */
export interface SourceProbe {
  width: number;
  height: number;
  durationSeconds: number;
}

export interface Preset {
  /** One line for error messages and docs. */
  description: string;
  build: (src: string, probe?: SourceProbe) => Record<string, unknown>;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** The source's size, scaled down (never up) so its long side fits `long` and its short side `short`. */
function capped(probe: SourceProbe | undefined, long: number, short: number) {
  if (!probe || !(probe.width > 0) || !(probe.height > 0)) return undefined;
  const landscape = probe.width >= probe.height;
  const [l, s] = landscape ? [probe.width, probe.height] : [probe.height, probe.width];
  const scale = Math.min(1, long / l, short / s);
  return { width: even(probe.width * scale), height: even(probe.height * scale) };
}

const videoTrack = (src: string) => ({
  tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length: 'auto', fit: 'contain' }] }],
});

/** H.264/AAC MP4 (cutline always writes mp4 with +faststart); the frame follows the source when probed. */
const mp4 = (src: string, probe: SourceProbe | undefined, long: number, short: number, res: string) => {
  const size = capped(probe, long, short);
  return {
    timeline: videoTrack(src),
    output: { format: 'mp4', ...(size ? { size } : { resolution: res }) },
  };
};

export const PRESETS: Record<string, Preset> = {
  mp4: {
    description: 'H.264/AAC MP4 at the source size, at most 1080p',
    build: (src, probe) => mp4(src, probe, 1920, 1080, '1080'),
  },
  web: {
    description: 'a 720p H.264/AAC MP4 (faststart) and a VP9/Opus WebM, loudness -16 LUFS',
    build: (src, probe) => {
      const edit = mp4(src, probe, 1280, 720, 'hd');
      return { ...edit, output: { ...edit.output, quality: 'medium', presets: ['web', 'loudness'] } };
    },
  },
  gif: {
    description: 'a 480-wide GIF of the first 5 seconds at 12 fps',
    build: (src, probe) => {
      const height =
        probe && probe.width > 0 && probe.height > 0 ? even((480 * probe.height) / probe.width) : 270;
      const length = probe && probe.durationSeconds > 0 ? Math.min(5, probe.durationSeconds) : 5;
      return {
        timeline: videoTrack(src),
        output: { format: 'gif', size: { width: 480, height }, fps: 12, range: { start: 0, length } },
      };
    },
  },
  poster: {
    description: 'a JPEG of the frame at 1 s',
    build: (src, probe) => {
      const size = capped(probe, 1920, 1080);
      // A source shorter than a second gives its middle frame.
      const start =
        probe && probe.durationSeconds > 0 && probe.durationSeconds <= 1 ? probe.durationSeconds / 2 : 1;
      return {
        timeline: videoTrack(src),
        output: { format: 'jpg', ...(size ? { size } : { resolution: 'hd' }), range: { start, length: 1 } },
      };
    },
  },
  audio: {
    description: 'the sound as MP3',
    build: (src) => ({
      timeline: { tracks: [{ clips: [{ asset: { type: 'audio', src }, start: 0, length: 'auto' }] }] },
      output: { format: 'mp3' },
    }),
  },
  hls: {
    description: 'an HLS ladder (1080p/720p/480p/360p, never above the source) with a master playlist',
    build: (src, probe) => {
      const edit = mp4(src, probe, 1920, 1080, '1080');
      return { ...edit, output: { ...edit.output, presets: ['hls'] } };
    },
  },
  social: {
    description: 'the video at 16:9 plus 9:16 and 1:1 renditions (cropped to fill), loudness -14 LUFS',
    build: (src, probe) => {
      // The short side of the source, at most 1080, for every ratio.
      const short = probe && probe.width > 0 && probe.height > 0 ? Math.min(probe.width, probe.height) : 1080;
      const side = even(Math.min(1080, short));
      return {
        timeline: {
          tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length: 'auto', fit: 'crop' }] }],
        },
        output: {
          format: 'mp4',
          size: { width: even((side * 16) / 9), height: side },
          // The main output is the 16:9 one; the renditions add the other two.
          presets: [
            { name: 'social', aspectRatios: ['9:16', '1:1'] },
            { name: 'loudness', target: -14 },
          ],
        },
      };
    },
  },
  thumbnails: {
    description: 'a sprite sheet of thumbnails with a WebVTT for scrubbing, beside a 720p MP4',
    build: (src, probe) => {
      const edit = mp4(src, probe, 1280, 720, 'hd');
      return { ...edit, output: { ...edit.output, presets: ['thumbnails'] } };
    },
  },
  'preview-gif': {
    description: 'a 320-wide preview GIF of the first 5 seconds, beside a 720p MP4',
    build: (src, probe) => {
      const edit = mp4(src, probe, 1280, 720, 'hd');
      return { ...edit, output: { ...edit.output, presets: ['preview-gif'] } };
    },
  },
};

/** The edit for a dropped file; throws VALIDATION_FAILED naming the presets that exist. */
export function presetEdit(preset: string, src: string, probe?: SourceProbe): Record<string, unknown> {
  const p = Object.hasOwn(PRESETS, preset) ? PRESETS[preset] : undefined;
  if (!p) {
    const names = Object.keys(PRESETS);
    throw new CutlineError(
      'VALIDATION_FAILED',
      `unknown preset "${preset}"; available: ${names.join(', ')} (drop media files under a preset folder of your drop folder, e.g. drop/<tenant id>/${names[0]}/clip.mov)`,
      [{ path: 'key', message: `unknown preset "${preset}"` }],
    );
  }
  return p.build(src, probe);
}
