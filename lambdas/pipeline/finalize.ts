import { keys } from '../core/aws/storage.js';
import { CutlineError } from '../core/errors.js';
import { jobEventDetail } from '../core/jobs/model.js';
import { getPlatform } from '../core/platform.js';
import { recordJobEnd } from '../core/aws/telemetry.js';
import { recordCompletion } from '../core/usage/index.js';
import { enterStage, type PipelineState, type StoredFiles } from './common.js';

/** Finalize: the job SUCCEEDED with its outputs; returns the event detail PublishSucceeded sends. */
export async function handler(state: PipelineState): Promise<{ event: Record<string, unknown> }> {
  const job = await enterStage(state, 'finalizing', 98);
  const p = getPlatform();
  const single = !Array.isArray(state.render) ? state.render?.single : undefined;
  // The Fargate task writes its result file instead of returning it through the state.
  const files: StoredFiles | undefined =
    state.stitched ??
    single ??
    (await p.objects
      .getJson<StoredFiles>(p.outputsBucket, keys.work(job.id, 'result.json'))
      .catch(() => undefined));
  if (!files?.files.length)
    throw new CutlineError('RENDER_FAILED', 'finalize: the render produced no output');
  const done = await p.jobs.update(job.id, {
    status: 'SUCCEEDED',
    stage: 'finalizing',
    progress: 100,
    outputs: files.files,
    timings: { ...job.timings, endedAt: new Date().toISOString() },
  });
  if (!done) throw new CutlineError('RENDER_FAILED', `job ${job.id} ended before it could be finalized`);
  await recordCompletion(done, files.files);
  const started = Date.parse(done.timings.startedAt ?? done.createdAt);
  recordJobEnd('SUCCEEDED', (Date.parse(done.timings.endedAt!) - started) / 1000);
  return { event: jobEventDetail(done) };
}
