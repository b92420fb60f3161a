import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClipsRequest } from '../lambdas/core/clips/schema.js';
import { TRANSCRIPT_ITEM } from '../lambdas/core/clips/kind.js';
import type { JobKind, JobType } from '../lambdas/core/jobs/types.js';
import { jobKind } from '../lambdas/core/kinds/registry.js';
import { makeProjectKind } from '../lambdas/core/projects/kind.js';
import { providerEnv } from '../lambdas/core/projects/providers/env.js';
import { ENV } from '../lambdas/core/config.js';
import { CutlineError } from '../lambdas/core/errors.js';
import { unmeteredCaller } from '../lambdas/core/providers/call.js';
import { providerSettings } from '../lambdas/core/providers/settings.js';
import type { localSpeech } from './speech.js';

type LocalSpeech = ReturnType<typeof localSpeech>;

/**
 * A job kind as `cutline render` runs it, without the platform: what a kind would store in the buckets or
 * meter on the tenant goes to the run's own folders instead (local/speech.ts keeps generated speech and
 * transcripts in the scratch folder; the transcript JSON lands beside the outputs), with the same local
 * engines the platform uses (espeak-ng, pocketsphinx or whisper.cpp). Kinds that need nothing of the
 * platform are the registry's own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function standaloneKind(type: JobType, speech: LocalSpeech, outDir: string): JobKind<any> {
  const kind = jobKind(type);
  if (type === 'project')
    return makeProjectKind({
      env: providerEnv,
      // No project store: the scenes' status is the run's own output.
      sink: () => undefined,
      caller: () => unmeteredCaller,
      // Nothing to meter on: this run has no job record or usage table.
      meterGeneration: () => Promise.resolve(),
      publish: (f) => speech.publishers.publish(f.path, f.name),
    });
  if (type === 'clips') {
    const clips = kind as JobKind<ClipsRequest>;
    return {
      ...clips,
      // A model ranks chosen clips by what is said as a metered call, which needs the usage table.
      parse(body) {
        const req = clips.parse(body);
        const { ranker } = providerSettings();
        const words = req.transcript || req.captions?.transcribe || req.captions?.src;
        if (!req.clips && words && ranker !== 'heuristic')
          throw new CutlineError(
            'NOT_SUPPORTED',
            `clips are ranked by the ${ranker} model here, a metered call cutline render does not make: set ${ENV.RANKER}=heuristic for this run, give clips [{ start, end }], or run \`cutline start\` and submit the job to the API`,
            [{ path: 'mode', message: `the ${ranker} ranker needs the platform` }],
          );
        return req;
      },
      // captions.transcribe: the local engine, once; the transcript is one of the outputs, as in the pipeline.
      async prepareItem(req, item, ctx) {
        if (item.id !== TRANSCRIPT_ITEM) return clips.prepareItem!(req, item, ctx);
        const probe = await ctx.probe(req.src, 'src');
        const ref = await speech.transcribe(
          await ctx.localPath(req.src, 'src'),
          probe.durationSeconds ?? 0,
          'captions.transcribe',
        );
        await copyFile(await ctx.localPath(ref.src, 'captions.transcribe'), join(outDir, 'transcript.json'));
        return ref;
      },
      pollItem: undefined,
    };
  }
  return kind;
}
