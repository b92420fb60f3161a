import { STAGE_PROGRESS } from '../core/jobs/progress.js';
import { ENV } from '../core/config.js';
import { findPreset } from '../core/packaging/options.js';
import { hlsPackager } from '../core/packaging/packager.js';
import { getPlatform } from '../core/platform.js';
import { packagingSeconds } from '../core/plan/cost.js';
import { planLimits } from '../core/submit/estimate.js';
import { planRender } from '../core/plan/planner.js';
import { SFN_QUOTAS } from '../core/plan/sfn-quotas.js';
import { renditionTimeouts, taskTimeoutSeconds } from '../core/plan/timeouts.js';
import { prepareJob } from './prepare.js';
import { withScratch } from './scratch.js';
import { enterStage } from './stage.js';
import type { PipelineState, RenditionPlan } from './state.js';
import { loadProbes, loadRenditions, planKey } from './work-files.js';

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/**
 * Plan: each rendition gets frame-exact chunks, or goes to Fargate when a chunk would not fit Lambda,
 * and every render task gets its time limit from the estimates. The concurrency budget is shared:
 * renditions × chunks in flight stays within maxConcurrency (both Maps are Distributed, so the budget
 * may exceed the inline Map's 40). The plans go to S3 as the RenderRenditions Map's item manifest; the
 * state carries only its key, so it stays the same size for 1 rendition or 200.
 */
export async function handler(state: PipelineState): Promise<PipelineState> {
  const job = await enterStage(state, 'planning', STAGE_PROGRESS.planning);
  const limits = planLimits();
  const budget = Math.min(limits.maxConcurrency ?? 10, SFN_QUOTAS.distributedMapConcurrency);
  const renditions = await loadRenditions(job.id);
  const renditionConcurrency = Math.max(1, Math.min(renditions.length, budget));
  const perRendition = Math.max(1, Math.floor(budget / renditionConcurrency));
  const probes = await loadProbes(job.id);
  const plans: RenditionPlan[] = [];
  const work = { frames: 0, audioFrames: 0, done: {} };
  for (const [index, r] of renditions.entries()) {
    const { plan, hasAudio } = await withScratch(job.id, `plan-${index}`, async (dir) => {
      const input = await prepareJob(job, dir, probes, index);
      return {
        plan: planRender(input, { ...limits, maxConcurrency: perRendition }),
        hasAudio: input.spec.hasAudio,
      };
    });
    const target = plan.chunks.some((c) => c.target === 'fargate') ? 'fargate' : 'lambda';
    // Progress counts these frames (jobs/progress.ts); a chunked Lambda rendition mixes its audio apart.
    const frames = plan.window.endFrame - plan.window.startFrame;
    work.frames += frames;
    if (plan.chunked && target === 'lambda' && hasAudio) work.audioFrames += frames;
    const renderSeconds = plan.chunks.reduce((n, c) => n + c.estimatedSeconds, 0);
    plans.push({
      index,
      name: r.name,
      target,
      chunked: plan.chunked,
      maxConcurrency: perRendition,
      estimatedSeconds: plan.estimatedSeconds,
      timeouts: renditionTimeouts(
        {
          totalSeconds: renderSeconds + (plan.audio?.estimatedSeconds ?? 0),
          audioSeconds: plan.audio?.estimatedSeconds ?? 0,
          stitchSeconds: plan.stitchSeconds,
          packagingSeconds: packagingSeconds(r.edit.output.presets, renderSeconds),
        },
        limits,
      ),
      chunks: plan.chunks.map(({ index: i, startFrame, endFrame, estimatedSeconds }) => ({
        index: i,
        startFrame,
        endFrame,
        estimatedSeconds: Math.round(estimatedSeconds * 10) / 10,
        timeoutSeconds: taskTimeoutSeconds(estimatedSeconds, limits),
      })),
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
  const estimates = plans.map((r) => r.estimatedSeconds);
  const total = estimates.reduce((a, b) => a + b, 0);
  const estimatedSeconds = Math.max(Math.max(...estimates), total / renditionConcurrency);
  const p = getPlatform();
  const key = planKey(job.id);
  await p.objects.putJson(p.outputsBucket, key, plans);
  await p.jobs.update(job.id, {
    estimatedSeconds: Math.round(estimatedSeconds * 10) / 10,
    plan: plans.map((r) => ({ rendition: r.name, target: r.target, chunks: r.chunks.length })),
    work,
    frames: { done: 0, total: work.frames },
  });
  // Renditions whose HLS MediaConvert packages: the PackageRenditions Map runs one job for each.
  const packaging = renditions.flatMap((r, index) => {
    const hls = findPreset(r.edit.output.presets, 'hls');
    return hls && hlsPackager(hls) === 'mediaconvert' ? [{ rendition: index }] : [];
  });
  return {
    jobId: state.jobId,
    tenantId: state.tenantId,
    plan: { bucket: p.outputsBucket, key },
    renditionConcurrency,
    ...(packaging.length ? { packaging } : {}),
  };
}
