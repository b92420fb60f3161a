import { CutlineError } from '../errors.js';
import { getPlatform } from '../platform.js';
import { keys } from './storage.js';

/**
 * Removes a job's intermediates (work/<jobId>/: probe results, chunks, the audio mix, result files) once
 * it has ended. The bucket's lifecycle rule expires anything left behind (a branch still uploading as the
 * job failed), so this keeps storage small rather than being the only guard. Returns how many went.
 */
export async function cleanWork(jobId: string): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(jobId)) throw new Error(`cleanWork: "${jobId}" is not a job id`);
  const p = getPlatform();
  const found = await p.objects.list(p.outputsBucket, keys.work(jobId, ''));
  await p.objects.deleteKeys(p.outputsBucket, found);
  return found.length;
}

/**
 * Checks that every output a job is about to report is in the outputs bucket with the size it claims, so
 * a job never SUCCEEDS naming a file nobody can download (a failed or partial write). Throws RENDER_FAILED
 * naming the first missing or short key.
 */
export async function assertOutputsStored(
  outputs: ReadonlyArray<{ key: string; bytes?: number }>,
  bucket = getPlatform().outputsBucket,
): Promise<void> {
  const p = getPlatform();
  const seen = await Promise.all(
    outputs.map(async (o) => ({ o, head: await p.objects.head(bucket, o.key) })),
  );
  for (const { o, head } of seen) {
    if (!head)
      throw new CutlineError(
        'RENDER_FAILED',
        `output ${o.key} is not in the bucket; the upload did not land`,
      );
    if (o.bytes !== undefined && head.bytes !== o.bytes)
      throw new CutlineError(
        'RENDER_FAILED',
        `output ${o.key} is ${head.bytes} bytes in the bucket but ${o.bytes} were rendered; the upload was cut short`,
      );
  }
}

/**
 * Uploads an intermediate under work/<jobId>/ without leaving it behind when the job has meanwhile ended:
 * a Parallel/Map branch still running when another fails (Step Functions does not stop a Lambda already
 * invoked) would otherwise write after MarkFailed's cleanWork. MarkFailed sets FAILED before it cleans,
 * so checking the status after the write closes the race: either cleanWork sees the object, or this
 * sees the ended job and removes it. Returns false (object removed) when the job had ended.
 */
export async function putWorkFile(jobId: string, name: string, path: string): Promise<boolean> {
  const p = getPlatform();
  const key = keys.work(jobId, name);
  await p.objects.putFile(p.outputsBucket, key, path);
  const job = await p.jobs.get(jobId);
  if (job && (job.status === 'FAILED' || job.status === 'CANCELLED')) {
    await p.objects.deleteKeys(p.outputsBucket, [key]);
    return false;
  }
  return true;
}
