import { CutlineError } from '../../errors.js';
import { probeFile } from '../../media/probe.js';
import { logger } from '../../observability.js';
import { getPlatform } from '../../platform.js';
import { bedrockClient } from '../clients.js';
import { reserveProviderSpend, settleProviderSpend, unitPrice } from '../call.js';
import type { ProviderName } from '../cost.js';
import { meterProvider } from '../meter.js';
import { httpGenerator } from './http.js';
import { novaCanvas } from './nova-canvas.js';
import { novaReel, reelSeconds, REEL_HEIGHT, REEL_WIDTH } from './nova-reel.js';
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
const RESERVED = 'generationReserved';

/** USD reserved on the tenant's month for the attempt running, by provider (carried through the waits). */
type Reserved = Partial<Record<ProviderName, number>>;

/**
 * Pure: what one attempt is expected to use, by the generator's providers (the per-job cap's prices):
 * a still is one image; a clip its billed seconds, plus Nova Canvas's first frame where references and no
 * first frame are given.
 */
export function attemptUsage(generator: string, ask: GenerationAsk): Usage[] {
  if (generator === 'bedrock') {
    if (ask.kind === 'image') return [{ provider: 'nova-canvas', units: 1 }];
    return [
      { provider: 'nova-reel', units: reelSeconds(ask.durationSeconds) },
      ...(ask.references?.length && !ask.image ? [{ provider: 'nova-canvas' as const, units: 1 }] : []),
    ];
  }
  return ask.kind === 'image'
    ? [{ provider: 'http-image', units: 1 }]
    : [{ provider: 'http-video', units: ask.durationSeconds }];
}

/**
 * Reserves an attempt's estimated cost on the tenant's month before it starts, so generation counts
 * against `providerUsdPerMonth` like every provider call (QUOTA_EXCEEDED, nothing started, when the
 * month has no room); what one provider's reservation took is released if a later one is refused.
 */
async function reserve(g: Generator, job: GenerationJob, ask: GenerationAsk): Promise<Reserved> {
  const reserved: Reserved = {};
  try {
    for (const u of attemptUsage(g.name, ask)) {
      const usd = await reserveProviderSpend(job, u.provider, u.units);
      if (usd) reserved[u.provider] = (reserved[u.provider] ?? 0) + usd;
    }
  } catch (err) {
    await release(job, reserved);
    throw err;
  }
  return reserved;
}

/** Gives back what an attempt reserved and did not use (it failed, or used less). */
async function release(job: GenerationJob, reserved: Reserved): Promise<void> {
  for (const [provider, usd] of Object.entries(reserved) as [ProviderName, number][])
    if (usd) await settleProviderSpend(job, provider, 0, usd);
  for (const k of Object.keys(reserved)) delete reserved[k as ProviderName];
}

/** Meters what the provider used on the job and settles it on the month against the reservation. */
async function meter(job: GenerationJob, reserved: Reserved, usage: readonly Usage[] = []) {
  for (const u of usage) {
    await (job.meter ? job.meter(u.provider, u.units) : meterProvider(job.jobId, u.provider, u.units));
    // The month carries what has a price (an operator's HTTP provider is free to cutline: job only).
    const held = reserved[u.provider] ?? 0;
    if (held || unitPrice(u.provider) > 0) await settleProviderSpend(job, u.provider, u.units, held);
    delete reserved[u.provider];
  }
}

const reservedOf = (state: Record<string, string | number>): Reserved => {
  try {
    const r = JSON.parse(String(state[RESERVED] ?? '{}')) as unknown;
    return r && typeof r === 'object' ? (r as Reserved) : {};
  } catch {
    return {};
  }
};

async function settle(
  g: Generator,
  job: GenerationJob,
  kind: GenerationAsk['kind'],
  step: GenerationStep,
  attempt: number,
  ask: () => Promise<GenerationAsk>,
  retries: number,
  reserved: Reserved,
): Promise<GenerationOutcome> {
  if ('wait' in step) {
    await meter(job, reserved, step.usage);
    return {
      wait: {
        seconds: step.wait.seconds,
        state: {
          ...step.wait.state,
          [ATTEMPT]: attempt,
          [KIND]: kind,
          ...(Object.keys(reserved).length ? { [RESERVED]: JSON.stringify(reserved) } : {}),
        },
      },
    };
  }
  if ('failed' in step) {
    // A failed attempt is not billed: its reservation goes back before the next is reserved.
    await release(job, reserved);
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
    const next = await ask();
    const again = await reserve(g, job, next);
    return settle(
      g,
      job,
      kind,
      await startReserved(g, job, next, attempt + 1, again),
      attempt + 1,
      ask,
      retries,
      again,
    );
  }
  await meter(job, reserved, step.usage);
  await release(job, reserved);
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

/** Starts an attempt whose cost is reserved; a start that throws gives the reservation back. */
async function startReserved(
  g: Generator,
  job: GenerationJob,
  ask: GenerationAsk,
  attempt: number,
  reserved: Reserved,
): Promise<GenerationStep> {
  try {
    return await g.start(ask, job, attempt);
  } catch (err) {
    await release(job, reserved);
    throw err;
  }
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
  const reserved = await reserve(g, job, first);
  return settle(
    g,
    job,
    first.kind,
    await startReserved(g, job, first, 0, reserved),
    0,
    ask,
    retries,
    reserved,
  );
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
  // A poll that throws is retried by the state machine with this same state, so its reservation stays
  // (one that fails for good leaves it counted: the month errs high, never low).
  const reserved = reservedOf(state);
  const step = await g.poll(state, job);
  return settle(g, job, kind, step, attempt, ask, retries, reserved);
}
