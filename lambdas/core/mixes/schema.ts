import { z } from 'zod';
import { AudioEffect, Output, Src, CallbackEvents } from '../edit/schema.js';

/** A clip of a group: a source, or a source with `trim` (seconds skipped) and `length` (seconds used). */
export const MixClip = z.union(
  [
    Src,
    z.strictObject({
      src: Src,
      trim: z.number().min(0, 'trim must be 0 or more').optional(),
      length: z.number().positive('length must be more than 0').optional(),
    }),
  ],
  { error: 'a clip is a src string or { src, trim?, length? }' },
);

export const MixGroup = z.strictObject({
  name: z.string().trim().min(1, 'name must not be empty').max(100, 'name is longer than 100 characters'),
  clips: z.array(MixClip).min(1, 'a group needs at least one clip').max(100, 'at most 100 clips per group'),
});

/** Output settings every variation shares; clips of other sizes and rates are fitted (crop) and resampled. */
export const MixOutput = Output.pick({
  resolution: true,
  aspectRatio: true,
  size: true,
  fps: true,
  quality: true,
  mute: true,
}).extend({ format: z.enum(['mp4', 'webm', 'mov']).optional() });

/** Hard ceiling on maxVariations, whatever a request asks. */
export const MAX_VARIATIONS = 1000;

export const MixRequest = z
  .strictObject({
    title: z.string().trim().min(1).max(200, 'title is longer than 200 characters').optional(),
    groups: z
      .array(MixGroup)
      .min(1, 'groups needs at least one group')
      .max(20, 'at most 20 groups')
      .superRefine((groups, ctx) => {
        const seen = new Map<string, number>();
        groups.forEach((g, i) => {
          if (seen.has(g.name))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `repeats groups[${seen.get(g.name)}].name`,
            });
          else seen.set(g.name, i);
        });
      }),
    /** `auto`: `count` variations, one clip per group in order, unique, drawn with `seed`; `manual`: `sequences`. */
    mode: z.enum(['auto', 'manual']),
    count: z.number().int('count must be a whole number').min(1, 'count must be at least 1').optional(),
    seed: z.number().int('seed must be a whole number').optional(),
    maxVariations: z
      .number()
      .int()
      .min(1)
      .max(MAX_VARIATIONS, `maxVariations must be at most ${MAX_VARIATIONS}`)
      .optional(),
    /** Manual mode: each sequence lists, per group in order, the index of the clip to use. */
    sequences: z
      .array(z.array(z.number().int().min(0, 'a clip index is 0 or more')))
      .min(1)
      .optional(),
    /** Seconds each clip overlaps the next, dissolving into it; a variation lasts Σ lengths − (n − 1)·crossfade. */
    crossfade: z.number().min(0).max(5, 'crossfade must be at most 5 s').optional(),
    soundtrack: z
      .strictObject({
        src: Src,
        volume: z.number().min(0).max(10).optional(),
        effect: AudioEffect.optional(),
      })
      .optional(),
    output: MixOutput.optional(),
    callback: z.url({ protocol: /^https?$/, error: 'callback must be an http(s) URL' }).optional(),
    callbackEvents: CallbackEvents,
  })
  .superRefine((r, ctx) => {
    const max = r.maxVariations ?? 100;
    if (r.mode === 'auto') {
      if (r.sequences)
        ctx.addIssue({ code: 'custom', path: ['sequences'], message: 'sequences are for mode "manual"' });
      if (r.count === undefined) {
        ctx.addIssue({ code: 'custom', path: ['count'], message: 'count is required when mode is "auto"' });
        return;
      }
      if (r.count > max)
        ctx.addIssue({
          code: 'custom',
          path: ['count'],
          message: `asks for ${r.count} variations; maxVariations is ${max}`,
        });
      const combos = r.groups.reduce((p, g) => p * g.clips.length, 1);
      if (r.count > combos)
        ctx.addIssue({
          code: 'custom',
          path: ['count'],
          message: `asks for ${r.count} variations but the groups allow only ${combos} unique combinations`,
        });
      return;
    }
    if (r.count !== undefined)
      ctx.addIssue({ code: 'custom', path: ['count'], message: 'count is for mode "auto"' });
    if (r.seed !== undefined)
      ctx.addIssue({ code: 'custom', path: ['seed'], message: 'seed is for mode "auto"' });
    if (!r.sequences) {
      ctx.addIssue({
        code: 'custom',
        path: ['sequences'],
        message: 'sequences is required when mode is "manual"',
      });
      return;
    }
    if (r.sequences.length > max)
      ctx.addIssue({
        code: 'custom',
        path: ['sequences'],
        message: `has ${r.sequences.length} sequences; maxVariations is ${max}`,
      });
    const seen = new Map<string, number>();
    r.sequences.forEach((seq, i) => {
      if (seq.length !== r.groups.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['sequences', i],
          message: `has ${seq.length} entries; give one clip index per group (${r.groups.length})`,
        });
        return;
      }
      seq.forEach((c, g) => {
        const n = r.groups[g]!.clips.length;
        if (c >= n)
          ctx.addIssue({
            code: 'custom',
            path: ['sequences', i, g],
            message: `group "${r.groups[g]!.name}" has ${n} clips (indices 0–${n - 1})`,
          });
      });
      const key = seq.join(',');
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['sequences', i],
          message: `repeats sequences[${seen.get(key)}]`,
        });
      else seen.set(key, i);
    });
  });

export type MixRequest = z.infer<typeof MixRequest>;
export type MixClip = z.infer<typeof MixClip>;
