import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { keys } from '../core/aws/storage.js';
import { renderLocal } from '../core/engine/distributed.js';
import { getPlatform } from '../core/platform.js';
import { enterStage, outputName, prepareJob, storeOutputs, withScratch } from './common.js';

/** The whole job in one Fargate task: chunks on all its cores, then the result file Finalize reads. */
export async function runJobOnFargate(jobId: string): Promise<void> {
  const p = getPlatform();
  const probe = await p.jobs.get(jobId);
  if (!probe) throw new Error(`job ${jobId} does not exist`);
  const job = await enterStage({ jobId, tenantId: probe.tenantId }, 'rendering', 10);
  await withScratch(jobId, 'fargate', async (dir) => {
    const input = await prepareJob(job, join(dir, 'src'));
    const { files } = await renderLocal(input, {
      output: join(dir, outputName(input.spec.format)),
      concurrency: availableParallelism(),
    });
    const stored = await storeOutputs(job, files);
    await p.objects.putJson(p.outputsBucket, keys.work(jobId, 'result.json'), stored);
  });
}
