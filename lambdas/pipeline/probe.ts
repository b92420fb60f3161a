import { keys } from '../core/aws/storage.js';
import { getPlatform } from '../core/platform.js';
import { enterStage, prepareJob, withScratch, type PipelineState } from './common.js';

/** Probe: download and ffprobe every source once; the results are kept for the later steps. */
export async function handler(state: PipelineState): Promise<PipelineState> {
  const job = await enterStage(state, 'probing', 3);
  const p = getPlatform();
  await withScratch(job.id, 'probe', async (dir) => {
    const input = await prepareJob(job, dir);
    const probes = Object.fromEntries([...input.media].map(([src, m]) => [src, m.probe]));
    await p.objects.putJson(p.outputsBucket, keys.work(job.id, 'probe.json'), probes);
  });
  return state;
}
