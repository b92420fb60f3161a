import type { Clip, Edit } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import { outputSpec } from '../render/output-spec.js';
import { resolveTimeline } from '../render/timeline.js';
import { planRender, type PlanLimits } from './planner.js';

/**
 * The estimate a client gets at submit, before the pipeline has probed anything. Pure: the edit plus the
 * durations of the few sources whose length the edit leaves open (`length: "auto"`), read cheaply from
 * their headers by the I/O edge (submit/estimate.ts). It runs the planner's own cost model, so the
 * submit estimate and the Plan step's agree whenever the durations do.
 */

export interface EstimatePlan {
  target: 'lambda' | 'fargate';
  chunks: number;
  chunked: boolean;
}

export interface RenditionEstimate {
  name: string;
  /** Timeline seconds of the output. */
  durationSeconds: number;
  estimatedSeconds: number;
  plan: EstimatePlan;
}

export interface Unknown {
  path: string;
  reason: string;
}

export interface JobEstimate {
  /**
   * Wall seconds from the first render to the stored output (renditions one after the other), or null
   * when nothing could be estimated. With `complete: false` it covers only what is known.
   */
  estimatedSeconds: number | null;
  complete: boolean;
  /** The planner's choice: one rendition's plan, or all renditions' together (chunks summed). */
  plan: EstimatePlan | null;
  renditions: RenditionEstimate[];
  /** What could not be estimated, with the JSON path and why. */
  unknown: Unknown[];
}

/** A src whose duration the estimate needs, with the JSON path of its first use. */
export interface DurationNeed {
  src: string;
  at: string;
  kind: 'media' | 'captions';
}

/** Sources whose length sets a clip's length (`length: "auto"`): the only ones worth probing at submit. */
export function durationsNeeded(edit: Edit): DurationNeed[] {
  const out = new Map<string, DurationNeed>();
  edit.timeline.tracks.forEach((track, t) =>
    track.clips.forEach((clip, c) => {
      const a = clip.asset;
      if (clip.length !== 'auto') return;
      if ((a.type === 'video' || a.type === 'audio' || a.type === 'caption') && !out.has(a.src))
        out.set(a.src, {
          src: a.src,
          at: `timeline.tracks[${t}].clips[${c}].asset.src`,
          kind: a.type === 'caption' ? 'captions' : 'media',
        });
    }),
  );
  return [...out.values()];
}

/** A duration the edge could read (seconds), or why not. */
export type KnownDuration = { seconds: number } | { unknown: string };

const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Estimates one edit. A source whose duration is unknown makes the timeline unknown: the rendition is
 * reported in `unknown` (never guessed), and the caller's total covers the others.
 */
export function estimateEdit(
  name: string,
  edit: Edit,
  durations: ReadonlyMap<string, KnownDuration>,
  limits: Partial<PlanLimits> = {},
): RenditionEstimate | Unknown[] {
  const unknown: Unknown[] = [];
  const intrinsic = (clip: Clip, at: string): number | null => {
    const a = clip.asset;
    if (a.type !== 'video' && a.type !== 'audio' && a.type !== 'caption') return null;
    const d = durations.get(a.src);
    if (!d || 'unknown' in d) {
      unknown.push({ path: `${at}.asset.src`, reason: d && 'unknown' in d ? d.unknown : 'not probed' });
      return 1; // a placeholder so the rest of the timeline resolves; this rendition is not reported
    }
    return d.seconds - ('trim' in a ? (a.trim ?? 0) : 0);
  };
  let timeline;
  try {
    timeline = resolveTimeline(edit, intrinsic);
  } catch (err) {
    if (!(err instanceof CutlineError)) throw err;
    return err.details.length
      ? err.details.map((d) => ({ path: d.path, reason: d.message }))
      : [{ path: 'timeline', reason: err.message }];
  }
  if (unknown.length) return unknown;
  const spec = outputSpec(edit.output);
  const plan = planRender({ edit, timeline, spec }, limits);
  return {
    name,
    durationSeconds: round((plan.window.endFrame - plan.window.startFrame) / (spec.fps.num / spec.fps.den)),
    estimatedSeconds: round(plan.estimatedSeconds),
    plan: {
      target: plan.chunks.some((c) => c.target === 'fargate') ? 'fargate' : 'lambda',
      chunks: plan.chunks.length,
      chunked: plan.chunked,
    },
  };
}

/** Puts rendition estimates together; `unknown` lists what is missing (and makes it incomplete). */
export function combineEstimates(renditions: RenditionEstimate[], unknown: Unknown[]): JobEstimate {
  const plan: EstimatePlan | null = !renditions.length
    ? null
    : renditions.length === 1
      ? renditions[0]!.plan
      : {
          target: renditions.some((r) => r.plan.target === 'fargate') ? 'fargate' : 'lambda',
          chunks: renditions.reduce((n, r) => n + r.plan.chunks, 0),
          chunked: renditions.some((r) => r.plan.chunked),
        };
  return {
    estimatedSeconds: renditions.length
      ? round(renditions.reduce((s, r) => s + r.estimatedSeconds, 0))
      : null,
    complete: unknown.length === 0 && renditions.length > 0,
    plan,
    renditions,
    unknown,
  };
}

/** The estimate of a job that cannot be estimated cheaply at submit: says so, invents nothing. */
export const notEstimable = (path: string, reason: string): JobEstimate =>
  combineEstimates([], [{ path, reason }]);
