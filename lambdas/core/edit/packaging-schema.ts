import { z } from 'zod';

/**
 * `output.presets`: packaging asked for alongside the main output. Each entry is a preset's name, or
 * `{ name, ...options }` for one with options, e.g. `"web"`, `{ "name": "hls", "ladder": [720, 480] }`.
 * Two kinds: `social` changes the composition (extra renditions: the same edit at other aspect ratios);
 * the others post-process the finished main file (see packageOutput).
 */
export const HLS_PACKAGERS = ['ffmpeg', 'mediaconvert'] as const;
export type HlsPackager = (typeof HLS_PACKAGERS)[number];

export const PRESET_NAMES = ['hls', 'web', 'social', 'preview-gif', 'thumbnails', 'loudness'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const seconds = (what: string, max: number) =>
  z.number().gt(0, `${what} must be more than 0`).max(max, `${what} must be at most ${max}`);
const int = (what: string, min: number, max: number) =>
  z
    .number()
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`)
    .max(max, `${what} must be at most ${max}`);

export const HlsPreset = z.strictObject({
  name: z.literal('hls'),
  /** Rungs by their short side in pixels (720 = 1280×720 for 16:9, 720×1280 for 9:16). */
  ladder: z
    .array(int('ladder rung', 144, 2160))
    .min(1, 'ladder must list at least one rung')
    .max(8, 'ladder may list at most 8 rungs')
    .optional(),
  /** Target segment length; every variant is cut at the same times. */
  segmentSeconds: int('segmentSeconds', 1, 30).optional(),
  /**
   * Who packages: ffmpeg in the render task, or AWS Elemental MediaConvert (a `createJob.sync` state;
   * locally an adapter renders the same job settings with ffmpeg). Default: the deployment's.
   */
  packager: z
    .enum(HLS_PACKAGERS, { error: `packager must be one of ${HLS_PACKAGERS.join(', ')}` })
    .optional(),
});

export const WebPreset = z.strictObject({ name: z.literal('web') });

export const SocialAspectRatio = z.enum(['9:16', '1:1', '16:9', '4:5']);
export const SocialPreset = z.strictObject({
  name: z.literal('social'),
  aspectRatios: z
    .array(SocialAspectRatio)
    .min(1, 'aspectRatios must list at least one ratio')
    .refine((a) => new Set(a).size === a.length, 'aspectRatios must not repeat a ratio')
    .optional(),
});

export const PreviewGifPreset = z.strictObject({
  name: z.literal('preview-gif'),
  start: z.number().min(0, 'start must be 0 or more').optional(),
  length: seconds('length', 30).optional(),
  width: int('width', 32, 1280).optional(),
  fps: int('fps', 1, 30).optional(),
});

export const ThumbnailsPreset = z.strictObject({
  name: z.literal('thumbnails'),
  /** Seconds between tiles; default: 1 s, longer for long videos so the sheet stays ≤ 200 tiles. */
  interval: seconds('interval', 3600).optional(),
  /** Tile width in pixels; the height follows the video's aspect ratio. */
  width: int('width', 32, 640).optional(),
  columns: int('columns', 1, 50).optional(),
});

export const LoudnessPreset = z.strictObject({
  name: z.literal('loudness'),
  /** Integrated loudness in LUFS; default -16 for the main output, -14 for social renditions. */
  target: z
    .number()
    .min(-70, 'target must be at least -70 LUFS')
    .max(-5, 'target must be at most -5 LUFS')
    .optional(),
  /** Ceiling for the true peak in dBTP. */
  truePeak: z
    .number()
    .min(-9, 'truePeak must be at least -9 dBTP')
    .max(0, 'truePeak must be at most 0 dBTP')
    .optional(),
});

const PresetObject = z.discriminatedUnion(
  'name',
  [HlsPreset, WebPreset, SocialPreset, PreviewGifPreset, ThumbnailsPreset, LoudnessPreset],
  { error: `preset name must be one of ${PRESET_NAMES.join(', ')}` },
);

export const PresetEntry = z.union(
  [z.enum(PRESET_NAMES, { error: `must be one of ${PRESET_NAMES.join(', ')}` }), PresetObject],
  { error: `must be a preset name (${PRESET_NAMES.join(', ')}) or { "name": …, options }` },
);

export const OutputPresets = z
  .array(PresetEntry)
  .max(PRESET_NAMES.length, `presets may list at most ${PRESET_NAMES.length} entries`)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((entry, i) => {
      const name = typeof entry === 'string' ? entry : entry.name;
      if (seen.has(name))
        ctx.addIssue({ code: 'custom', path: [i], message: `preset "${name}" is listed twice` });
      seen.add(name);
    });
  });

export type PresetEntry = z.infer<typeof PresetEntry>;
export type OutputPresets = z.infer<typeof OutputPresets>;
export type HlsPreset = z.infer<typeof HlsPreset>;
export type SocialPreset = z.infer<typeof SocialPreset>;
export type PreviewGifPreset = z.infer<typeof PreviewGifPreset>;
export type ThumbnailsPreset = z.infer<typeof ThumbnailsPreset>;
export type LoudnessPreset = z.infer<typeof LoudnessPreset>;
export type SocialAspectRatio = z.infer<typeof SocialAspectRatio>;
