/**
 * What one unit of each provider's work is estimated to cost (USD, us-east-1 list prices when written;
 * estimates for the usage record, not a bill). Local engines cost nothing beyond the compute already
 * metered as chunk seconds; an OpenAI-compatible endpoint costs what its operator sets
 * (CUTLINE_LLM_USD_PER_MILLION_TOKENS, passed in as `usdPerUnit`).
 */
export const PROVIDER_PRICES = {
  /** Amazon Transcribe batch, per second of audio ($0.024 a minute, tier 1). */
  transcribe: { unit: 'seconds', usd: 0.024 / 60 },
  pocketsphinx: { unit: 'seconds', usd: 0 },
  whisper: { unit: 'seconds', usd: 0 },
  /** Amazon Polly neural voices, per character ($16 per million). */
  polly: { unit: 'characters', usd: 16 / 1_000_000 },
  espeak: { unit: 'characters', usd: 0 },
  /** Bedrock Converse, per token in and out (a small model's order of magnitude; set by the model). */
  bedrock: { unit: 'tokens', usd: 0.6 / 1_000_000 },
  openai: { unit: 'tokens', usd: 0 },
  heuristic: { unit: 'candidates', usd: 0 },
  /** Amazon Rekognition Video face detection, per second of video ($0.10 a minute). */
  rekognition: { unit: 'seconds', usd: 0.1 / 60 },
  'face-api': { unit: 'seconds', usd: 0 },
  /** Amazon Nova Reel, per second of generated video (720p 24 fps: $0.08 a second). */
  'nova-reel': { unit: 'seconds', usd: 0.08 },
  /** Amazon Nova Canvas, per standard image up to 1024 x 1024 ($0.04). */
  'nova-canvas': { unit: 'images', usd: 0.04 },
  /** The operator's own HTTP generation provider: its cost is the operator's to know. */
  'http-video': { unit: 'seconds', usd: 0 },
  'http-image': { unit: 'images', usd: 0 },
} as const satisfies Record<string, { unit: string; usd: number }>;

export type ProviderName = keyof typeof PROVIDER_PRICES;

/** How a refusal or a usage line names each provider to a person. */
export const PROVIDER_LABELS: Record<ProviderName, string> = {
  transcribe: 'Amazon Transcribe',
  pocketsphinx: 'pocketsphinx',
  whisper: 'whisper.cpp',
  polly: 'Amazon Polly',
  espeak: 'espeak-ng',
  bedrock: 'Amazon Bedrock',
  openai: 'the OpenAI-compatible LLM endpoint',
  heuristic: 'the heuristic ranker',
  rekognition: 'Amazon Rekognition',
  'face-api': 'face-api',
  'nova-reel': 'Amazon Bedrock (Nova Reel)',
  'nova-canvas': 'Amazon Bedrock (Nova Canvas)',
  'http-video': 'the HTTP generation provider (video)',
  'http-image': 'the HTTP generation provider (images)',
};

export interface ProviderUsage {
  provider: ProviderName;
  unit: string;
  units: number;
  estimatedUsd: number;
}

/** Pure: the usage line of one provider call (`usdPerUnit` overrides the list price). */
export function providerUsage(
  provider: ProviderName,
  units: number,
  usdPerUnit: number = PROVIDER_PRICES[provider].usd,
): ProviderUsage {
  const p = PROVIDER_PRICES[provider];
  const n = Math.round(units * 1000) / 1000;
  return { provider, unit: p.unit, units: n, estimatedUsd: Math.round(n * usdPerUnit * 1e6) / 1e6 };
}

/** Tokens a prompt of this many characters is estimated to take (about four characters a token). */
export const tokensOf = (chars: number): number => Math.ceil(chars / 4);
