import { z } from 'zod';
import { OutputPresets } from './packaging-schema.js';
import { tweenable } from './tween.js';

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

/** Fractions of the viewport (x right, y up); on a clip either may be tweened. */
export const TitleOffset = z.strictObject({
  x: z.number().min(-10).max(10).optional(),
  y: z.number().min(-10).max(10).optional(),
});
export const Offset = z.strictObject({
  x: tweenable(-10, 10).optional(),
  y: tweenable(-10, 10).optional(),
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

/** Shotstack allows 0–10 (0 = paused); a paused clip is an image of its frame, so cutline asks for more than 0. */
export const Speed = z
  .number()
  .gt(0, 'speed must be more than 0 (a paused clip is an image of the frame: use an image asset)')
  .max(10, 'speed must be at most 10');

const Volume = z.number().min(0, 'volume must be 0 or more').max(10, 'volume must be at most 10');
/** A clip's volume may be tweened (the soundtrack's is one number). */
const ClipVolume = tweenable(0, 10, Volume);
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
  volume: ClipVolume.optional(),
  volumeEffect: AudioEffect.optional(),
  speed: Speed.optional(),
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
  offset: TitleOffset.optional(),
});

/** Pixels; Shotstack edits also give it as a string ("48", "48px"), read as the same number. */
export const FontSize = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d+(?:\.\d+)?\s*(?:px)?\s*$/i.test(v) ? parseFloat(v) : v),
  z
    .number({ error: 'font.size must be a number of pixels, or a string such as "48" or "48px"' })
    .min(1, 'font.size must be at least 1')
    .max(1000, 'font.size must be at most 1000'),
);

export const Font = z.strictObject({
  family: nonEmpty('font.family').optional(),
  size: FontSize.optional(),
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
  /** Rounded corners of the box, in pixels. */
  borderRadius: z.number().min(0).max(4096).optional(),
});

export const TextAsset = z.strictObject({
  type: z.literal('text'),
  /** May be empty: Shotstack templates use an empty text with a background as a coloured panel. */
  text: z.string(),
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
  volume: ClipVolume.optional(),
  effect: AudioEffect.optional(),
  speed: Speed.optional(),
});

/** cutline extension: caption looks (see text/captions.ts CAPTION_STYLES). */
export const CaptionStyle = z.enum(['clean', 'boldOutline', 'wordHighlight']);

/**
 * `src` is SRT, WebVTT, (cutline extension) a word-level transcript JSON, or `"auto"`: the words spoken in
 * the edit's own audio (its video, audio and text-to-speech clips, transcribed before the render). `trim`
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
  background: TextBackground.omit({ borderRadius: true }).optional(),
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
  /** The drawing's opacity (Shotstack Studio's svg asset), multiplied with the clip's. */
  opacity: unit('opacity').optional(),
});

/**
 * Shotstack's luma matte: a greyscale video or image that is not drawn but masks the clips it overlaps on
 * its own track (white shows them, black hides them), while it plays. `trim` skips into the matte video.
 */
export const LumaAsset = z.strictObject({
  type: z.literal('luma'),
  src: Src,
  trim: Trim.optional(),
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

/**
 * Shotstack's rich-text and rich-caption assets (their Edit API names and defaults). rich-text is drawn by
 * the browser (CSS says all of it); rich-caption by the caption stack, word by word.
 */
const FontWeight = z.union(
  [
    z.number().int().min(100).max(900),
    z.enum(['normal', 'bold', 'lighter', 'bolder']),
    z.string().regex(/^[1-9]00$/, 'font.weight must be 100–900'),
  ],
  { error: 'font.weight must be a number from 100 to 900, "normal" or "bold"' },
);
const RichStroke = z.strictObject({
  width: z.number().min(0).max(100).optional(),
  color: Color.optional(),
  opacity: unit('stroke.opacity').optional(),
});
const RichShadow = z.strictObject({
  offsetX: z.number().min(-500).max(500).optional(),
  offsetY: z.number().min(-500).max(500).optional(),
  blur: z.number().min(0).max(200).optional(),
  color: Color.optional(),
  opacity: unit('shadow.opacity').optional(),
});
const RichBackground = z.strictObject({
  color: Color.optional(),
  opacity: unit('background.opacity').optional(),
  borderRadius: z.number().min(0).max(4096).optional(),
});
const RichBorder = z.strictObject({
  width: z.number().min(0).max(500).optional(),
  color: Color.optional(),
  opacity: unit('border.opacity').optional(),
  radius: z.number().min(0).max(4096).optional(),
});
const side = z.number().min(0).max(2000);
const RichPadding = z.union([
  side,
  z.strictObject({
    top: side.optional(),
    right: side.optional(),
    bottom: side.optional(),
    left: side.optional(),
  }),
]);
const RichAlign = z.strictObject({
  horizontal: z.enum(['left', 'center', 'right']).optional(),
  vertical: z.enum(['top', 'middle', 'center', 'bottom']).optional(),
});
const RichGradient = z.strictObject({
  type: z.enum(['linear', 'radial']).optional(),
  angle: z.number().min(0).max(360).optional(),
  stops: z
    .array(z.strictObject({ offset: unit('stop.offset'), color: Color }))
    .min(2, 'a gradient needs at least 2 stops')
    .max(16),
});
const RichFont = z.strictObject({
  family: nonEmpty('font.family').optional(),
  size: FontSize.optional(),
  weight: FontWeight.optional(),
  color: Color.optional(),
  opacity: unit('font.opacity').optional(),
  background: Color.optional(),
  stroke: RichStroke.optional(),
  /** italic slants the face (synthesised by the browser when the family has no italic file). */
  style: z.enum(['normal', 'italic']).optional(),
  /** As style.lineHeight, which wins when both are given. */
  lineHeight: z.number().min(0).max(10).optional(),
});
const RichStyle = z.strictObject({
  letterSpacing: z.number().min(-100).max(500).optional(),
  wordSpacing: z.number().min(0).max(500).optional(),
  lineHeight: z.number().min(0).max(10).optional(),
  textTransform: z.enum(['none', 'uppercase', 'lowercase', 'capitalize']).optional(),
  textDecoration: z.enum(['none', 'underline', 'line-through']).optional(),
  gradient: RichGradient.optional(),
  size: FontSize.optional(),
});
export const RICH_TEXT_PRESETS = [
  'fadeIn',
  'slideIn',
  'typewriter',
  'ascend',
  'shift',
  'movingLetters',
] as const;

export const RichTextAsset = z.strictObject({
  type: z.literal('rich-text'),
  text: z.string().min(1, 'text must not be empty').max(5000, 'text must be at most 5000 characters'),
  font: RichFont.optional(),
  style: RichStyle.optional(),
  stroke: RichStroke.optional(),
  shadow: RichShadow.optional(),
  background: RichBackground.optional(),
  border: RichBorder.optional(),
  padding: RichPadding.optional(),
  align: RichAlign.optional(),
  alignment: RichAlign.optional(),
  animation: z
    .strictObject({
      preset: z.enum(RICH_TEXT_PRESETS, {
        error: `animation.preset must be one of ${RICH_TEXT_PRESETS.join(', ')}`,
      }),
      duration: z.number().min(0.1).max(30).optional(),
      style: z.enum(['character', 'word']).optional(),
      direction: z.enum(['left', 'right', 'up', 'down']).optional(),
    })
    .optional(),
});

export const RICH_CAPTION_ANIMATIONS = [
  'karaoke',
  'highlight',
  'pop',
  'fade',
  'slide',
  'bounce',
  'typewriter',
  'none',
] as const;

export const RichCaptionAsset = z.strictObject({
  type: z.literal('rich-caption'),
  src: Src,
  font: RichFont.omit({ stroke: true }).optional(),
  style: RichStyle.omit({ wordSpacing: true }).optional(),
  stroke: RichStroke.optional(),
  shadow: RichShadow.optional(),
  background: RichBackground.optional(),
  border: RichBorder.optional(),
  padding: RichPadding.optional(),
  align: RichAlign.optional(),
  alignment: RichAlign.optional(),
  active: z
    .strictObject({
      font: z
        .strictObject({
          family: nonEmpty('font.family').optional(),
          weight: FontWeight.optional(),
          color: Color.optional(),
          background: Color.optional(),
          opacity: unit('font.opacity').optional(),
          size: FontSize.optional(),
          textDecoration: z.enum(['none', 'underline', 'line-through']).optional(),
        })
        .optional(),
      stroke: z.union([RichStroke, z.literal('none')]).optional(),
      shadow: z.union([RichShadow, z.literal('none')]).optional(),
    })
    .optional(),
  animation: z
    .strictObject({
      style: z.enum(RICH_CAPTION_ANIMATIONS),
      direction: z.enum(['left', 'right', 'up', 'down']).optional(),
    })
    .optional(),
});

/**
 * Lip sync (a face's mouth moved to speech) has no AWS service behind it — Polly speaks and gives word
 * timings, Rekognition finds faces, Bedrock's video models take no audio — and no offline engine here:
 * every way of asking for it is refused with this.
 */
export const LIP_SYNC_REFUSAL =
  'lip sync is not supported: no AWS service (nor a local engine here) moves a face to speech. Use a voiceover over the picture (its words captioned as they are spoken) or a text-to-speech asset beside the clip';
const LIP_SYNC_TYPES = new Set(['lip-sync', 'lipsync', 'lip_sync', 'talking-head', 'talking-avatar']);

/**
 * Shotstack's text-to-speech asset: `text` spoken by `voice` (a Polly voice id such as Matthew or Joanna;
 * locally the nearest espeak-ng voice), `language` a BCP-47 code, `newscaster` Polly's news style. The
 * deployment's voice provider speaks it before the render (a prepare item); it then plays as audio.
 */
export const TextToSpeechAsset = z.strictObject({
  type: z.literal('text-to-speech'),
  text: nonEmpty('text').max(3000, 'text is longer than 3000 characters'),
  voice: z.string().regex(/^[A-Za-z][\w+-]{0,39}$/, 'voice must be a voice name such as Joanna or en-us'),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'language must be a language code such as en-US')
    .optional(),
  newscaster: z.boolean().optional(),
  lipSync: z.never({ error: LIP_SYNC_REFUSAL }).optional(),
});

/**
 * Shotstack's text-to-image asset: a still generated from `prompt` at width x height by the deployment's
 * generator (Nova Canvas in AWS, an HTTP provider locally) before the render; it then plays as an image.
 */
export const TextToImageAsset = z.strictObject({
  type: z.literal('text-to-image'),
  prompt: nonEmpty('prompt').max(1000, 'prompt is longer than 1000 characters'),
  width: z.number().int('width must be a whole number of pixels').min(64).max(4096),
  height: z.number().int('height must be a whole number of pixels').min(64).max(4096),
  crop: Crop.optional(),
});

/**
 * Shotstack's image-to-video asset: a clip generated from the image at `src` (its first frame), moved as
 * `prompt` says (Nova Reel in AWS, an HTTP provider locally), before the render; it then plays as video.
 */
export const ImageToVideoAsset = z.strictObject({
  type: z.literal('image-to-video'),
  src: Src,
  prompt: nonEmpty('prompt').max(512, 'prompt is longer than 512 characters').optional(),
  aspectRatio: z.enum(['1:1', '4:3', '16:9', '9:16', '3:4', '21:9', '9:21']).optional(),
  speed: Speed.optional(),
  crop: Crop.optional(),
});

const assetTypes = [
  'video',
  'image',
  'title',
  'text',
  'rich-text',
  'html',
  'svg',
  'shape',
  'audio',
  'caption',
  'luma',
  'rich-caption',
  'text-to-speech',
  'text-to-image',
  'image-to-video',
] as const;
export const Asset = z.discriminatedUnion(
  'type',
  [
    VideoAsset,
    ImageAsset,
    TitleAsset,
    TextAsset,
    RichTextAsset,
    HtmlAsset,
    SvgAsset,
    ShapeAsset,
    AudioAsset,
    CaptionAsset,
    LumaAsset,
    RichCaptionAsset,
    TextToSpeechAsset,
    TextToImageAsset,
    ImageToVideoAsset,
  ],
  {
    error: (issue) => {
      const input = issue.input as { type?: unknown } | undefined;
      const type = input && typeof input === 'object' ? input.type : undefined;
      if (typeof type === 'string' && LIP_SYNC_TYPES.has(type.toLowerCase())) return LIP_SYNC_REFUSAL;
      return type === undefined
        ? `asset.type is required: one of ${assetTypes.join(', ')}`
        : `asset type ${JSON.stringify(type)} is not supported: use one of ${assetTypes.join(', ')}`;
    },
  },
);

const speeds = (names: readonly string[]) => names.flatMap((n) => [n, `${n}Slow`, `${n}Fast`]);
/** Transitions also come `VeryFast` (Shotstack's player: 0.25 s); effects do not. */
const transitionSpeeds = (names: readonly string[]) => names.flatMap((n) => [...speeds([n]), `${n}VeryFast`]);
export const TRANSITIONS = [
  ...transitionSpeeds([
    'fade',
    'reveal',
    'wipeLeft',
    'wipeRight',
    'slideLeft',
    'slideRight',
    'slideUp',
    'slideDown',
  ]),
  ...transitionSpeeds(['carouselLeft', 'carouselRight', 'carouselUp', 'carouselDown', 'zoom']),
  ...transitionSpeeds([
    'shuffleTopRight',
    'shuffleRightTop',
    'shuffleRightBottom',
    'shuffleBottomRight',
    'shuffleBottomLeft',
    'shuffleLeftBottom',
    'shuffleLeftTop',
    'shuffleTopLeft',
  ]),
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
  rotate: z.strictObject({ angle: tweenable(-360, 360) }).optional(),
  /** Shear factors: x moves the top edge right of the bottom by x × height; y lifts the right edge by y × width. */
  skew: z.strictObject({ x: tweenable(-10, 10).optional(), y: tweenable(-10, 10).optional() }).optional(),
  flip: z.strictObject({ horizontal: z.boolean().optional(), vertical: z.boolean().optional() }).optional(),
});

const Seconds = z.number().min(0, 'must be 0 or more');
const boxSide = (what: string) =>
  z
    .number()
    .int(`${what} must be a whole number of pixels`)
    .min(1, `${what} must be at least 1 pixel`)
    .max(8192, `${what} must be at most 8192 pixels`);

/** A clip's name, that other clips' `start`, `length` (and a caption's `src`) refer to as `alias://name`. */
export const AliasName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'alias must be 1–64 letters, digits, "-" or "_"');
const ALIAS_REF = /^alias:\/\/[A-Za-z0-9_-]{1,64}$/;
/** `alias://name`; a string that is not one gets the field's own message. */
const aliasRef = (message: string) => z.string().refine((v) => ALIAS_REF.test(v), { message });
export const aliasTarget = (v: unknown): string | undefined =>
  typeof v === 'string' && v.startsWith('alias://') ? v.slice('alias://'.length) : undefined;

const START_MESSAGE = 'start must be a number of seconds (0 or more), "auto" or "alias://name"';
const LENGTH_MESSAGE = 'length must be a number of seconds, "auto", "end" or "alias://name"';

export const Clip = z.strictObject({
  asset: Asset,
  alias: AliasName.optional(),
  start: z.union([Seconds, z.literal('auto'), aliasRef(START_MESSAGE)], { error: START_MESSAGE }),
  length: z.union(
    [
      z.number().positive('length must be more than 0'),
      z.literal('auto'),
      z.literal('end'),
      aliasRef(LENGTH_MESSAGE),
    ],
    { error: LENGTH_MESSAGE },
  ),
  fit: Fit.optional(),
  scale: tweenable(0, 10, z.number().positive('scale must be more than 0').max(10)).optional(),
  position: Position.optional(),
  offset: Offset.optional(),
  transition: Transition.optional(),
  effect: Effect.optional(),
  filter: Filter.optional(),
  opacity: tweenable(0, 1, unit('opacity')).optional(),
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

/**
 * Where finished files are also sent. `s3` copies them into a bucket in the user's own account (the
 * deployment must allow that bucket); `shotstack` is cutline's own outputs bucket, where files always are,
 * so it is accepted and changes nothing. Other providers are refused at their path (intake/unsupported.ts).
 */
export const S3Destination = z.strictObject({
  provider: z.literal('s3'),
  options: z.strictObject({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'region must be an AWS region such as us-east-1'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'bucket must be an S3 bucket name'),
    prefix: z
      .string()
      .max(512)
      .regex(
        /^(?!\/)(?!.*\.\.)[A-Za-z0-9!_.*'()/-]*$/,
        'prefix may use letters, digits and !_.*\'()-/ (no leading "/", no "..")',
      )
      .optional(),
    filename: z
      .string()
      .max(255)
      .regex(
        /^[A-Za-z0-9!_.*'()-]+$/,
        'filename may use letters, digits and !_.*\'()- (no extension, no "/")',
      )
      .optional(),
    acl: z
      .enum([
        'private',
        'public-read',
        'bucket-owner-read',
        'bucket-owner-full-control',
        'authenticated-read',
      ])
      .optional(),
  }),
});
export const ShotstackDestination = z.strictObject({
  provider: z.literal('shotstack'),
  exclude: z.boolean().optional(),
});
export const Destinations = z
  .array(z.discriminatedUnion('provider', [S3Destination, ShotstackDestination]))
  .max(5, 'at most 5 destinations');

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
  /** Shotstack: lay the edit out at `resolution`/`size`, then scale the frames to this resolution's size. */
  scaleTo: Resolution.optional(),
  destinations: Destinations.optional(),
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
 * `progress`: throttled Job Progress events (at most one every 2 s while frames render).
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
export type LumaAsset = z.infer<typeof LumaAsset>;
export type CaptionStyle = z.infer<typeof CaptionStyle>;
export type RichTextAsset = z.infer<typeof RichTextAsset>;
export type RichCaptionAsset = z.infer<typeof RichCaptionAsset>;
export type S3Destination = z.infer<typeof S3Destination>;
export type Focus = z.infer<typeof Focus>;
export type FocusKeyframe = z.infer<typeof FocusKeyframe>;
export type Output = z.infer<typeof Output>;
export type Soundtrack = z.infer<typeof Soundtrack>;
export type Font = z.infer<typeof Font>;
export type Position = z.infer<typeof Position>;
export type Fit = z.infer<typeof Fit>;
export type MergeField = z.infer<typeof MergeField>;
