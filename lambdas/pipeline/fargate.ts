import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { keys } from '../core/aws/storage.js';
import { renderLocal } from '../core/engine/distributed.js';
import { getPlatform } from '../core/platform.js';
import {
  enterStage,
  loadRenditions,
  outputName,
  prepareJob,
  storeOutputs,
  withScratch,
  metered,
} from './common.js';

/** Where a Fargate render leaves its stored files for Finalize (a task cannot return them through the state). */
export const fargateResultKey = (jobId: string, rendition: number) =>
  keys.work(jobId, `result-${rendition}.json`);

/** One rendition in one Fargate task: chunks on all its cores, then the result file Finalize reads. */
export async function runJobOnFargate(jobId: string, rendition = 0): Promise<void> {
  const p = getPlatform();
  const probe = await p.jobs.get(jobId);
  if (!probe) throw new Error(`job ${jobId} does not exist`);
  const job = await enterStage({ jobId, tenantId: probe.tenantId }, 'rendering', 10);
  const r = (await loadRenditions(jobId))[rendition];
  if (!r) throw new Error(`job ${jobId} has no rendition ${rendition}`);
  await metered(jobId, () =>
    withScratch(jobId, `fargate-${rendition}`, async (dir) => {
      const input = await prepareJob(job, join(dir, 'src'), undefined, rendition);
      const { files } = await renderLocal(input, {
        output: join(dir, outputName(r.name, input.spec.format)),
        concurrency: availableParallelism(),
        deferMediaConvert: true,
      });
      const stored = await storeOutputs(job, files, r.name);
      await p.objects.putJson(p.outputsBucket, fargateResultKey(jobId, rendition), stored);
    }),
  );
}
