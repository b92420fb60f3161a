import type { Output } from '../edit/schema.js';

export interface Rational {
  num: number;
  den: number;
}
export interface OutputSpec {
  width: number;
  height: number;
  fps: Rational;
  format: Output['format'];
  hasVideo: boolean;
  hasAudio: boolean;
  /** A still image: one frame. */
  still: boolean;
  /** `output.scaleTo`: the size the frames are scaled to after the edit is laid out at width×height. */
  scaled?: { width: number; height: number };
}

const BASE: Record<NonNullable<Output['resolution']>, [number, number]> = {
  preview: [512, 288],
  mobile: [640, 360],
  sd: [1024, 576],
  hd: [1280, 720],
  '1080': [1920, 1080],
  '4k': [3840, 2160],
};

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** Shotstack's sizes: the resolution names the 16:9 frame; other ratios keep its short side. */
export function frameSize(output: Pick<Output, 'resolution' | 'aspectRatio' | 'size'>): {
  width: number;
  height: number;
} {
  if (output.size) return { width: output.size.width, height: output.size.height };
  const [w, h] = BASE[output.resolution ?? 'sd'];
  switch (output.aspectRatio ?? '16:9') {
    case '16:9':
      return { width: w, height: h };
    case '9:16':
      return { width: h, height: w };
    case '1:1':
      return { width: h, height: h };
    case '4:5':
      return { width: even((h * 4) / 5), height: h };
    case '4:3':
      return { width: even((h * 4) / 3), height: h };
  }
}

/** NTSC rates are exact rationals so frame numbers stay integers. */
export function frameRate(fps: number | undefined): Rational {
  const f = fps ?? 25;
  const ntsc: Record<string, Rational> = {
    '23.976': { num: 24000, den: 1001 },
    '29.97': { num: 30000, den: 1001 },
    '59.94': { num: 60000, den: 1001 },
  };
  return ntsc[String(f)] ?? { num: f, den: 1 };
}

export const fpsValue = (r: Rational): number => r.num / r.den;
export const fpsString = (r: Rational): string => (r.den === 1 ? String(r.num) : `${r.num}/${r.den}`);

/**
 * `output.scaleTo`: the named resolution at the output's aspect ratio; with a custom `size`, that size's
 * aspect at the resolution's short side. Undefined when it changes nothing.
 */
export function scaledSize(
  output: Pick<Output, 'resolution' | 'aspectRatio' | 'size' | 'scaleTo'>,
): { width: number; height: number } | undefined {
  if (!output.scaleTo) return undefined;
  const frame = frameSize(output);
  let to = frameSize({ resolution: output.scaleTo, aspectRatio: output.aspectRatio });
  if (output.size) {
    const short = BASE[output.scaleTo][1];
    const k = short / Math.min(frame.width, frame.height);
    to = { width: even(frame.width * k), height: even(frame.height * k) };
  }
  return to.width === frame.width && to.height === frame.height ? undefined : to;
}

export function outputSpec(output: Output): OutputSpec {
  const audioOnly = output.format === 'mp3' || output.format === 'wav';
  const still = output.format === 'jpg' || output.format === 'png';
  return {
    ...frameSize(output),
    fps: frameRate(output.fps),
    format: output.format,
    hasVideo: !audioOnly,
    hasAudio: !still && output.format !== 'gif' && !output.mute,
    still,
    ...(scaledSize(output) ? { scaled: scaledSize(output) } : {}),
  };
}

/** The frame size of the delivered file: scaleTo's size when it has one. */
export const deliveredSize = (spec: Pick<OutputSpec, 'width' | 'height' | 'scaled'>) =>
  spec.scaled ? { ...spec.scaled } : { width: spec.width, height: spec.height };
