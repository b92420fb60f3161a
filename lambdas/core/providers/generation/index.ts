import { CutlineError } from '../../errors.js';
import { probeFile } from '../../media/probe.js';
import { logger } from '../../observability.js';
import { getPlatform } from '../../platform.js';
import { bedrockClient } from '../clients.js';
import { meterProvider } from '../meter.js';
import { httpGenerator } from './http.js';
import { novaCanvas } from './nova-canvas.js';
import { novaReel, REEL_HEIGHT, REEL_WIDTH } from './nova-reel.js';
import { generationSettings, NO_GENERATOR, type GenerationSettings } from './settings.js';
import type { GenerationAsk, GenerationJob, GenerationStep, Generator, Usage, Wait } from './types.js';

export type { GenerationAsk, GenerationJob, Generator } from './types.js';
export { NO_GENERATOR } from './settings.js';

/** Amazon Bedrock: Nova Canvas for stills and character references, Nova Reel for clips. */
function bedrockGenerator(s: GenerationSettings): Generator {
  const p = getPlatform();
  const client = bedrockClient();
  const image = novaCanvas({ client, modelId: s.imageModelId });
  const reel = novaReel({
    client,
    modelId: s.videoModelId,
    bucket: p.outputsBucket,
    download: (key, path) => p.objects.download(p.outputsBucket, key, path),
    pollSeconds: s.pollSeconds,
    referenceFrame: async (ask, job) => ({
      path: await image(
        { ...ask, kind: 'image', width: REEL_WIDTH, height: REEL_HEIGHT },
        { ...job, itemId: `${job.itemId}-first-frame` },
      ),
      usage: [{ provider: 'nova-canvas', units: 1 }],
    }),
  });
  return {
    name: 'bedrock',
    start: async (ask, job, attempt) =>
      ask.kind === 'image'
        ? { file: await image(ask, job), usage: [{ provider: 'nova-canvas', units: 1 }] }
        : reel.start(ask, job, attempt),
    poll: (state, job) => reel.poll(state, job),
  };
}

/** The deployment's generator (settings.ts decides), or undefined where none is configured. */
export function generatorFor(s: GenerationSettings = generationSettings()): Generator | undefined {
  if (s.generator === 'bedrock') return bedrockGenerator(s);
  if (s.generator === 'http') return httpGenerator(s.endpoint!, s.pollSeconds);
  return undefined;
}

/** NOT_SUPPORTED at `at`, naming what to configure, where no generator is configured (no client is made). */
export function assertGeneratorConfigured(at: string, s: GenerationSettings = generationSettings()): void {
  if (s.generator === 'none')
    throw new CutlineError('NOT_SUPPORTED', `${at}: ${NO_GENERATOR}`, [
      { path: at, message: 'no generation provider' },
    ]);
}

/** The generator, or NOT_SUPPORTED at `at` naming what to configure. */
export function requireGenerator(at: string, g = generatorFor()): Generator {
  if (!g)
    throw new CutlineError('NOT_SUPPORTED', `${at}: ${NO_GENERATOR}`, [
      { path: at, message: 'no generation provider' },
    ]);
  return g;
}

/** A generated file, checked to be what was asked (a clip with a picture, or a still). */
export interface GeneratedMedia {
  path: string;
  kind: 'video' | 'image';
  durationSeconds?: number;
  width?: number;
  height?: number;
}
export type GenerationOutcome = { media: GeneratedMedia } | Wait;

/** Runner state keys (beside the provider's own). */
const ATTEMPT = 'generationAttempt';
const KIND = 'generationKind';

async function meter(job: GenerationJob, usage: readonly Usage[] = []) {
  for (const u of usage)
    await (job.meter ? job.meter(u.provider, u.units) : meterProvider(job.jobId, u.provider, u.units));
}

async function settle(
  g: Generator,
  job: GenerationJob,
  kind: GenerationAsk['kind'],
  step: GenerationStep,
  attempt: number,
  ask: () => Promise<GenerationAsk>,
  retries: number,
): Promise<GenerationOutcome> {
  if ('wait' in step) {
    await meter(job, step.usage);
    return {
      wait: { seconds: step.wait.seconds, state: { ...step.wait.state, [ATTEMPT]: attempt, [KIND]: kind } },
    };
  }
  if ('failed' in step) {
    if (attempt >= retries)
      throw new CutlineError(
        'RENDER_FAILED',
        `${job.at}: generation failed ${attempt + 1} time(s): ${step.failed}`,
        [{ path: job.at, message: step.failed }],
      );
    logger.warn('generation failed; starting it again', {
      jobId: job.jobId,
      item: job.itemId,
      attempt,
      why: step.failed,
    });
    return settle(g, job, kind, await g.start(await ask(), job, attempt + 1), attempt + 1, ask, retries);
  }
  await meter(job, step.usage);
  const probe = await probeFile(step.file, job.at);
  const ok =
    kind === 'video'
      ? probe.hasVideo && !probe.isImage && (probe.durationSeconds ?? 0) > 0
      : probe.isImage || probe.hasVideo;
  if (!ok)
    throw new CutlineError(
      'RENDER_FAILED',
      `${job.at}: the ${g.name} generator returned no ${kind === 'video' ? 'video' : 'image'}`,
    );
  return {
    media: {
      path: step.file,
      kind,
      ...(kind === 'video' && probe.durationSeconds ? { durationSeconds: probe.durationSeconds } : {}),
      ...(probe.width ? { width: probe.width, height: probe.height } : {}),
    },
  };
}

/**
 * Starts one generation; a failed attempt is started again up to GENERATION_RETRIES times (each with its
 * own idempotency token), every provider call is metered on the job, and the file is probed before use.
 * `ask` builds the request (it downloads pictures), so a restart after a failed poll can build it again.
 */
export async function startGeneration(
  job: GenerationJob,
  ask: () => Promise<GenerationAsk>,
  g: Generator = requireGenerator(job.at),
  retries = generationSettings().retries,
): Promise<GenerationOutcome> {
  const first = await ask();
  return settle(g, job, first.kind, await g.start(first, job, 0), 0, ask, retries);
}

/** One poll of a generation the provider is still running (the state machine's loop calls it). */
export async function pollGeneration(
  job: GenerationJob,
  state: Record<string, string | number>,
  ask: () => Promise<GenerationAsk>,
  g: Generator = requireGenerator(job.at),
  retries = generationSettings().retries,
): Promise<GenerationOutcome> {
  const attempt = Number(state[ATTEMPT] ?? 0);
  const kind = state[KIND] === 'image' ? 'image' : 'video';
  return settle(g, job, kind, await g.poll(state, job), attempt, ask, retries);
}
