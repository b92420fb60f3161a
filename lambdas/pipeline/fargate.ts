import { STAGE_PROGRESS, unitName } from '../core/jobs/progress.js';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { renderOnThisMachine } from '../core/engine/machine-render.js';
import { getPlatform } from '../core/platform.js';
import { metered } from './metering.js';
import { outputName, storeOutputs } from './outputs.js';
import { prepareJob } from './prepare.js';
import { withScratch } from './scratch.js';
import { enterStage, frameReporter } from './stage.js';
import { keepResult, loadRenditions } from './work-files.js';

/** One rendition in one Fargate task: chunks on all its cores, then the result file Finalize reads. */
export async function runJobOnFargate(jobId: string, rendition = 0): Promise<void> {
  const probe = await getPlatform().jobs.get(jobId);
  if (!probe) throw new Error(`job ${jobId} does not exist`);
  const job = await enterStage({ jobId, tenantId: probe.tenantId }, 'rendering', STAGE_PROGRESS.rendering);
  const r = (await loadRenditions(jobId))[rendition];
  if (!r) throw new Error(`job ${jobId} has no rendition ${rendition}`);
  await metered(jobId, () =>
    withScratch(jobId, `fargate-${rendition}`, async (dir) => {
      const input = await prepareJob(job, join(dir, 'src'), undefined, rendition);
      const progress = frameReporter(jobId, unitName.rendition(rendition));
      const { files } = await renderOnThisMachine(input, {
        output: join(dir, outputName(r.name, input.spec.format)),
        concurrency: availableParallelism(),
        onFrames: (done) => progress.frames(done),
        deferMediaConvert: true,
      });
      await progress.finish();
      await keepResult(jobId, rendition, await storeOutputs(job, files, r.name));
    }),
  );
}
