import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setting } from '../config.js';

const run = promisify(execFile);

/** What the compiler's graphs and encoders use; an ffmpeg without one of these cannot render every edit. */
export const REQUIRED = {
  filters: [
    'overlay',
    'scale',
    'crop',
    'fps',
    'trim',
    'setpts',
    'settb',
    'loop',
    'format',
    'color',
    'drawtext',
    'zoompan',
    'geq',
    'fade',
    'rotate',
    'lutyuv',
    'eq',
    'hue',
    'negate',
    'gblur',
    'hflip',
    'vflip',
    'split',
    'palettegen',
    'paletteuse',
    'anullsrc',
    'aformat',
    'aresample',
    'asetpts',
    'atrim',
    'volume',
    'afade',
    'adelay',
    'amix',
  ],
  encoders: ['libx264', 'aac', 'libvpx-vp9', 'libopus', 'libmp3lame', 'pcm_s16le', 'mjpeg', 'png', 'gif'],
} as const;

export interface FfmpegCheck {
  version: string | null;
  missing: { filters: string[]; encoders: string[] };
  ok: boolean;
}

/** Asks the ffmpeg that renders will use which filters and encoders it has, and names what is missing. */
export async function checkFfmpeg(bin = setting('FFMPEG_PATH')): Promise<FfmpegCheck> {
  try {
    const [version, filters, encoders] = await Promise.all([
      run(bin, ['-hide_banner', '-version']),
      run(bin, ['-hide_banner', '-filters'], { maxBuffer: 8 * 1024 * 1024 }),
      run(bin, ['-hide_banner', '-encoders'], { maxBuffer: 8 * 1024 * 1024 }),
    ]);
    const names = (text: string) =>
      new Set(
        text
          .split('\n')
          .map((l) => l.trim().split(/\s+/)[1])
          .filter(Boolean),
      );
    const f = names(filters.stdout);
    const e = names(encoders.stdout);
    const missing = {
      filters: REQUIRED.filters.filter((x) => !f.has(x)),
      encoders: REQUIRED.encoders.filter((x) => !e.has(x)),
    };
    return {
      version: version.stdout.split('\n')[0] ?? null,
      missing,
      ok: !missing.filters.length && !missing.encoders.length,
    };
  } catch {
    return {
      version: null,
      missing: { filters: [...REQUIRED.filters], encoders: [...REQUIRED.encoders] },
      ok: false,
    };
  }
}
