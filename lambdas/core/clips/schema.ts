import { z } from 'zod';
import { CaptionStyle, Color, FocusPoint, Output, Src, CallbackEvents } from '../edit/schema.js';

/** One explicit clip, in seconds of the source. */
export const ClipRange = z
  .strictObject({
    start: z.number().min(0, 'start must be 0 or more'),
    end: z.number().positive('end must be more than 0'),
    title: z
      .string()
      .trim()
      .min(1, 'title must not be empty')
      .max(200, 'title is longer than 200 characters')
      .optional(),
  })
  .refine((c) => c.end > c.start, { path: ['end'], message: 'end must be after start' });

export const CLIP_ASPECT_RATIOS = ['9:16', '1:1', '4:5', '16:9'] as const;
export const ClipAspectRatio = z.enum(CLIP_ASPECT_RATIOS);

/**
 * How each clip is framed for each aspect ratio: `center` (the crop window in the middle), `focus` (a
 * fixed point of the source, fractions x right / y down), `auto` (follows what moves or stands out: the
 * built-in `motion` detector) or `face` (follows the largest detected face: the deployment's face
 * detector, face-api locally and Amazon Rekognition in AWS). `{ mode: "auto", detector: "rekognition" }`
 * is the older spelling of `face` and still means it.
 */
export const Reframe = z
  .strictObject({
    mode: z.enum(['center', 'focus', 'auto', 'face']),
    focus: FocusPoint.optional(),
    detector: z.enum(['motion', 'rekognition']).optional(),
  })
  .refine((r) => r.mode !== 'focus' || r.focus, {
    path: ['focus'],
    message: 'focus is required when mode is "focus"',
  })
  .refine((r) => r.mode === 'focus' || !r.focus, {
    path: ['focus'],
    message: 'focus is only used when mode is "focus"',
  })
  .refine((r) => r.mode === 'auto' || !r.detector, {
    path: ['detector'],
    message: 'detector is only used when mode is "auto"',
  });

/** Whether a request's reframing follows faces (mode "face", or its older spelling). */
export const followsFaces = (r: z.infer<typeof Reframe> | undefined): boolean =>
  r?.mode === 'face' || (r?.mode === 'auto' && r.detector === 'rekognition');

/** Captions burned in: from a caption file (SRT, VTT or word-level transcript JSON), or transcribed. */
export const ClipCaptions = z
  .strictObject({
    src: Src.optional(),
    transcribe: z.boolean().optional(),
    style: CaptionStyle.optional(),
    highlight: Color.optional(),
  })
  .refine((c) => c.src || c.transcribe, {
    message: 'captions need src (an SRT, VTT or word-level transcript JSON file) or transcribe: true',
  })
  .refine((c) => !(c.src && c.transcribe), {
    path: ['transcribe'],
    message: 'give src or transcribe, not both',
  });

/** `resolution` names the 16:9 frame; other aspect ratios keep its short side (9:16 at 1080 is 1080×1920). */
export const ClipOutput = Output.pick({ resolution: true, fps: true, quality: true, mute: true }).extend({
  format: z.enum(['mp4', 'webm', 'mov']).optional(),
});

export const ClipsRequest = z
  .strictObject({
    /** The source video. */
    src: Src,
    /** `manual` (the default when `clips` is given) or `auto` (picks `count` segments of about `length` s). */
    mode: z.enum(['manual', 'auto']).optional(),
    clips: z.array(ClipRange).min(1, 'clips needs at least one clip').max(50, 'at most 50 clips').optional(),
    count: z
      .number()
      .int('count must be a whole number')
      .min(1)
      .max(20, 'count must be at most 20')
      .optional(),
    length: z
      .number()
      .min(1, 'length must be at least 1 s')
      .max(180, 'length must be at most 180 s')
      .optional(),
    aspectRatios: z
      .array(ClipAspectRatio)
      .min(1, 'aspectRatios needs at least one entry')
      .refine((a) => new Set(a).size === a.length, 'aspectRatios must not repeat')
      .optional(),
    reframe: Reframe.optional(),
    /** `crop` (default) fills the frame; `contain` shows the whole picture with bars. */
    fit: z.enum(['crop', 'contain']).optional(),
    captions: ClipCaptions.optional(),
    /** A word-level transcript JSON of the source: auto mode never cuts inside a word of it. */
    transcript: Src.optional(),
    output: ClipOutput.optional(),
    callback: z.url({ protocol: /^https?$/, error: 'callback must be an http(s) URL' }).optional(),
    callbackEvents: CallbackEvents,
  })
  .superRefine((r, ctx) => {
    const mode = r.mode ?? (r.clips ? 'manual' : undefined);
    if (!mode) {
      ctx.addIssue({
        code: 'custom',
        path: ['clips'],
        message: 'give clips [{ start, end }] or mode: "auto"',
      });
      return;
    }
    if (mode === 'manual') {
      if (!r.clips)
        ctx.addIssue({ code: 'custom', path: ['clips'], message: 'clips is required in manual mode' });
      for (const k of ['count', 'length'] as const)
        if (r[k] !== undefined)
          ctx.addIssue({ code: 'custom', path: [k], message: `${k} is only used when mode is "auto"` });
    } else {
      if (r.clips)
        ctx.addIssue({
          code: 'custom',
          path: ['clips'],
          message: 'clips are chosen automatically in auto mode; leave clips out',
        });
      for (const k of ['count', 'length'] as const)
        if (r[k] === undefined)
          ctx.addIssue({ code: 'custom', path: [k], message: `${k} is required when mode is "auto"` });
    }
  });

export type ClipsRequest = z.infer<typeof ClipsRequest>;
export type ClipAspectRatio = z.infer<typeof ClipAspectRatio>;
