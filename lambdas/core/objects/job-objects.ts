import { CutlineError } from '../errors.js';
import { getPlatform } from '../platform.js';
import { keys } from '../aws/storage.js';
import { assembleObject } from './assemble.js';
import type { MultipartPlan } from './multipart-plan.js';

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
  // An ended job gets nothing new: checked before the write, and again after it (the race above).
  if (await jobEnded(jobId)) return false;
  await p.objects.putFile(p.outputsBucket, key, path);
  if (await jobEnded(jobId)) {
    await p.objects.deleteKeys(p.outputsBucket, [key]);
    return false;
  }
  return true;
}

/** A task found its job already ended (cancelled, failed): the execution stops through MarkFailed. */
export class JobEndedError extends Error {
  override name = 'JobEnded';
}

async function jobEnded(jobId: string): Promise<string | undefined> {
  const job = await getPlatform().jobs.get(jobId);
  return job && (job.status === 'FAILED' || job.status === 'CANCELLED') ? job.status : undefined;
}

/**
 * Refuses to write for a job that has ended: a render that finished after its job was cancelled (in AWS
 * a stopped execution does not stop a running Lambda) must not upload anything.
 */
export async function assertJobLive(jobId: string): Promise<void> {
  const ended = await jobEnded(jobId);
  if (ended) throw new JobEndedError(`job ${jobId} already ended ${ended}; nothing is stored`);
}

/**
 * Uploads a job's outputs unless it has ended, and takes them back when it ended while they uploaded
 * (the canceller removes what it finds after its own write, so one of the two sees every object).
 */
export async function putOutputsIfLive(
  jobId: string,
  puts: ReadonlyArray<{ key: string; path: string; contentType?: string }>,
  /** Outputs already stored another way (the stitch's assembled main file), taken back with these. */
  storedKeys: readonly string[] = [],
): Promise<void> {
  const p = getPlatform();
  await assertJobLive(jobId);
  for (const u of puts) await p.objects.putFile(p.outputsBucket, u.key, u.path, u.contentType);
  const ended = await jobEnded(jobId);
  if (ended) {
    await p.objects.deleteKeys(p.outputsBucket, [...storedKeys, ...puts.map((u) => u.key)]);
    throw new JobEndedError(`job ${jobId} ended ${ended} while its outputs were stored; they were removed`);
  }
}

/**
 * Assembles an output object by multipart upload (objects/assemble.ts) unless the job has ended, and
 * takes it back when the job ended meanwhile (as putOutputsIfLive does for uploaded files).
 */
export async function assembleOutputIfLive(
  jobId: string,
  key: string,
  sources: readonly string[],
  plan: MultipartPlan,
  contentType: string,
): Promise<void> {
  const p = getPlatform();
  await assertJobLive(jobId);
  await assembleObject(p.objects, p.outputsBucket, key, sources, plan, { contentType });
  const ended = await jobEnded(jobId);
  if (ended) {
    await p.objects.deleteKeys(p.outputsBucket, [key]);
    throw new JobEndedError(`job ${jobId} ended ${ended} while its output was assembled; it was removed`);
  }
}

/** A cancelled job keeps nothing: its intermediates and any outputs already stored. */
export async function removeJobObjects(job: { id: string; tenantId: string }): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(job.id)) throw new Error(`removeJobObjects: "${job.id}" is not a job id`);
  const p = getPlatform();
  const outputs = await p.objects.list(p.outputsBucket, keys.output(job.tenantId, job.id, ''));
  await p.objects.deleteKeys(p.outputsBucket, outputs);
  return outputs.length + (await cleanWork(job.id));
}
