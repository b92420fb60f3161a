import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ENV } from '../config.js';

/**
 * Which engine serves each AI capability in this deployment, read once from the ENV table. The same way
 * the platform seam is resolved (by the deployment's configuration, never by the request): the stack sets
 * the AWS engines it enables (construct props), `cutline start` leaves them unset and the local engines
 * are chosen when their binaries are installed. A capability with no engine is `none` and refuses with
 * NOT_SUPPORTED naming the setting.
 */
export const TRANSCRIBERS = ['pocketsphinx', 'whisper', 'transcribe', 'none'] as const;
export const VOICES = ['espeak', 'polly', 'none'] as const;
export const RANKERS = ['heuristic', 'bedrock', 'openai'] as const;
export const FACE_DETECTORS = ['face-api', 'rekognition', 'none'] as const;
export const PLANNERS = ['bedrock', 'openai', 'none'] as const;

export interface ProviderSettings {
  transcriber: (typeof TRANSCRIBERS)[number];
  voice: (typeof VOICES)[number];
  ranker: (typeof RANKERS)[number];
  faces: (typeof FACE_DETECTORS)[number];
  planner: (typeof PLANNERS)[number];
  /** `model`: a folder laid out like Debian's pocketsphinx-en-us; unset: the binary's built-in default. */
  pocketsphinx: { bin: string; model?: string };
  whisper?: { bin: string; model: string };
  espeak: string;
  polly: { engine: string; voice: string };
  language: string;
  bedrockModelId?: string;
  plannerModelId?: string;
  /** `usdPerMillionTokens`: what the endpoint costs (0 for a local model server). */
  llm?: { endpoint: string; model: string; usdPerMillionTokens: number };
  region?: string;
}

type Env = Record<string, string | undefined>;

function choose<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: () => T,
): T {
  if (!value) return fallback();
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`${name}="${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

function price(raw: string | undefined): number {
  if (!raw) return 0;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${ENV.LLM_PRICE}="${raw}" is not a price (USD per million tokens, 0 or more)`);
  return n;
}

/** Pure: the settings from an environment and a test of which binaries run on this machine. */
export function readProviderSettings(
  env: Env,
  runs: (bin: string, arg: string) => boolean,
  /** Whether an npm package resolves here (the local face detector's model ships in one). */
  resolves: (pkg: string) => boolean = () => false,
): ProviderSettings {
  const pocketsphinx = {
    bin: env[ENV.POCKETSPHINX_PATH] || 'pocketsphinx_continuous',
    model: env[ENV.POCKETSPHINX_MODEL] || undefined,
  };
  const whisper =
    env[ENV.WHISPER_PATH] && env[ENV.WHISPER_MODEL]
      ? { bin: env[ENV.WHISPER_PATH]!, model: env[ENV.WHISPER_MODEL]! }
      : undefined;
  const espeak = env[ENV.ESPEAK_PATH] || 'espeak-ng';
  const llm = env[ENV.LLM_ENDPOINT]
    ? {
        endpoint: env[ENV.LLM_ENDPOINT]!,
        model: env[ENV.LLM_MODEL] || 'default',
        usdPerMillionTokens: price(env[ENV.LLM_PRICE]),
      }
    : undefined;
  return {
    transcriber: choose(ENV.TRANSCRIBER, env[ENV.TRANSCRIBER], TRANSCRIBERS, () =>
      whisper ? 'whisper' : runs(pocketsphinx.bin, '-version') ? 'pocketsphinx' : 'none',
    ),
    voice: choose(ENV.VOICE, env[ENV.VOICE], VOICES, () => (runs(espeak, '--version') ? 'espeak' : 'none')),
    ranker: choose(ENV.RANKER, env[ENV.RANKER], RANKERS, () => (llm ? 'openai' : 'heuristic')),
    faces: choose(ENV.FACE_DETECTOR, env[ENV.FACE_DETECTOR], FACE_DETECTORS, () =>
      resolves(FACE_API_PACKAGE) ? 'face-api' : 'none',
    ),
    planner: choose(ENV.PLANNER, env[ENV.PLANNER], PLANNERS, () => (llm ? 'openai' : 'none')),
    pocketsphinx,
    whisper,
    espeak,
    polly: { engine: env[ENV.POLLY_ENGINE] || 'neural', voice: env[ENV.POLLY_VOICE] || 'Joanna' },
    language: env[ENV.TRANSCRIBE_LANGUAGE] || 'en-US',
    bedrockModelId: env[ENV.BEDROCK_MODEL_ID] || undefined,
    plannerModelId: env[ENV.PLANNER_MODEL_ID] || undefined,
    llm,
    region: env[ENV.AI_REGION] || undefined,
  };
}

const runs = (bin: string, arg: string): boolean => {
  const r = spawnSync(bin, [arg], { encoding: 'utf8', timeout: 5000, stdio: 'ignore' });
  // pocketsphinx_continuous prints its help and exits 1 for an unknown flag: it is there when it ran at all.
  return !r.error && r.status !== null && r.status !== 127;
};

/** The package whose model/ folder holds the local face detector's weights. */
export const FACE_API_PACKAGE = '@vladmandic/face-api';

const resolves = (pkg: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
};

let cached: ProviderSettings | undefined;

/** This process's settings (probing binaries once). */
export function providerSettings(): ProviderSettings {
  cached ??= readProviderSettings(process.env, runs, resolves);
  return cached;
}

/** Tests and the local runtime reset it after changing the environment. */
export function resetProviderSettings(): void {
  cached = undefined;
}
