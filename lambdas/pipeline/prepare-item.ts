import { STAGE_PROGRESS } from '../core/jobs/progress.js';
import { keys } from '../core/aws/storage.js';
import { CutlineError } from '../core/errors.js';
import { expansionContext } from '../core/kinds/expand.js';
import { jobKind, storedRequest } from '../core/kinds/registry.js';
import { getPlatform } from '../core/platform.js';
import { platformPublishers } from '../core/providers/publish.js';
import { RenderRetryableError } from './errors.js';
import { sourceResolver } from './prepare.js';
import { withScratch } from './scratch.js';
import { enterStage } from './stage.js';
import type { PrepareResult, PrepareTask } from './state.js';
import { observed } from '../core/observability.js';

export const preparedKey = (jobId: string, id: string) => keys.work(jobId, `prepared/${id}.json`);

const pending = (r: unknown): r is { wait: { seconds: number; state: Record<string, string | number> } } =>
  !!r &&
  typeof r === 'object' &&
  'wait' in r &&
  typeof (r as { wait?: { seconds?: unknown } }).wait?.seconds === 'number';

/**
 * One prepare item (e.g. a scene's media, a transcription), run by its kind; the result is kept for the
 * Probe step. Work a provider runs asynchronously comes back as a wait: the state machine's Wait state
 * holds it (no Lambda idles) and calls this task again with `poll`.
 */
async function handle(task: PrepareTask): Promise<PrepareResult> {
  const job = await enterStage(task, 'preparing', STAGE_PROGRESS.preparing);
  const kind = jobKind(job.type);
  if (!kind.prepareItem || (task.poll && !kind.pollItem))
    throw new CutlineError('RENDER_FAILED', `job type ${job.type} listed prepare items but cannot run them`);
  const p = getPlatform();
  try {
    const result = await withScratch(job.id, `prepare-${task.item.id}`, (dir) => {
      const ctx = expansionContext({
        tenantId: job.tenantId,
        jobId: job.id,
        resolver: sourceResolver(job, dir),
        scratchDir: dir,
        publishers: platformPublishers({ tenantId: job.tenantId, jobId: job.id }),
      });
      const request = storedRequest(kind, job.request);
      return task.poll
        ? kind.pollItem!(request, task.item, task.poll, ctx)
        : kind.prepareItem!(request, task.item, ctx);
    });
    if (pending(result))
      return {
        jobId: task.jobId,
        tenantId: task.tenantId,
        item: task.item,
        id: task.item.id,
        wait: result.wait.seconds,
        poll: result.wait.state,
      };
    await p.objects.putJson(p.outputsBucket, preparedKey(job.id, task.item.id), result ?? null);
    return { id: task.item.id };
  } catch (err) {
    if (err instanceof CutlineError && err.retryable) throw new RenderRetryableError(err.message);
    throw err;
  }
}

export const handler = observed(handle);
