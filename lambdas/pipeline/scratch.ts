import { mkdir, rm, statfs } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { scratchRoot } from '../core/config.js';
import { CutlineError, isStorageFull, storageFullError } from '../core/errors.js';
import { releaseScope } from '../core/net/range-proxy.js';
import { logger } from '../core/observability.js';

/** A job's local scratch: one folder per task under it; the local runner removes it when the job ends. */
export const jobScratch = (jobId: string) => join(scratchRoot(), jobId);
export const workDir = (jobId: string, name: string) => join(jobScratch(jobId), name);

/**
 * Removes a scratch folder, never throwing: a task that ignored its abort a moment longer (an ffmpeg
 * still dying, a write in flight) can add a file while the folder is emptied (ENOTEMPTY), so the removal
 * is retried, and what is left after that is logged, not thrown over the task's own result.
 */
export async function removeScratch(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch (err) {
    logger.warn('scratch folder not removed', { dir, error: (err as Error).message });
  }
}

/** The range proxy scope of a task's sources: `<jobId>/<scratch name>[/…]`, from its scratch folder. */
export const proxyScope = (dir: string) => relative(scratchRoot(), dir).split(sep).join('/');

/**
 * Runs `fn` in a scratch folder of its own, removed afterwards. A full disk met inside (this scratch, the
 * object store, the table) fails as STORAGE_FULL naming the store (storageFullOf).
 */
export async function withScratch<T>(
  jobId: string,
  name: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = workDir(jobId, name);
  try {
    await mkdir(dir, { recursive: true });
    return await fn(dir);
  } catch (err) {
    throw isStorageFull(err) ? await storageFullOf(err) : err;
  } finally {
    // The task's source URLs end with it; what it read is logged against the source sizes (bench, ops).
    const read = await releaseScope(proxyScope(dir));
    if (read?.requests) logger.info('source bytes read', { jobId, task: name, ...read });
    await removeScratch(dir);
  }
}

/**
 * STORAGE_FULL for a full-disk error: the local stores say which they are (InsufficientStorage, with what
 * was needed); a plain ENOSPC is this task's scratch disk, reported with its free space and size.
 */
export async function storageFullOf(err: unknown): Promise<CutlineError> {
  const e = err as { name?: string };
  if (err instanceof CutlineError || e?.name === 'InsufficientStorage')
    return storageFullError(err, 'platform storage');
  const disk = await statfs(scratchRoot()).catch(() => null);
  const space = disk ? ` (${mb(disk.bavail * disk.bsize)} free of ${mb(disk.blocks * disk.bsize)})` : '';
  return storageFullError(err, `render scratch disk${space}`);
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
