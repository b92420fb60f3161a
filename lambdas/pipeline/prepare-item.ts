import { STAGE_PROGRESS } from '../core/jobs/progress.js';
import { keys } from '../core/aws/storage.js';
import { CutlineError } from '../core/errors.js';
import { expansionContext } from '../core/kinds/expand.js';
import { jobKind, storedRequest } from '../core/kinds/registry.js';
import { getPlatform } from '../core/platform.js';
import { RenderRetryableError } from './errors.js';
import { sourceResolver } from './prepare.js';
import { withScratch } from './scratch.js';
import { enterStage } from './stage.js';
import type { PrepareResult, PrepareTask } from './state.js';

export const preparedKey = (jobId: string, id: string) => keys.work(jobId, `prepared/${id}.json`);

/** One prepare item (e.g. a scene's media), run by its kind; the result is kept for the Probe step. */
export async function handler(task: PrepareTask): Promise<PrepareResult> {
  const job = await enterStage(task, 'preparing', STAGE_PROGRESS.preparing);
  const kind = jobKind(job.type);
  if (!kind.prepareItem)
    throw new CutlineError('RENDER_FAILED', `job type ${job.type} listed prepare items but cannot run them`);
  const p = getPlatform();
  try {
    const result = await withScratch(job.id, `prepare-${task.item.id}`, (dir) =>
      kind.prepareItem!(
        storedRequest(kind, job.request),
        task.item,
        expansionContext({
          tenantId: job.tenantId,
          jobId: job.id,
          resolver: sourceResolver(job, dir),
          scratchDir: dir,
        }),
      ),
    );
    await p.objects.putJson(p.outputsBucket, preparedKey(job.id, task.item.id), result ?? null);
    return { id: task.item.id };
  } catch (err) {
    if (err instanceof CutlineError && err.retryable) throw new RenderRetryableError(err.message);
    throw err;
  }
}
