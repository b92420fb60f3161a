import { STAGE_PROGRESS } from '../core/jobs/progress.js';
import { keys } from '../core/aws/storage.js';
import { prepareRender } from '../core/engine/prepare.js';
import { expansionContext, expandJob } from '../core/kinds/expand.js';
import { jobKind, storedRequest } from '../core/kinds/registry.js';
import type { ProbeResult } from '../core/media/probe.js';
import { getPlatform } from '../core/platform.js';
import { sourceResolver } from './prepare.js';
import { withScratch } from './scratch.js';
import { enterStage } from './stage.js';
import type { PipelineState } from './state.js';
import type { StoredRendition } from './work-files.js';
import { preparedKey } from './prepare-item.js';

/**
 * Probe: expand the job into renditions (its kind may analyse the sources to do so), then download and
 * ffprobe every source once; renditions and probes are kept for the later steps.
 */
export async function handler(state: PipelineState): Promise<PipelineState> {
  const job = await enterStage(state, 'probing', STAGE_PROGRESS.probing);
  const p = getPlatform();
  const kind = jobKind(job.type);
  const prepared = new Map<string, unknown>();
  for (const item of state.prepare ?? [])
    prepared.set(item.id, await p.objects.getJson(p.outputsBucket, preparedKey(job.id, item.id)));
  await withScratch(job.id, 'probe', async (dir) => {
    const resolver = sourceResolver(job, dir);
    const ctx = expansionContext({
      tenantId: job.tenantId,
      jobId: job.id,
      resolver,
      scratchDir: dir,
      prepared,
    });
    const renditions: StoredRendition[] = await expandJob(kind, storedRequest(kind, job.request), ctx);
    const probes = new Map<string, ProbeResult>();
    for (const r of renditions) {
      const input = await prepareRender(r.edit, { resolver, probes });
      for (const [src, m] of input.media) probes.set(src, m.probe);
    }
    await p.objects.putJson(p.outputsBucket, keys.work(job.id, 'renditions.json'), renditions);
    await p.objects.putJson(p.outputsBucket, keys.work(job.id, 'probe.json'), Object.fromEntries(probes));
  });
  return { jobId: state.jobId, tenantId: state.tenantId };
}
