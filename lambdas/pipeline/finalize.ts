import { assertOutputsStored, cleanWork } from '../core/aws/job-storage.js';
import { keys } from '../core/aws/storage.js';
import { CutlineError } from '../core/errors.js';
import { jobEventDetail, type JobOutput } from '../core/jobs/model.js';
import { getPlatform } from '../core/platform.js';
import { recordJobEnd } from '../core/aws/telemetry.js';
import { recordCompletion } from '../core/usage/index.js';
import { jobSeconds } from '../core/usage/record.js';
import { enterStage, logger, loadRenditions, type PipelineState, type StoredFiles } from './common.js';
import { fargateResultKey } from './fargate.js';
import { packagingResultKey } from './package-mediaconvert.js';

const isStored = (v: unknown): v is StoredFiles =>
  !!v && typeof v === 'object' && Array.isArray((v as StoredFiles).files);

/**
 * Finalize: the job SUCCEEDED with the outputs of every rendition (each output names its rendition); a
 * job of several renditions also gets manifest.json listing them with their metadata. Returns the event
 * detail PublishSucceeded sends.
 */
export async function handler(state: PipelineState): Promise<{ event: Record<string, unknown> }> {
  const job = await enterStage(state, 'finalizing', 98);
  const p = getPlatform();
  const plans = state.renditions ?? [];
  const renditions = await loadRenditions(job.id);
  const perRendition: StoredFiles[] = [];
  for (const plan of plans) {
    const result = state.results?.[plan.index];
    // A Fargate task writes its result file instead of returning it through the state.
    const files = isStored(result)
      ? result
      : await p.objects
          .getJson<StoredFiles>(p.outputsBucket, fargateResultKey(job.id, plan.index))
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
  return { event: jobEventDetail(done) };
}
