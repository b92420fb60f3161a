import { z } from 'zod';
import type { AggregateProgress } from './progress.js';

/**
 * `renderProgress` of GET /v1/renders/{id}: the frames the job's render tasks have drawn, summed over
 * its tasks' own counters when read (jobs/progress.ts). It sits beside `progress` (0–100 over every
 * stage, the number events and lists carry) rather than replacing it.
 */
export const RenderProgress = z
  .object({
    framesDone: z.number().int().min(0).describe('video frames drawn so far, over every rendition'),
    framesTotal: z.number().int().min(0).describe('video frames the plan gave the render tasks'),
    fraction: z.number().min(0).max(1).describe('framesDone / framesTotal'),
    etaSeconds: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'seconds left at the rate the frames have rendered so far; absent until there is a rate, once the frames are done, and on an ended job',
      ),
  })
  .describe('live render progress, from the Plan step on');
export type RenderProgress = z.infer<typeof RenderProgress>;

/** The view of a job's progress (pure): absent until the plan has sized the work. */
export function renderProgressOf(
  job: { frames?: { done: number; total: number } },
  live: AggregateProgress | null,
): RenderProgress | undefined {
  const frames = live?.frames.total ? live.frames : job.frames;
  if (!frames) return undefined;
  const total = Math.max(0, frames.total);
  const done = Math.min(Math.max(0, frames.done), total);
  return {
    framesDone: done,
    framesTotal: total,
    // Four places, rounded down (1 only when every frame is done): integer arithmetic, then one division.
    fraction: total > 0 ? Math.floor((done * 10_000) / total) / 10_000 : 0,
    ...(live?.secondsRemaining !== undefined && done < total ? { etaSeconds: live.secondsRemaining } : {}),
  };
}
