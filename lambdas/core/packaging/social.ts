import type { Edit } from '../edit/schema.js';
import type { Rendition } from '../jobs/types.js';
import { frameSize } from '../render/output-spec.js';
import { DEFAULTS, findPreset } from './options.js';
import type { PresetName, SocialAspectRatio } from '../edit/packaging-schema.js';

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
const RATIO: Record<SocialAspectRatio, [number, number]> = {
  '9:16': [9, 16],
  '1:1': [1, 1],
  '16:9': [16, 9],
  '4:5': [4, 5],
};

/** The frame for `ratio` keeping the edit's short side (as Shotstack's resolutions do), both sides even. */
export function socialSize(
  output: Edit['output'],
  ratio: SocialAspectRatio,
): { width: number; height: number } {
  const { width, height } = frameSize(output);
  const short = Math.min(width, height);
  const [rw, rh] = RATIO[ratio];
  return rw >= rh
    ? { width: even((short * rw) / rh), height: even(short) }
    : { width: even(short), height: even((short * rh) / rw) };
}

/**
 * The renditions a composition preset adds. Only `social` changes the composition: the same edit at
 * each aspect ratio, named `social-9x16`, `social-1x1`, `social-16x9`. Clips keep the user's `fit`:
 * `crop` (the default) and `cover` fill the new frame, so there are no bars; `contain` letterboxes on
 * purpose and `none` keeps the pixel size. A rendition carries only the loudness preset (its target
 * defaulting to -14 LUFS), not the main output's HLS/web/GIF/sprite packaging.
 */
export function presetRenditions(name: PresetName, edit: Edit): Rendition[] {
  if (name !== 'social') return [];
  const social = findPreset(edit.output.presets, 'social');
  if (!social) return [];
  const loudness = findPreset(edit.output.presets, 'loudness');
  const ratios = social.aspectRatios ?? DEFAULTS.socialAspectRatios;
  return ratios.map((ratio) => {
    const { presets: _presets, size, ...rest } = edit.output;
    const output: Edit['output'] = {
      ...rest,
      aspectRatio: ratio,
      // An explicit size wins over aspectRatio in the compiler, so it is recomputed for the ratio.
      ...(size ? { size: socialSize(edit.output, ratio) } : {}),
      ...(loudness
        ? {
            presets: [
              {
                name: 'loudness' as const,
                target: loudness.target ?? DEFAULTS.socialLoudnessTarget,
                ...(loudness.truePeak !== undefined ? { truePeak: loudness.truePeak } : {}),
              },
            ],
          }
        : {}),
    };
    return {
      name: `social-${ratio.replace(':', 'x')}`,
      edit: { ...edit, output },
      meta: { preset: 'social', aspectRatio: ratio },
    };
  });
}

/**
 * Every rendition an edit's presets make: the edit itself as `output`, then the composition presets'
 * extra renditions. The render kind's `expand` returns exactly this.
 */
export function expandPresets(edit: Edit): Rendition[] {
  return [{ name: 'output', edit }, ...presetRenditions('social', edit)];
}
