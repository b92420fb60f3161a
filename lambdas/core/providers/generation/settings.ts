import { ENV, setting } from '../../config.js';

/**
 * Which engine generates images and video in this deployment, read from the ENV table. The stack sets
 * `bedrock` when the construct enables generation; locally nothing generates unless the operator points
 * CUTLINE_GENERATION_ENDPOINT at an HTTP provider (docs/generation-http.md). `none` refuses NOT_SUPPORTED.
 */
export const GENERATORS = ['bedrock', 'http', 'none'] as const;
export type GeneratorName = (typeof GENERATORS)[number];

export interface GenerationSettings {
  generator: GeneratorName;
  endpoint?: string;
  pollSeconds: number;
  retries: number;
  maxUsd: number;
  videoModelId: string;
  imageModelId: string;
}

type Env = Record<string, string | undefined>;

const number = (name: string, raw: string | undefined, fallback: number, min: number): number => {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}="${raw}" must be a number of at least ${min}`);
  return n;
};

/** Pure: the generation settings of an environment. */
export function readGenerationSettings(env: Env): GenerationSettings {
  const endpoint = env[ENV.GENERATION_ENDPOINT] || undefined;
  const raw = env[ENV.GENERATOR] || (endpoint ? 'http' : 'none');
  if (!(GENERATORS as readonly string[]).includes(raw))
    throw new Error(`${ENV.GENERATOR}="${raw}" is not one of ${GENERATORS.join(', ')}`);
  const generator = raw as GeneratorName;
  if (generator === 'http' && !endpoint)
    throw new Error(`${ENV.GENERATOR}=http needs ${ENV.GENERATION_ENDPOINT}, the provider's base URL`);
  if (endpoint && !/^https?:\/\//.test(endpoint))
    throw new Error(`${ENV.GENERATION_ENDPOINT}="${endpoint}" must be an http(s) URL`);
  return {
    generator,
    ...(endpoint ? { endpoint: endpoint.replace(/\/+$/, '') } : {}),
    pollSeconds: number(
      ENV.GENERATION_POLL_SECONDS,
      env[ENV.GENERATION_POLL_SECONDS],
      generator === 'bedrock' ? 30 : 5,
      1,
    ),
    retries: number(ENV.GENERATION_RETRIES, setting('GENERATION_RETRIES', env as NodeJS.ProcessEnv), 2, 0),
    maxUsd: number(ENV.GENERATION_MAX_USD, setting('GENERATION_MAX_USD', env as NodeJS.ProcessEnv), 10, 0),
    videoModelId: setting('VIDEO_MODEL_ID', env as NodeJS.ProcessEnv)!,
    imageModelId: setting('IMAGE_MODEL_ID', env as NodeJS.ProcessEnv)!,
  };
}

/** This process's settings (read each time: cheap, and tests change the environment). */
export const generationSettings = (): GenerationSettings => readGenerationSettings(process.env);

/** What to configure, for every refusal of a generation where none is configured. */
export const NO_GENERATOR = `this deployment has no image or video generation provider configured: deploy with the construct's ai.generation (Amazon Bedrock: Nova Reel and Nova Canvas), or point ${ENV.GENERATION_ENDPOINT} at an HTTP generation provider (docs/generation-http.md) before cutline start`;
