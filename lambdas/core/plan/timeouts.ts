import { SFN_QUOTAS } from './sfn-quotas.js';

/**
 * Every Task in statemachines/ has an explicit timeout; none is left to a runtime default (AWS has none,
 * aws-local-stepfunctions would use 60 s). The fixed ones are here, beside the Lambda function timeouts
 * lib/pipeline.ts gives the same steps (a unit test holds the ASL to this table); the render tasks' limits
 * are sized per job from the plan (renditionTimeouts) and reach the ASL through TimeoutSecondsPath.
 */
export const FIXED_TASK_SECONDS = Object.freeze({
  validate: 120,
  prepareItem: SFN_QUOTAS.lambdaSeconds,
  probe: SFN_QUOTAS.lambdaSeconds,
  plan: SFN_QUOTAS.lambdaSeconds,
  packageMediaConvert: 120,
  finalize: 300,
  markFailed: 120,
  publishEvents: 30,
});

/** The state machine's own limit (lib/pipeline.ts): a Fargate rendition can never be given more. */
export const EXECUTION_SECONDS = 6 * 3600;

export interface TimeoutPolicy {
  /** Limit = estimate × timeoutFactor + timeoutOverheadSeconds, rounded up … */
  timeoutFactor: number;
  /** … the overhead covers what the estimate leaves out: cold start, source downloads, uploads. */
  timeoutOverheadSeconds: number;
}

export const DEFAULT_TIMEOUT_POLICY: Readonly<TimeoutPolicy> = Object.freeze({
  timeoutFactor: 3,
  timeoutOverheadSeconds: 60,
});

/** Pure: the limit of one task from its estimate, never above `cap` (Lambda's 900 s, or the execution's). */
export function taskTimeoutSeconds(
  estimatedSeconds: number,
  policy: Partial<TimeoutPolicy> = {},
  cap: number = SFN_QUOTAS.lambdaSeconds,
): number {
  const p = { ...DEFAULT_TIMEOUT_POLICY, ...policy };
  const limit = Math.ceil(estimatedSeconds * p.timeoutFactor + p.timeoutOverheadSeconds);
  return Math.max(1, Math.min(cap, limit));
}

export interface RenditionTimeouts {
  /** The whole rendition in one pass (RenderSingle). */
  single: number;
  /** The audio mixed once over the window (RenderAudio). */
  audio: number;
  /** Stitch by stream copy, then packaging, poster and thumbnail. */
  stitch: number;
  /** The whole rendition in one Fargate task (RenderOnFargate). */
  fargate: number;
}

/**
 * Pure: a rendition's task limits from the plan's estimates. `packagingSeconds` is the post-processing
 * after the main file (HLS ladder, web variant, loudness passes), which runs in the single pass and in
 * the stitch alike.
 */
export function renditionTimeouts(
  est: { totalSeconds: number; audioSeconds: number; stitchSeconds: number; packagingSeconds: number },
  policy: Partial<TimeoutPolicy> = {},
): RenditionTimeouts {
  return {
    single: taskTimeoutSeconds(est.totalSeconds + est.packagingSeconds, policy),
    audio: taskTimeoutSeconds(est.audioSeconds, policy),
    stitch: taskTimeoutSeconds(est.stitchSeconds + est.packagingSeconds, policy),
    fargate: taskTimeoutSeconds(est.totalSeconds + est.packagingSeconds, policy, EXECUTION_SECONDS),
  };
}
