import { join } from 'node:path';
import { keys } from '../core/aws/storage.js';
import { renderChunk } from '../core/engine/chunks.js';
import { renderPrepared } from '../core/engine/render.js';
import { CutlineError } from '../core/errors.js';
import { getPlatform } from '../core/platform.js';
import {
  enterStage,
  loadProbes,
  outputName,
  prepareJob,
  RenderRetryableError,
  storeOutputs,
  withScratch,
  type PipelineState,
  type StoredFiles,
} from './common.js';

interface ChunkTask {
  jobId: string;
  tenantId: string;
  single?: boolean;
  chunk?: { index: number; startFrame: number; endFrame: number };
}

/** One chunk of video (Map item), or the whole render when the plan is a single pass. */
export async function handler(task: ChunkTask): Promise<StoredFiles | { chunk: number; key: string }> {
  const state: PipelineState = { jobId: task.jobId, tenantId: task.tenantId };
  const job = await enterStage(state, 'rendering', 10);
  const p = getPlatform();
  try {
    return await withScratch(job.id, task.single ? 'single' : `chunk-${task.chunk?.index}`, async (dir) => {
      const input = await prepareJob(job, dir, await loadProbes(job.id));
      if (task.single || !task.chunk) {
        const { files } = await renderPrepared(input, { output: join(dir, outputName(input.spec.format)) });
        return storeOutputs(job, files);
      }
      const chunk = {
        ...task.chunk,
        target: 'lambda' as const,
        estimatedSeconds: 0,
        estimatedScratchBytes: 0,
      };
      const path = await renderChunk(input, chunk, dir);
      const key = keys.work(job.id, path.slice(path.lastIndexOf('/') + 1));
      await p.objects.putFile(p.outputsBucket, key, path);
      return { chunk: chunk.index, key };
    });
  } catch (err) {
    if (err instanceof CutlineError && err.retryable) throw new RenderRetryableError(err.message);
    throw err;
  }
}
