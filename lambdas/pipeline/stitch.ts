import { deliveredSize } from '../core/render/output-spec.js';
import { framesOf, STAGE_PROGRESS, unitName } from '../core/jobs/progress.js';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { stitch, type StitchAudio } from '../core/engine/chunks.js';
import { chooseJoin } from '../core/engine/reference-join.js';
import { stitchByReference } from './reference-stitch.js';
import { finishOutput } from '../core/engine/render.js';
import type { RenderedFile } from '../core/packaging/types.js';
import { CutlineError } from '../core/errors.js';
import { getPlatform } from '../core/platform.js';
import { metered } from './metering.js';
import { outputName, storeOutputs } from './outputs.js';
import { prepareJob } from './prepare.js';
import { withScratch } from './scratch.js';
import { enterStage, frameReporter, loadJob } from './stage.js';
import type { AudioResult, RenditionResult, RenditionState } from './state.js';
import { keepResult, loadProbes } from './work-files.js';
import { observed } from '../core/observability.js';

/**
 * Joins a rendition's chunk files and audio parts, takes poster and thumbnail, stores the outputs and
 * keeps their list for Finalize (the state carries only its key). MP4 is joined by reference
 * (reference-stitch.ts: S3 copies the video ranges); the rest by ffmpeg's concat demuxer, here.
 */
async function handle(state: RenditionState): Promise<RenditionResult> {
  // One rendition: its frames are all done, so the stitch starts at the stage's mark; of several, the
  // others may still render, and progress stays what their frames say (enterStage takes the larger).
  const before = await loadJob(state);
  const single = (before.plan?.length ?? 1) === 1;
  const job = await enterStage(state, 'stitching', single ? STAGE_PROGRESS.stitching : 0);
  const p = getPlatform();
  const [chunkResults, audioResults] = (state.render ?? []) as [
    Array<{ chunk: number; key: string }>,
    AudioResult[],
  ];
  if (!Array.isArray(chunkResults) || !chunkResults.length)
    throw new CutlineError('RENDER_FAILED', 'stitch: no chunk results in the state');
  const { index, name, chunks } = state.rendition;
  const frames = chunks.reduce((n, c) => n + (c.endFrame - c.startFrame), 0);
  return metered(job.id, () =>
    withScratch(job.id, `stitch-${index}`, async (dir) => {
      const input = await prepareJob(job, join(dir, 'src'), await loadProbes(job.id), index);
      const sorted = [...chunkResults].sort((a, b) => a.chunk - b.chunk);
      const audioSorted = [...(audioResults ?? [])].sort((a, b) => a.part - b.part);
      const progress = frameReporter(job.id, unitName.stitch(index));
      // MP4 parts are joined by reference: S3 assembles the output from their byte ranges, and this
      // function moves only headers and audio. Packaging that reads the whole file keeps the ffmpeg stitch.
      const how = chooseJoin({
        format: input.spec.format,
        audio: !audioSorted.length ? null : audioSorted[0]!.whole ? 'file' : 'parts',
        needsWholeFile: (input.edit.output.presets?.length ?? 0) > 0,
      });
      if (how.method === 'reference') {
        const { stored } = await stitchByReference(
          job,
          input,
          state.rendition,
          sorted.map((c) => c.key),
          audioSorted.length
            ? { keys: audioSorted.map((r) => r.key), totalSamples: state.rendition.audioSamples }
            : null,
          dir,
        );
        await progress.finish(frames);
        return keepResult(job.id, index, stored);
      }
      const files = await Promise.all(
        sorted.map(async (c) => {
          const path = join(dir, c.key.slice(c.key.lastIndexOf('/') + 1));
          await p.objects.download(p.outputsBucket, c.key, path);
          return path;
        }),
      );
      const parts = await Promise.all(
        audioSorted.map(async (r) => {
          const path = join(dir, r.key.slice(r.key.lastIndexOf('/') + 1));
          await p.objects.download(p.outputsBucket, r.key, path);
          return { ...r, path };
        }),
      );
      const audio: StitchAudio | null = !parts.length
        ? null
        : parts[0]!.whole
          ? { file: parts[0]!.path }
          : { parts: parts.map((r) => r.path), totalSamples: state.rendition.audioSamples };
      const output = join(dir, outputName(name, input.spec.format));
      // The frames it copies fill stitching's band (jobs/progress.ts), so a long join is seen to move.
      const fps = input.spec.fps.num / input.spec.fps.den;
      await stitch(input, files, audio, output, dir, { onStats: (s) => progress.frames(framesOf(s, fps)) });
      await progress.finish(frames);
      const main: RenderedFile = {
        kind: 'video',
        path: output,
        bytes: (await stat(output)).size,
        durationSeconds: (frames * input.spec.fps.den) / input.spec.fps.num,
        ...deliveredSize(input.spec),
      };
      // Packaging (HLS, web, sprites, loudness) and poster/thumbnail, as in a single-pass render.
      const rendered = await finishOutput(input, main, dir, { deferMediaConvert: true });
      return keepResult(job.id, index, await storeOutputs(job, rendered, name));
    }),
  );
}

export const handler = observed(handle);
