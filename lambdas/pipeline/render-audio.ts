import { putWorkFile } from '../core/objects/job-objects.js';
import { keys } from '../core/aws/storage.js';
import { renderAacPart, renderAudioPart } from '../core/engine/chunks.js';
import { planRender } from '../core/plan/planner.js';
import { framesOf, unitName } from '../core/jobs/progress.js';
import { SAMPLE_RATE } from '../core/render/audio.js';
import { metered } from './metering.js';
import { prepareJob } from './prepare.js';
import { withScratch } from './scratch.js';
import { frameReporter, loadJob } from './stage.js';
import type { AudioResult, AudioTask } from './state.js';
import { loadProbes } from './work-files.js';
import { observed } from '../core/observability.js';

/**
 * One audio work item of a chunked rendition, run while its chunks render: an AAC part that mixes only
 * the sources crossing its samples (joined by stream copy at the stitch), or the whole window's mix.
 */
async function handle(task: AudioTask): Promise<AudioResult> {
  const job = await loadJob(task);
  const index = task.rendition ?? 0;
  const { part } = task;
  return metered(job.id, () =>
    withScratch(job.id, `audio-${index}-${part.index}`, async (dir) => {
      const input = await prepareJob(job, dir, await loadProbes(job.id), index);
      const plan = planRender(input, {}, { chunks: 1 });
      const fps = input.spec.fps.num / input.spec.fps.den;
      const progress = frameReporter(job.id, unitName.audioPart(index, part.index));
      const opts = { onStats: (s: Parameters<typeof framesOf>[0]) => progress.frames(framesOf(s, fps)) };
      const path = part.whole
        ? await renderAudioPart(input, plan, dir, opts)
        : await renderAacPart(input, plan, part, dir, opts);
      await progress.finish(Math.round(((part.endSample - part.startSample) / SAMPLE_RATE) * fps));
      const name = `r${index}/${path.slice(path.lastIndexOf('/') + 1)}`;
      await putWorkFile(job.id, name, path);
      return { part: part.index, key: keys.work(job.id, name), whole: part.whole };
    }),
  );
}

export const handler = observed(handle);
