import { ENV } from '../core/config.js';
import { findPreset } from '../core/packaging/options.js';
import { hlsPackager } from '../core/packaging/packager.js';
import { getPlatform } from '../core/platform.js';
import { planLimits } from '../core/plan/estimate-job.js';
import { planRender } from '../core/plan/planner.js';
import {
  enterStage,
  loadProbes,
  loadRenditions,
  prepareJob,
  withScratch,
  type PipelineState,
  type RenditionPlan,
} from './common.js';

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/**
 * Plan: each rendition gets frame-exact chunks for the Map state, or goes to Fargate when a chunk would
 * not fit Lambda. The concurrency budget is shared: renditions × chunks in flight stays within
 * maxConcurrency, so a 40-output clip job does not launch 40 × 10 Lambdas at once.
 */
export async function handler(state: PipelineState): Promise<PipelineState> {
  const job = await enterStage(state, 'planning', 5);
  const limits = planLimits();
  const budget = limits.maxConcurrency ?? 10;
  const renditions = await loadRenditions(job.id);
  const renditionConcurrency = Math.max(1, Math.min(renditions.length, budget));
  const perRendition = Math.max(1, Math.floor(budget / renditionConcurrency));
  const probes = await loadProbes(job.id);
  const plans: RenditionPlan[] = [];
  const estimates: number[] = [];
  for (const [index, r] of renditions.entries()) {
    const plan = await withScratch(job.id, `plan-${index}`, async (dir) =>
      planRender(await prepareJob(job, dir, probes, index), { ...limits, maxConcurrency: perRendition }),
    );
    estimates.push(plan.estimatedSeconds);
    const target = plan.chunks.some((c) => c.target === 'fargate') ? 'fargate' : 'lambda';
    plans.push({
      index,
      name: r.name,
      target,
      chunked: plan.chunked,
      maxConcurrency: perRendition,
      chunks: plan.chunks.map(({ index: i, startFrame, endFrame }) => ({ index: i, startFrame, endFrame })),
      ...(target === 'fargate'
        ? {
            fargate: {
              subnets: list(process.env[ENV.FARGATE_SUBNETS]),
              securityGroups: list(process.env[ENV.FARGATE_SECURITY_GROUPS]),
            },
          }
        : {}),
    });
  }
  // Renditions run renditionConcurrency at a time: the job takes about the total over that, and never
  // less than its longest rendition.
  const total = estimates.reduce((a, b) => a + b, 0);
  const estimatedSeconds = Math.max(Math.max(...estimates), total / renditionConcurrency);
  await getPlatform().jobs.update(job.id, {
    estimatedSeconds: Math.round(estimatedSeconds * 10) / 10,
    plan: plans.map((r) => ({ rendition: r.name, target: r.target, chunks: r.chunks.length })),
  });
  // Renditions whose HLS MediaConvert packages: the PackageRenditions Map runs one job for each.
  const packaging = renditions.flatMap((r, index) => {
    const hls = findPreset(r.edit.output.presets, 'hls');
    return hls && hlsPackager(hls) === 'mediaconvert' ? [{ rendition: index }] : [];
  });
  return {
    jobId: state.jobId,
    tenantId: state.tenantId,
    renditions: plans,
    renditionConcurrency,
    ...(packaging.length ? { packaging } : {}),
  };
}
