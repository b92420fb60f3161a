import { putWorkFile } from '../core/objects/job-objects.js';
import { keys } from '../core/aws/storage.js';
import { renderAudioPart } from '../core/engine/chunks.js';
import { planRender } from '../core/plan/planner.js';
import { framesOf, unitName } from '../core/jobs/progress.js';
import { metered } from './metering.js';
import { prepareJob } from './prepare.js';
import { withScratch } from './scratch.js';
import { frameReporter, loadJob } from './stage.js';
import type { AudioResult, AudioTask } from './state.js';
import { loadProbes } from './work-files.js';

/** The audio of one rendition's whole window, mixed once while its chunks render. */
export async function handler(task: AudioTask): Promise<AudioResult> {
  const job = await loadJob(task);
  const index = task.rendition ?? 0;
  return metered(job.id, () =>
    withScratch(job.id, `audio-${index}`, async (dir) => {
      const input = await prepareJob(job, dir, await loadProbes(job.id), index);
      const plan = planRender(input, {}, { chunks: 1 });
      if (!input.spec.hasAudio) return { audioKey: null };
      const fps = input.spec.fps.num / input.spec.fps.den;
      const progress = frameReporter(job.id, unitName.audio(index));
      const path = await renderAudioPart(input, plan, dir, {
        onStats: (s) => progress.frames(framesOf(s, fps)),
      });
      await progress.finish(plan.window.endFrame - plan.window.startFrame);
      const name = `r${index}/${path.slice(path.lastIndexOf('/') + 1)}`;
      const key = keys.work(job.id, name);
      await putWorkFile(job.id, name, path);
      return { audioKey: key };
    }),
  );
}
