import { mkdir, rm, statfs } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { tenantSources } from '../core/aws/s3-sources.js';
import { JobEndedError, putOutputsIfLive } from '../core/aws/job-storage.js';
import { contentType, keys } from '../core/aws/storage.js';
import type { Edit } from '../core/edit/schema.js';
import { prepareRender } from '../core/engine/prepare.js';
import { lambdaMemoryMb, scratchRoot } from '../core/config.js';
import { ffmpegThreads, lambdaVcpus } from '../core/plan/threads.js';
import { CutlineError, isStorageFull, storageFullError } from '../core/errors.js';
import type { PrepareItem, Rendition } from '../core/jobs/kinds.js';
import { isTerminal, type Job, type Stage } from '../core/jobs/model.js';
import { aggregateProgress, ProgressReporter } from '../core/jobs/progress.js';
import { publishJobEvent } from '../core/aws/events.js';
import type { ProbeResult } from '../core/media/probe.js';
import type { RenderedFile } from '../core/engine/render.js';
import { releaseScope } from '../core/net/range-proxy.js';
import { getPlatform } from '../core/platform.js';
import { meterCompute } from '../core/usage/index.js';
import type { CompileInput } from '../core/render/compile.js';
import type { RenditionTimeouts } from '../core/plan/timeouts.js';
import type { AudioPart } from '../core/render/audio-parts.js';

export const logger = new Logger({ serviceName: 'cutline-pipeline' });

export interface ChunkPlan {
  index: number;
  startFrame: number;
  endFrame: number;
  estimatedSeconds: number;
  /** The RenderChunk task's limit (TimeoutSecondsPath). */
  timeoutSeconds: number;
}

/**
 * One audio work item (the RenderAudioParts Map): an AAC part (render/audio-parts.ts), or, with
 * `whole`, the one mix of a rendition whose codec cannot be joined by stream copy (Opus).
 */
export interface AudioPartPlan extends AudioPart {
  whole: boolean;
  estimatedSeconds: number;
  /** The RenderAudioPart task's limit (TimeoutSecondsPath). */
  timeoutSeconds: number;
}

/** How one rendition renders: one item of the Plan step's manifest, which RenderRenditions reads from S3. */
export interface RenditionPlan {
  index: number;
  name: string;
  target: 'lambda' | 'fargate';
  chunked: boolean;
  maxConcurrency: number;
  estimatedSeconds: number;
  /** The limits of the rendition's tasks (TimeoutSecondsPath), sized from the estimates. */
  timeouts: RenditionTimeouts;
  chunks: ChunkPlan[];
  /** Audio work items of a chunked rendition (empty when it has no audio or renders in one pass). */
  audioParts: AudioPartPlan[];
  /** Samples of the rendition's audio, which the stitch checks the joined parts against. */
  audioSamples: number;
  fargate?: { subnets: string[]; securityGroups: string[] };
}

/** Where a state carries a document instead of its content (the state stays the same size for any job). */
export interface ObjectRef {
  bucket: string;
  key: string;
}

/** The state that flows between the state machine's top-level tasks. */
export interface PipelineState {
  jobId: string;
  tenantId: string;
  /** Validate → the PrepareItems Map. */
  prepare?: PrepareItem[];
  /** Plan → the RenderRenditions Map (its ItemReader) and Finalize: the RenditionPlan[] manifest. */
  plan?: ObjectRef;
  renditionConcurrency?: number;
  /** Plan → the PackageRenditions Map: renditions whose HLS AWS Elemental MediaConvert packages. */
  packaging?: Array<{ rendition: number }>;
  error?: { Error?: string; Cause?: string };
}

/** The state inside one RenderRenditions item. */
export interface RenditionState {
  jobId: string;
  tenantId: string;
  rendition: RenditionPlan;
  /** The Parallel state's [chunk results, audio part results]. */
  render?: unknown[];
}

export interface StoredFiles {
  files: Array<Omit<RenderedFile, 'path' | 'name' | 'companions'> & { key: string; rendition?: string }>;
}

/** Raised when a task finds its job already ended (cancelled): the execution stops through MarkFailed. */
export { JobEndedError };

/** A render error that another attempt may fix; the state machine retries it with backoff. */
export class RenderRetryableError extends Error {
  override name = 'RenderRetryableError';
}

export async function loadJob(state: PipelineState): Promise<Job> {
  const job = await getPlatform().jobs.get(state.jobId, state.tenantId);
  if (!job) throw new CutlineError('VALIDATION_FAILED', `job ${state.jobId} does not exist`);
  return job;
}

/**
 * Moves the job to RUNNING at `stage`, raising progress to the stage's start or to what its frames say
 * (never lowering it: a progress write may land between the read and this write, so it is conditional);
 * throws JobEndedError when the job already ended (e.g. cancelled).
 */
export async function enterStage(state: PipelineState, stage: Stage, progress: number): Promise<Job> {
  const p = getPlatform();
  for (let attempt = 0; ; attempt++) {
    const job = await loadJob(state);
    if (isTerminal(job.status)) throw new JobEndedError(`job ${state.jobId} already ended ${job.status}`);
    const frames = job.work ? aggregateProgress(job.work).progress : 0;
    const updated = await p.jobs.update(
      state.jobId,
      {
        status: 'RUNNING',
        stage,
        progress: Math.max(job.progress, progress, frames),
        timings: { ...job.timings, startedAt: job.timings.startedAt ?? new Date().toISOString() },
      },
      { raiseOnly: true },
    );
    if (updated) return updated;
    // Lost to a progress write (or the job just ended): read again.
    if (attempt >= 4)
      throw new CutlineError('RENDER_FAILED', `job ${state.jobId} could not enter ${stage}`, [], true);
  }
}

/**
 * The frame reporter of one render unit (jobs/progress.ts): its counter on the job item, the job's
 * aggregate (paced per job) and a `Job Progress` event after each aggregate write. Progress never fails
 * a render.
 */
export function frameReporter(jobId: string, unit: string): ProgressReporter<Job> {
  return new ProgressReporter<Job>({
    store: getPlatform().jobs,
    jobId,
    unit,
    onRaised: (job) =>
      publishJobEvent('Job Progress', job).catch((err: Error) =>
        logger.warn('could not publish Job Progress', { jobId, err: err.message }),
      ),
    onError: (err) => logger.warn('could not record progress', { jobId, unit, err: (err as Error).message }),
  });
}

/**
 * ffmpeg threads for this function's size (render tasks): in Lambda from its memory (3008 MB ≈ 1.7 vCPU →
 * 2 threads); elsewhere undefined, and ffmpeg picks.
 */
export function renderThreads(): number | undefined {
  const mb = lambdaMemoryMb();
  return mb === undefined ? undefined : ffmpegThreads(lambdaVcpus(mb));
}

/** Runs a render task's work and adds its seconds to the job's metered compute (usage records). */
export async function metered<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    await meterCompute(jobId, (performance.now() - started) / 1000).catch((err: Error) =>
      logger.warn('could not meter compute', { jobId, err: err.message }),
    );
  }
}

/** A job's local scratch: one folder per task under it; the local runner removes it when the job ends. */
export const jobScratch = (jobId: string) => join(scratchRoot(), jobId);
export const workDir = (jobId: string, name: string) => join(jobScratch(jobId), name);

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
    await rm(dir, { recursive: true, force: true });
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

export interface StoredRendition extends Rendition {
  edit: Edit;
}

const renditionCache = new Map<string, Promise<StoredRendition[]>>();

/** The renditions the Probe step expanded the job into (cached per process: tasks of one job share them). */
export function loadRenditions(jobId: string): Promise<StoredRendition[]> {
  let r = renditionCache.get(jobId);
  if (!r) {
    const p = getPlatform();
    r = p.objects.getJson<StoredRendition[]>(p.outputsBucket, keys.work(jobId, 'renditions.json'));
    r.catch(() => renditionCache.delete(jobId));
    renditionCache.set(jobId, r);
    if (renditionCache.size > 50) renditionCache.delete(renditionCache.keys().next().value!);
  }
  return r;
}

export const sourceResolver = (job: Job, dir: string) => tenantSources(job.tenantId, dir, proxyScope(dir));

/** Downloads one rendition's sources into `dir` and builds the compiler input, reusing the Probe step's results. */
export async function prepareJob(
  job: Job,
  dir: string,
  probes?: ReadonlyMap<string, ProbeResult>,
  rendition = 0,
): Promise<CompileInput> {
  const r = (await loadRenditions(job.id))[rendition];
  if (!r) throw new CutlineError('RENDER_FAILED', `job ${job.id} has no rendition ${rendition}`);
  return prepareRender(r.edit, { resolver: sourceResolver(job, dir), probes });
}

export async function loadProbes(jobId: string): Promise<Map<string, ProbeResult>> {
  const p = getPlatform();
  const obj = await p.objects.getJson<Record<string, ProbeResult>>(
    p.outputsBucket,
    keys.work(jobId, 'probe.json'),
  );
  return new Map(Object.entries(obj));
}

/** Where a rendition's stored files wait for Finalize: the state carries no list of outputs. */
export const renditionResultKey = (jobId: string, rendition: number) =>
  keys.work(jobId, `result-${rendition}.json`);

export const planKey = (jobId: string) => keys.work(jobId, 'plan.json');

export async function loadPlan(state: PipelineState): Promise<RenditionPlan[]> {
  const p = getPlatform();
  const ref = state.plan ?? { bucket: p.outputsBucket, key: planKey(state.jobId) };
  return p.objects.getJson<RenditionPlan[]>(ref.bucket, ref.key);
}

/** Keeps a rendition's result for Finalize and answers the small reference the state carries. */
export async function keepResult(
  jobId: string,
  rendition: number,
  files: StoredFiles,
): Promise<{ rendition: number; resultKey: string }> {
  const p = getPlatform();
  const resultKey = renditionResultKey(jobId, rendition);
  await p.objects.putJson(p.outputsBucket, resultKey, files);
  return { rendition, resultKey };
}

/** Uploads rendered files (and their companions) to outputs/<tenant>/<jobId>/ and returns them with their keys. */
export async function storeOutputs(
  job: Job,
  files: readonly RenderedFile[],
  rendition?: string,
): Promise<StoredFiles> {
  const stored = [];
  const puts: Array<{ key: string; path: string; contentType: string }> = [];
  for (const f of files) {
    const name = f.name ?? f.path.slice(f.path.lastIndexOf('/') + 1);
    for (const c of f.companions ?? [])
      puts.push({
        key: keys.output(job.tenantId, job.id, c.name),
        path: c.path,
        contentType: contentType(c.name),
      });
    const key = keys.output(job.tenantId, job.id, name);
    puts.push({ key, path: f.path, contentType: contentType(name) });
    const { path: _path, name: _name, companions: _companions, ...rest } = f;
    stored.push({ ...rest, key, ...(rendition ? { rendition } : {}) });
  }
  // Nothing is written for a job that was cancelled or failed meanwhile.
  await putOutputsIfLive(job.id, puts);
  return { files: stored };
}

/** The main file of a rendition: `output.mp4` for a plain render, `clip-01-9x16.mp4`, … */
export const outputName = (rendition: string, format: string) => `${rendition}.${format}`;
