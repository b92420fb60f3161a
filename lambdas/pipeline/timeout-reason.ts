import { DEFAULT_TIMEOUT_POLICY, FIXED_TASK_SECONDS, type TimeoutPolicy } from '../core/plan/timeouts.js';
import { SFN_QUOTAS } from '../core/plan/sfn-quotas.js';
import type { FailedTask } from './state.js';

const STEP_OF_STAGE: Record<string, keyof typeof FIXED_TASK_SECONDS> = {
  validating: 'validate',
  preparing: 'prepareItem',
  probing: 'probe',
  planning: 'plan',
  finalizing: 'finalize',
};

const PLAN_LIMITS = 'the plan limits (CUTLINE_PLAN_LIMITS, or planLimits of cutline start)';

function advice(limit: number, policy: TimeoutPolicy): string {
  if (limit >= SFN_QUOTAS.lambdaSeconds)
    return (
      `${limit} s is Lambda's maximum: lower lambdaSeconds in ${PLAN_LIMITS} so work this long is split ` +
      'into shorter chunks or sent to Fargate.'
    );
  return (
    `It ran slower than the cost model expects (a busy or smaller machine, heavy effects): raise ` +
    `timeoutFactor (now ${policy.timeoutFactor}) or timeoutOverheadSeconds (now ${policy.timeoutOverheadSeconds}) ` +
    `in ${PLAN_LIMITS}, set costScale there to the machine's measured speed (cutline calibrate measures ` +
    `this one), or give the render more CPU.`
  );
}

/**
 * Pure: the reason a person can act on for a States.Timeout — which task of which rendition, how long it
 * was allowed (it ran that long and was stopped), what the plan expected, and what to change.
 */
export function describeTimeout(
  failed: FailedTask,
  stage: string | undefined,
  policy: Partial<TimeoutPolicy> = {},
): string {
  const p = { ...DEFAULT_TIMEOUT_POLICY, ...policy };
  const r = typeof failed.rendition === 'object' ? failed.rendition : undefined;
  const name = r ? `"${r.name}"` : failed.rendition !== undefined ? `rendition ${failed.rendition}` : '';
  const ran = (what: string, limit: number, estimate?: number) =>
    `${what} ran for its whole time limit of ${limit} s and was stopped` +
    (estimate !== undefined ? ` (the plan estimated ${Math.round(estimate * 10) / 10} s)` : '') +
    `. ${advice(limit, p)}`;
  if (failed.task === 'chunk' && failed.chunk) {
    const c = failed.chunk;
    return ran(
      `rendering chunk ${c.index} of ${name} (frames ${c.startFrame}–${c.endFrame - 1})`,
      c.timeoutSeconds,
      c.estimatedSeconds,
    );
  }
  if (failed.task === 'audio' && failed.part && !failed.part.whole) {
    const a = failed.part;
    return ran(
      `mixing audio part ${a.index} of ${name} (samples ${a.startSample}–${a.endSample - 1})`,
      a.timeoutSeconds,
      a.estimatedSeconds,
    );
  }
  if (failed.task === 'audio' && failed.part)
    return ran(`mixing the audio of ${name}`, failed.part.timeoutSeconds, failed.part.estimatedSeconds);
  if (r && failed.task === 'audio') return ran(`mixing the audio of ${name}`, r.timeouts.audio);
  if (r && failed.task === 'fargate')
    return ran(`rendering ${name} on Fargate`, r.timeouts.fargate, r.estimatedSeconds);
  if (r && r.chunked) return ran(`stitching ${name}`, r.timeouts.stitch);
  if (r) return ran(`rendering ${name} in one pass`, r.timeouts.single, r.estimatedSeconds);
  const step = stage ? STEP_OF_STAGE[stage] : undefined;
  if (step)
    return (
      `the ${stage} step ran for its whole time limit of ${FIXED_TASK_SECONDS[step]} s and was stopped` +
      (FIXED_TASK_SECONDS[step] >= SFN_QUOTAS.lambdaSeconds
        ? ": that is Lambda's maximum; sources this slow to read or this many are more than one job can take: split the job or use smaller sources."
        : '; this step does no rendering, so the platform is overloaded or a store did not answer: try again.')
    );
  return `a pipeline task${stage ? ` (while ${stage})` : ''} ran past its time limit and was stopped`;
}
