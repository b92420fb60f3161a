import { keys } from '../core/aws/storage.js';
import { renderAudioPart } from '../core/engine/chunks.js';
import { getPlatform } from '../core/platform.js';
import { planRender } from '../core/plan/planner.js';
import { loadJob, loadProbes, prepareJob, withScratch, type PipelineState } from './common.js';

/** The audio of the whole window, mixed once while the chunks render. */
export async function handler(state: PipelineState): Promise<{ audioKey: string | null }> {
  const job = await loadJob(state);
  const p = getPlatform();
  return withScratch(job.id, 'audio', async (dir) => {
    const input = await prepareJob(job, dir, await loadProbes(job.id));
    const plan = planRender(input, {}, { chunks: 1 });
    if (!input.spec.hasAudio) return { audioKey: null };
    const path = await renderAudioPart(input, plan, dir);
    const key = keys.work(job.id, path.slice(path.lastIndexOf('/') + 1));
    await p.objects.putFile(p.outputsBucket, key, path);
    return { audioKey: key };
  });
}
