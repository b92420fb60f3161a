import { keys } from '../core/aws/storage.js';
import type { Edit } from '../core/edit/schema.js';
import type { Rendition } from '../core/jobs/types.js';
import type { ProbeResult } from '../core/media/probe.js';
import { getPlatform } from '../core/platform.js';
import type { StoredFiles } from './outputs.js';
import type { PipelineState, RenditionPlan, RenditionResult } from './state.js';

/**
 * The documents the tasks hand each other under work/<jobId>/ (the states carry only their keys): the
 * expanded renditions, the probe results, the plan manifest and each rendition's stored files.
 */

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
): Promise<RenditionResult> {
  const p = getPlatform();
  const resultKey = renditionResultKey(jobId, rendition);
  await p.objects.putJson(p.outputsBucket, resultKey, files);
  return { rendition, resultKey };
}
