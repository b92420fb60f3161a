/**
 * What one unit of each provider's work is estimated to cost (USD, us-east-1 list prices when written;
 * estimates for the usage record, not a bill). Local engines cost nothing beyond the compute already
 * metered as chunk seconds.
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
  /** Amazon Nova Reel, per second of generated video (720p 24 fps: $0.08 a second). */
  'nova-reel': { unit: 'seconds', usd: 0.08 },
  /** Amazon Nova Canvas, per standard image up to 1024 x 1024 ($0.04). */
  'nova-canvas': { unit: 'images', usd: 0.04 },
  /** The operator's own HTTP generation provider: its cost is the operator's to know. */
  'http-video': { unit: 'seconds', usd: 0 },
  'http-image': { unit: 'images', usd: 0 },
} as const satisfies Record<string, { unit: string; usd: number }>;

export type ProviderName = keyof typeof PROVIDER_PRICES;

export interface ProviderUsage {
  provider: ProviderName;
  unit: string;
  units: number;
  estimatedUsd: number;
}

/** Pure: the usage line of one provider call. */
export function providerUsage(provider: ProviderName, units: number): ProviderUsage {
  const p = PROVIDER_PRICES[provider];
  const n = Math.round(units * 1000) / 1000;
  return { provider, unit: p.unit, units: n, estimatedUsd: Math.round(n * p.usd * 1e6) / 1e6 };
}
