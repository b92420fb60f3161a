import { STAGE_PROGRESS } from '../core/jobs/progress.js';
import { assertOutputsStored, cleanWork } from '../core/objects/job-objects.js';
import { keys } from '../core/aws/storage.js';
import { CutlineError } from '../core/errors.js';
import { jobEventDetail, type JobOutput } from '../core/jobs/model.js';
import { getPlatform } from '../core/platform.js';
import { recordJobEnd } from '../core/aws/telemetry.js';
import { recordCompletion } from '../core/usage/index.js';
import { jobSeconds } from '../core/usage/record.js';
import { logger } from './logger.js';
import type { StoredFiles } from './outputs.js';
import { enterStage } from './stage.js';
import type { EventResult, PipelineState } from './state.js';
import { loadPlan, loadRenditions, renditionResultKey } from './work-files.js';
import { packagingResultKey } from './package-mediaconvert.js';

/**
 * The event detail rides in the state (256 KiB) into PutEvents (256 KiB per entry): a job with many
 * outputs names them through its manifest instead of listing them (the job record lists them all).
 */
export const EVENT_OUTPUTS_BYTES = 32 * 1024;

export function boundedEvent(detail: Record<string, unknown>): Record<string, unknown> {
  const outputs = (detail.outputs ?? []) as JobOutput[];
  if (Buffer.byteLength(JSON.stringify(detail)) <= EVENT_OUTPUTS_BYTES) return detail;
  return { ...detail, outputs: outputs.filter((o) => o.kind === 'manifest'), outputCount: outputs.length };
}

/**
 * Finalize: the job SUCCEEDED with the outputs of every rendition (each output names its rendition); a
 * job of several renditions also gets manifest.json listing them with their metadata. Returns the event
 * detail PublishSucceeded sends.
 */
export async function handler(state: PipelineState): Promise<EventResult> {
  const job = await enterStage(state, 'finalizing', STAGE_PROGRESS.finalizing);
  const p = getPlatform();
  const plans = await loadPlan(state);
  const renditions = await loadRenditions(job.id);
  const perRendition: StoredFiles[] = [];
  for (const plan of plans) {
    // Every rendition leaves its result file (Lambda or Fargate alike): the state carries no output list.
    const files = await p.objects
      .getJson<StoredFiles>(p.outputsBucket, renditionResultKey(job.id, plan.index))
      .catch(() => undefined);
    if (!files?.files.length)
      throw new CutlineError('RENDER_FAILED', `finalize: output "${plan.name}" was not rendered`);
    // The HLS tree MediaConvert packaged for this rendition, checked by the collect task.
    if (state.packaging?.some((x) => x.rendition === plan.index)) {
      const packaged = await p.objects.getJson<StoredFiles>(
        p.outputsBucket,
        packagingResultKey(job.id, plan.index),
      );
      files.files.push(...packaged.files);
    }
    perRendition.push(files);
  }
  if (!perRendition.length)
    throw new CutlineError('RENDER_FAILED', 'finalize: the render produced no output');
  const outputs: JobOutput[] = perRendition.flatMap((r) => r.files);
  if (job.type !== 'render' || renditions.length > 1) {
    const manifest = {
      jobId: job.id,
      type: job.type,
      outputs: renditions.map((r, i) => ({
        name: r.name,
        ...(r.meta ? { meta: r.meta } : {}),
        files: perRendition[i]!.files,
      })),
    };
    const key = keys.output(job.tenantId, job.id, 'manifest.json');
    await p.objects.putJson(p.outputsBucket, key, manifest);
    outputs.push({ kind: 'manifest', key, bytes: Buffer.byteLength(JSON.stringify(manifest)) });
  }
  // Never report an output that is not in the bucket with the size rendered.
  await assertOutputsStored(outputs);
  const endedAt = new Date().toISOString();
  const done = await p.jobs.update(job.id, {
    status: 'SUCCEEDED',
    stage: 'finalizing',
    progress: 100,
    // Every frame is in the stored outputs now, whatever counts the render tasks last managed to write.
    ...(job.frames ? { frames: { done: job.frames.total, total: job.frames.total } } : {}),
    outputs,
    timings: { ...job.timings, endedAt },
    // With SUCCEEDED in one write, so whoever sees the job end (the quick path) sees its measured seconds.
    actual: jobSeconds(job, endedAt),
  });
  if (!done) throw new CutlineError('RENDER_FAILED', `job ${job.id} ended before it could be finalized`);
  await recordCompletion(done, outputs);
  const started = Date.parse(done.timings.startedAt ?? done.createdAt);
  recordJobEnd('SUCCEEDED', (Date.parse(done.timings.endedAt!) - started) / 1000);
  await cleanWork(job.id).catch((err: Error) =>
    logger.warn('could not remove intermediates', { jobId: job.id, err: err.message }),
  );
  return { event: boundedEvent(jobEventDetail(done)) };
}
