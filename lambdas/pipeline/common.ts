import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { tenantSources } from '../core/aws/s3-sources.js';
import { contentType, keys } from '../core/aws/storage.js';
import type { Edit } from '../core/edit/schema.js';
import { prepareRender } from '../core/engine/prepare.js';
import { CutlineError } from '../core/errors.js';
import type { PrepareItem, Rendition } from '../core/jobs/kinds.js';
import type { Job, Stage } from '../core/jobs/model.js';
import type { ProbeResult } from '../core/media/probe.js';
import type { RenderedFile } from '../core/engine/render.js';
import { getPlatform } from '../core/platform.js';
import { meterCompute } from '../core/usage/index.js';
import type { CompileInput } from '../core/render/compile.js';

export const logger = new Logger({ serviceName: 'cutline-pipeline' });

/** How one rendition renders: the Plan step's output, one item of the RenderRenditions Map. */
export interface RenditionPlan {
  index: number;
  name: string;
  target: 'lambda' | 'fargate';
  chunked: boolean;
  maxConcurrency: number;
  chunks: Array<{ index: number; startFrame: number; endFrame: number }>;
  fargate?: { subnets: string[]; securityGroups: string[] };
}

/** The state that flows between the state machine's top-level tasks. */
export interface PipelineState {
  jobId: string;
  tenantId: string;
  /** Validate → the PrepareItems Map. */
  prepare?: PrepareItem[];
  /** Plan → the RenderRenditions Map. */
  renditions?: RenditionPlan[];
  renditionConcurrency?: number;
  /** Plan → the PackageRenditions Map: renditions whose HLS AWS Elemental MediaConvert packages. */
  packaging?: Array<{ rendition: number }>;
  /** The Map's results, by rendition: StoredFiles, or the item's state when it ran on Fargate. */
  results?: unknown[];
  error?: { Error?: string; Cause?: string };
}

/** The state inside one RenderRenditions item. */
export interface RenditionState {
  jobId: string;
  tenantId: string;
  rendition: RenditionPlan;
  /** The Parallel state's [chunk results, audio result]. */
  render?: unknown[];
}

export interface StoredFiles {
  files: Array<Omit<RenderedFile, 'path' | 'name' | 'companions'> & { key: string; rendition?: string }>;
}

/** Raised when a task finds its job already ended (cancelled): the execution stops through MarkFailed. */
export class JobEndedError extends Error {
  override name = 'JobEnded';
}

/** A render error that another attempt may fix; the state machine retries it with backoff. */
export class RenderRetryableError extends Error {
  override name = 'RenderRetryableError';
}

export async function loadJob(state: PipelineState): Promise<Job> {
  const job = await getPlatform().jobs.get(state.jobId, state.tenantId);
  if (!job) throw new CutlineError('VALIDATION_FAILED', `job ${state.jobId} does not exist`);
  return job;
}

/** Moves the job to RUNNING at `stage`; throws JobEndedError when it already ended (e.g. cancelled). */
export async function enterStage(state: PipelineState, stage: Stage, progress: number): Promise<Job> {
  const p = getPlatform();
  const job = await loadJob(state);
  const updated = await p.jobs.update(state.jobId, {
    status: 'RUNNING',
    stage,
    progress: Math.max(job.progress, progress),
    timings: { ...job.timings, startedAt: job.timings.startedAt ?? new Date().toISOString() },
  });
  if (!updated) throw new JobEndedError(`job ${state.jobId} already ended ${job.status}`);
  return updated;
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

export const workDir = (jobId: string, name: string) => join(tmpdir(), 'cutline', jobId, name);

export async function withScratch<T>(
  jobId: string,
  name: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = workDir(jobId, name);
  await mkdir(dir, { recursive: true });
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

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

export const sourceResolver = (job: Job, dir: string) => tenantSources(job.tenantId, dir);

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

/** Uploads rendered files (and their companions) to outputs/<tenant>/<jobId>/ and returns them with their keys. */
export async function storeOutputs(
  job: Job,
  files: readonly RenderedFile[],
  rendition?: string,
): Promise<StoredFiles> {
  const p = getPlatform();
  const stored = [];
  for (const f of files) {
    const name = f.name ?? f.path.slice(f.path.lastIndexOf('/') + 1);
    for (const c of f.companions ?? [])
      await p.objects.putFile(
        p.outputsBucket,
        keys.output(job.tenantId, job.id, c.name),
        c.path,
        contentType(c.name),
      );
    const key = keys.output(job.tenantId, job.id, name);
    await p.objects.putFile(p.outputsBucket, key, f.path, contentType(name));
    const { path: _path, name: _name, companions: _companions, ...rest } = f;
    stored.push({ ...rest, key, ...(rendition ? { rendition } : {}) });
  }
  return { files: stored };
}

/** The main file of a rendition: `output.mp4` for a plain render, `clip-01-9x16.mp4`, … */
export const outputName = (rendition: string, format: string) => `${rendition}.${format}`;
