import { putWorkFile } from '../core/objects/job-objects.js';
import { join } from 'node:path';
import { keys } from '../core/aws/storage.js';
import { renderChunk } from '../core/engine/chunks.js';
import { renderPrepared } from '../core/engine/render.js';
import { CutlineError } from '../core/errors.js';
import { framesOf, STAGE_PROGRESS, unitName } from '../core/jobs/progress.js';
import { RenderRetryableError } from './errors.js';
import { metered } from './metering.js';
import { outputName, storeOutputs } from './outputs.js';
import { prepareJob } from './prepare.js';
import { withScratch } from './scratch.js';
import { enterStage, frameReporter } from './stage.js';
import type { ChunkResult, ChunkTask, RenditionResult } from './state.js';
import { keepResult, loadProbes, loadRenditions } from './work-files.js';

/** One chunk of video (Map item), or a whole rendition when its plan is a single pass. */
export async function handler(task: ChunkTask): Promise<RenditionResult | ChunkResult> {
  const job = await enterStage(task, 'rendering', STAGE_PROGRESS.rendering);
  const index = task.rendition ?? 0;
  const scratch = task.single ? `single-${index}` : `r${index}-chunk-${task.chunk?.index}`;
  try {
    return await metered(job.id, () =>
      withScratch(job.id, scratch, async (dir) => {
        const input = await prepareJob(job, dir, await loadProbes(job.id), index);
        const fps = input.spec.fps.num / input.spec.fps.den;
        if (task.single || !task.chunk) {
          const { name } = (await loadRenditions(job.id))[index]!;
          const progress = frameReporter(job.id, unitName.rendition(index));
          const { files } = await renderPrepared(input, {
            output: join(dir, outputName(name, input.spec.format)),
            onStats: (s) => progress.frames(framesOf(s, fps)),
            deferMediaConvert: true,
          });
          await progress.finish();
          return keepResult(job.id, index, await storeOutputs(job, files, name));
        }
        const chunk = {
          ...task.chunk,
          target: 'lambda' as const,
          estimatedSeconds: 0,
          estimatedScratchBytes: 0,
        };
        const progress = frameReporter(job.id, unitName.chunk(index, chunk.index));
        const path = await renderChunk(input, chunk, dir, {
          onStats: (s) => progress.frames(framesOf(s, fps)),
        });
        await progress.finish(chunk.endFrame - chunk.startFrame);
        // Intermediates of one rendition live apart from the others': work/<jobId>/r<n>/…
        const name = `r${index}/${path.slice(path.lastIndexOf('/') + 1)}`;
        const key = keys.work(job.id, name);
        await putWorkFile(job.id, name, path);
        return { chunk: chunk.index, key };
      }),
    );
  } catch (err) {
    if (err instanceof CutlineError && err.retryable) throw new RenderRetryableError(err.message);
    throw err;
  }
}
