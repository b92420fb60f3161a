import { ENV } from '../core/config.js';
import { getPlatform } from '../core/platform.js';
import { planRender, type PlanLimits } from '../core/plan/planner.js';
import { enterStage, loadProbes, prepareJob, withScratch, type PipelineState } from './common.js';

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** Plan: frame-exact chunks for the Map state, or the whole job on Fargate when a chunk would not fit Lambda. */
export async function handler(state: PipelineState): Promise<PipelineState> {
  const job = await enterStage(state, 'planning', 5);
  const limits = JSON.parse(process.env[ENV.PLAN_LIMITS] ?? '{}') as Partial<PlanLimits>;
  const plan = await withScratch(job.id, 'plan', async (dir) =>
    planRender(await prepareJob(job, dir, await loadProbes(job.id)), limits),
  );
  await getPlatform().jobs.update(job.id, { estimatedSeconds: Math.round(plan.estimatedSeconds * 10) / 10 });
  const target = plan.chunks.some((c) => c.target === 'fargate') ? 'fargate' : 'lambda';
  return {
    ...state,
    plan: {
      target,
      chunked: plan.chunked,
      maxConcurrency: limits.maxConcurrency ?? 10,
      chunks: plan.chunks.map(({ index, startFrame, endFrame }) => ({ index, startFrame, endFrame })),
      ...(target === 'fargate'
        ? {
            fargate: {
              subnets: list(process.env[ENV.FARGATE_SUBNETS]),
              securityGroups: list(process.env[ENV.FARGATE_SECURITY_GROUPS]),
            },
          }
        : {}),
    },
  };
}
