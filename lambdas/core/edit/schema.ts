import { z } from 'zod';
import { OutputPresets } from './packaging-schema.js';

/**
 * The edit format: the core of Shotstack's public Edit API, same names and meanings, so existing edits
 * run unchanged once their `src` points at reachable media. Every object is strict: an unknown field is
 * reported with its path instead of being silently dropped.
 */

const hex = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
export const Color = z.string().refine((v) => hex.test(v) || v === 'transparent', {
  message: 'must be a hex colour such as #ffffff or #ffffff80, or "transparent"',
});

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);
export const Src = nonEmpty('src').max(2048, 'src is longer than 2048 characters');

const unit = (name: string) =>
  z.number().min(0, `${name} must be between 0 and 1`).max(1, `${name} must be between 0 and 1`);

export const Crop = z.strictObject({
  top: unit('crop.top').optional(),
  bottom: unit('crop.bottom').optional(),
  left: unit('crop.left').optional(),
  right: unit('crop.right').optional(),
});

export const Offset = z.strictObject({
  x: z.number().min(-10).max(10).optional(),
  y: z.number().min(-10).max(10).optional(),
});

export const Position = z.enum([
  'top',
  'topRight',
  'right',
  'bottomRight',
  'bottom',
  'bottomLeft',
  'left',
  'topLeft',
  'center',
]);

const Volume = z.number().min(0, 'volume must be 0 or more').max(10, 'volume must be at most 10');
const Trim = z.number().min(0, 'trim must be 0 or more');
export const AudioEffect = z.enum(['fadeIn', 'fadeOut', 'fadeInFadeOut']);

/**
 * cutline extension: where the `fit: crop` window sits in the source, as fractions of the source frame
 * (x right, y down; 0.5/0.5 = centred, the default). Either one point, or keyframes in seconds from the
 * clip's start, interpolated linearly (held before the first and after the last) — this is how reframing
 * follows a moving subject. The window never leaves the picture: a focus near an edge is clamped.
 */
export const FocusPoint = z.strictObject({ x: unit('focus.x'), y: unit('focus.y') });
export const FocusKeyframe = z.strictObject({
  time: z.number().min(0, 'focus time must be 0 or more'),
  x: unit('focus.x'),
  y: unit('focus.y'),
});
export const Focus = z.union(
  [
    FocusPoint,
    z
      .array(FocusKeyframe)
      .min(1, 'focus keyframes need at least one entry')
      .max(2000, 'at most 2000 focus keyframes')
      .refine((k) => k.every((f, i) => i === 0 || f.time > k[i - 1]!.time), {
        message: 'focus keyframe times must increase',
      }),
  ],
  { error: 'focus must be { x, y } or an array of { time, x, y } keyframes' },
);

export const VideoAsset = z.strictObject({
  type: z.literal('video'),
  src: Src,
  trim: Trim.optional(),
  volume: Volume.optional(),
  volumeEffect: AudioEffect.optional(),
  crop: Crop.optional(),
  focus: Focus.optional(),
  chromaKey: z
    .strictObject({
      color: Color,
      /** Distance in RGB (0–441, the cube's diagonal) within which a pixel becomes fully transparent. */
      threshold: z.number().min(0).max(441).optional(),
      /** Beyond the threshold, the distance over which pixels fade back in. */
      halo: z.number().min(0).max(441).optional(),
    })
    .optional(),
});

export const ImageAsset = z.strictObject({
  type: z.literal('image'),
  src: Src,
  crop: Crop.optional(),
});

export const TitleStyle = z.enum([
  'minimal',
  'blockbuster',
  'vogue',
  'sketchy',
  'skinny',
  'chunk',
  'chunkLight',
  'marker',
  'future',
  'subtitle',
]);
export const TitleSize = z.enum(['xx-small', 'x-small', 'small', 'medium', 'large', 'x-large', 'xx-large']);

/** Text is capped by limits.maxTextLength after parsing; the schema only requires it to exist. */
export const TitleAsset = z.strictObject({
  type: z.literal('title'),
  text: z.string().min(1, 'text must not be empty'),
  style: TitleStyle.optional(),
  color: Color.optional(),
  size: TitleSize.optional(),
  background: Color.optional(),
  position: Position.optional(),
  offset: Offset.optional(),
});

export const Font = z.strictObject({
  family: nonEmpty('font.family').optional(),
  size: z.number().min(1).max(1000).optional(),
  color: Color.optional(),
  opacity: unit('font.opacity').optional(),
  weight: z.number().int().min(100).max(900).optional(),
  lineHeight: z.number().min(0.5).max(4).optional(),
});

/** A box behind text (text assets and captions). */
export const TextBackground = z.strictObject({
  color: Color.optional(),
  opacity: unit('background.opacity').optional(),
  padding: z.number().min(0).max(500).optional(),
});

export const TextAsset = z.strictObject({
  type: z.literal('text'),
  text: z.string().min(1, 'text must not be empty'),
  font: Font.optional(),
  alignment: z
    .strictObject({
      horizontal: z.enum(['left', 'center', 'right']).optional(),
      vertical: z.enum(['top', 'center', 'bottom']).optional(),
    })
    .optional(),
  width: z.number().int().min(1).max(7680).optional(),
  height: z.number().int().min(1).max(7680).optional(),
  background: TextBackground.optional(),
  stroke: z
    .strictObject({
      color: Color.optional(),
      width: z.number().min(0).max(50).optional(),
    })
    .optional(),
});

export const AudioAsset = z.strictObject({
  type: z.literal('audio'),
  src: Src,
  trim: Trim.optional(),
  volume: Volume.optional(),
  effect: AudioEffect.optional(),
});

/** cutline extension: caption looks (see text/captions.ts CAPTION_STYLES). */
export const CaptionStyle = z.enum(['clean', 'boldOutline', 'wordHighlight']);

/**
 * `src` is SRT, WebVTT or (cutline extension) a word-level transcript JSON. cutline extensions: `trim`
 * skips that many seconds of the captions (cue times shift left, as a video's trim does), `style` a preset,
 * `highlight` the spoken word's colour for wordHighlight, `margin.horizontal` the safe area on each side.
 */
export const CaptionAsset = z.strictObject({
  type: z.literal('caption'),
  src: Src,
  trim: Trim.optional(),
  style: CaptionStyle.optional(),
  highlight: Color.optional(),
  font: Font.optional(),
  background: TextBackground.optional(),
  margin: z
    .strictObject({
      bottom: z.number().min(0).max(0.5).optional(),
      horizontal: z.number().min(0).max(0.4).optional(),
    })
    .optional(),
});

/**
 * Shotstack's html asset: HTML and CSS drawn by a real browser engine into a transparent `width`×`height`
 * area (default: the output frame), then composited like an image. Scripts do not run and the page loads
 * nothing from the network (inline and data: content only).
 */
export const HtmlAsset = z.strictObject({
  type: z.literal('html'),
  html: z.string().min(1, 'html must not be empty').max(200_000, 'html must be at most 200000 characters'),
  css: z.string().max(200_000, 'css must be at most 200000 characters').optional(),
  width: z.number().int('width must be a whole number of pixels').min(1).max(7680).optional(),
  height: z.number().int('height must be a whole number of pixels').min(1).max(7680).optional(),
  background: Color.optional(),
  /** Where the content sits inside its area. */
  position: Position.optional(),
});

/** Shotstack's svg asset: raw SVG markup, drawn by the browser at the size its layer has (sharp at any size). */
export const SvgAsset = z.strictObject({
  type: z.literal('svg'),
  src: z
    .string()
    .max(500_000, 'src must be at most 500000 characters of SVG markup')
    .refine((s) => /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(s), {
      message: 'src must be SVG markup starting with <svg',
    }),
});

const px = (what: string, min = 1) =>
  z.number().min(min, `${what} must be at least ${min}`).max(8192, `${what} must be at most 8192`);
const ShapeFill = z.strictObject({ color: Color.optional(), opacity: unit('fill.opacity').optional() });
const ShapeStroke = z.strictObject({ color: Color.optional(), width: z.number().min(0).max(500).optional() });

/** Shotstack's shape asset: a rectangle, circle or line with a fill and a stroke (drawn as SVG). */
export const ShapeAsset = z
  .strictObject({
    type: z.literal('shape'),
    shape: z.enum(['rectangle', 'circle', 'line'], { error: 'shape must be rectangle, circle or line' }),
    rectangle: z
      .strictObject({
        width: px('rectangle.width'),
        height: px('rectangle.height'),
        cornerRadius: z.number().min(0).max(4096).optional(),
      })
      .optional(),
    circle: z.strictObject({ radius: px('circle.radius') }).optional(),
    line: z.strictObject({ length: px('line.length'), thickness: px('line.thickness') }).optional(),
    fill: ShapeFill.optional(),
    stroke: ShapeStroke.optional(),
  })
  .superRefine((a, ctx) => {
    if (!a[a.shape])
      ctx.addIssue({
        code: 'custom',
        path: [a.shape],
        message: `a ${a.shape} shape needs its "${a.shape}" sizes`,
      });
  });

const assetTypes = ['video', 'image', 'title', 'text', 'html', 'svg', 'shape', 'audio', 'caption'] as const;
export const Asset = z.discriminatedUnion(
  'type',
  [VideoAsset, ImageAsset, TitleAsset, TextAsset, HtmlAsset, SvgAsset, ShapeAsset, AudioAsset, CaptionAsset],
  {
    error: (issue) => {
      const input = issue.input as { type?: unknown } | undefined;
      const type = input && typeof input === 'object' ? input.type : undefined;
      return type === undefined
        ? `asset.type is required: one of ${assetTypes.join(', ')}`
        : `asset type ${JSON.stringify(type)} is not supported: use one of ${assetTypes.join(', ')}`;
    },
  },
);

const speeds = (names: readonly string[]) => names.flatMap((n) => [n, `${n}Slow`, `${n}Fast`]);
export const TRANSITIONS = [
  ...speeds(['fade', 'reveal', 'wipeLeft', 'wipeRight', 'slideLeft', 'slideRight', 'slideUp', 'slideDown']),
  ...speeds(['carouselLeft', 'carouselRight', 'carouselUp', 'carouselDown', 'zoom']),
] as const;
export const Transition = z.strictObject({
  in: z.enum(TRANSITIONS as unknown as [string, ...string[]]).optional(),
  out: z.enum(TRANSITIONS as unknown as [string, ...string[]]).optional(),
});

export const EFFECTS = speeds(['zoomIn', 'zoomOut', 'slideLeft', 'slideRight', 'slideUp', 'slideDown']);
export const Effect = z.enum(EFFECTS as unknown as [string, ...string[]]);
export const Filter = z.enum([
  'blur',
  'boost',
  'contrast',
  'darken',
  'greyscale',
  'lighten',
  'muted',
  'negative',
]);
export const Fit = z.enum(['crop', 'cover', 'contain', 'none']);

export const Transform = z.strictObject({
  rotate: z.strictObject({ angle: z.number().min(-360).max(360) }).optional(),
  flip: z.strictObject({ horizontal: z.boolean().optional(), vertical: z.boolean().optional() }).optional(),
});

const Seconds = z.number().min(0, 'must be 0 or more');
const boxSide = (what: string) =>
  z
    .number()
    .int(`${what} must be a whole number of pixels`)
    .min(1, `${what} must be at least 1 pixel`)
    .max(8192, `${what} must be at most 8192 pixels`);

export const Clip = z.strictObject({
  asset: Asset,
  start: z.union([Seconds, z.literal('auto')], {
    error: 'start must be a number of seconds (0 or more) or "auto"',
  }),
  length: z.union([z.number().positive('length must be more than 0'), z.literal('auto'), z.literal('end')], {
    error: 'length must be a number of seconds, "auto" or "end"',
  }),
  fit: Fit.optional(),
  scale: z.number().positive('scale must be more than 0').max(10).optional(),
  position: Position.optional(),
  offset: Offset.optional(),
  transition: Transition.optional(),
  effect: Effect.optional(),
  filter: Filter.optional(),
  opacity: unit('opacity').optional(),
  transform: Transform.optional(),
  /** The box (pixels) the asset is fitted into, instead of the whole frame; positioned like the asset. */
  width: boxSide('width').optional(),
  height: boxSide('height').optional(),
});

export const Track = z.strictObject({
  clips: z.array(Clip).min(1, 'a track needs at least one clip'),
});

export const Soundtrack = z.strictObject({
  src: Src,
  effect: AudioEffect.optional(),
  volume: Volume.optional(),
});

export const Timeline = z.strictObject({
  background: Color.optional(),
  soundtrack: Soundtrack.optional(),
  fonts: z.array(z.strictObject({ src: Src })).optional(),
  tracks: z.array(Track).min(1, 'the timeline needs at least one track'),
  /** Accepted for compatibility with existing edits; cutline has no render cache, so it has no effect. */
  cache: z.boolean().optional(),
});

export const Format = z.enum(['mp4', 'webm', 'mov', 'gif', 'mp3', 'wav', 'jpg', 'png']);
export const Resolution = z.enum(['preview', 'mobile', 'sd', 'hd', '1080', '4k']);
export const AspectRatio = z.enum(['16:9', '9:16', '1:1', '4:5', '4:3']);
export const Quality = z.enum(['verylow', 'low', 'medium', 'high', 'veryhigh']);
export const FPS_VALUES = [12, 15, 23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60] as const;

const evenPixels = (name: string) =>
  z
    .number()
    .int(`${name} must be a whole number of pixels`)
    .min(2, `${name} must be at least 2`)
    .refine((v) => v % 2 === 0, `${name} must be even (H.264 and VP9 need even dimensions)`);

export const Output = z.strictObject({
  format: Format,
  resolution: Resolution.optional(),
  aspectRatio: AspectRatio.optional(),
  size: z.strictObject({ width: evenPixels('size.width'), height: evenPixels('size.height') }).optional(),
  fps: z
    .number()
    .refine((v) => (FPS_VALUES as readonly number[]).includes(v), {
      message: `fps must be one of ${FPS_VALUES.join(', ')}`,
    })
    .optional(),
  quality: Quality.optional(),
  mute: z.boolean().optional(),
  repeat: z.boolean().optional(),
  range: z
    .strictObject({ start: Seconds, length: z.number().positive('range.length must be more than 0') })
    .optional(),
  poster: z.strictObject({ capture: Seconds }).optional(),
  thumbnail: z.strictObject({ capture: Seconds, scale: z.number().gt(0).max(1).optional() }).optional(),
  /** Packaging (lambdas/core/packaging): hls, web, social, preview-gif, thumbnails, loudness. */
  presets: OutputPresets.optional(),
  /** cutline extension: container metadata (ffmpeg -metadata), written by single and chunked renders. */
  metadata: z
    .strictObject({
      title: z.string().max(1000, 'metadata.title is longer than 1000 characters').optional(),
      comment: z.string().max(4000, 'metadata.comment is longer than 4000 characters').optional(),
    })
    .optional(),
});

export const MergeField = z.strictObject({
  find: nonEmpty('find'),
  replace: z.union([z.string(), z.number(), z.boolean()], {
    error: 'replace must be a string, number or boolean',
  }),
});
export const Merge = z.array(MergeField);

/**
 * cutline extension: events the `callback` receives besides Job Succeeded / Failed / Cancelled.
 * `progress`: throttled Job Progress events (about one a second while frames render).
 */
export const CallbackEvents = z
  .array(z.enum(['progress'], { error: 'callbackEvents may list only "progress"' }))
  .max(1)
  .optional();

export const Edit = z.strictObject({
  timeline: Timeline,
  output: Output,
  merge: Merge.optional(),
  callback: z.url({ protocol: /^https?$/, error: 'callback must be an http(s) URL' }).optional(),
  callbackEvents: CallbackEvents,
});

export type Edit = z.infer<typeof Edit>;
export type Timeline = z.infer<typeof Timeline>;
export type Track = z.infer<typeof Track>;
export type Clip = z.infer<typeof Clip>;
export type Asset = z.infer<typeof Asset>;
export type VideoAsset = z.infer<typeof VideoAsset>;
export type ImageAsset = z.infer<typeof ImageAsset>;
export type TitleAsset = z.infer<typeof TitleAsset>;
export type TextAsset = z.infer<typeof TextAsset>;
export type HtmlAsset = z.infer<typeof HtmlAsset>;
export type SvgAsset = z.infer<typeof SvgAsset>;
export type ShapeAsset = z.infer<typeof ShapeAsset>;
export type AudioAsset = z.infer<typeof AudioAsset>;
export type CaptionAsset = z.infer<typeof CaptionAsset>;
export type CaptionStyle = z.infer<typeof CaptionStyle>;
export type Focus = z.infer<typeof Focus>;
export type FocusKeyframe = z.infer<typeof FocusKeyframe>;
export type Output = z.infer<typeof Output>;
export type Soundtrack = z.infer<typeof Soundtrack>;
export type Font = z.infer<typeof Font>;
export type Position = z.infer<typeof Position>;
export type Fit = z.infer<typeof Fit>;
export type MergeField = z.infer<typeof MergeField>;
