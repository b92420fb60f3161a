import { STAGE_PROGRESS } from '../core/jobs/progress.js';
import { keys } from '../core/aws/storage.js';
import { CutlineError } from '../core/errors.js';
import type { PrepareItem } from '../core/jobs/kinds.js';
import { expansionContext } from '../core/jobs/expand.js';
import { jobKind, storedRequest } from '../core/jobs/registry.js';
import { getPlatform } from '../core/platform.js';
import { platformPublishers } from '../core/providers/publish.js';
import { enterStage, RenderRetryableError, sourceResolver, withScratch } from './common.js';

interface PrepareTask {
  jobId: string;
  tenantId: string;
  item: PrepareItem;
  /** Set by the state machine's poll loop: the provider's state from the previous call. */
  poll?: Record<string, string | number>;
}

/** What the task returns: done (`id`), or the same task back with how long to wait before polling. */
type PrepareOutcome =
  { id: string } | (PrepareTask & { id: string; wait: number; poll: Record<string, string | number> });

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
export async function handler(task: PrepareTask): Promise<PrepareOutcome> {
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
