import type { ProviderName } from '../cost.js';

/** What to generate: a still or a clip, from words and optionally pictures (local files). */
export interface GenerationAsk {
  kind: 'video' | 'image';
  /** The words, with the project's subject already woven in (prompt.ts). */
  prompt: string;
  /** Seconds of video wanted (video only). */
  durationSeconds: number;
  /** The frame wanted; a provider with fixed sizes (Nova Reel: 1280x720) makes its own, placed with crop. */
  width: number;
  height: number;
  /** image-to-video: the first frame. */
  image?: string;
  /** Character references: pictures of the subject, kept the same across scenes. */
  references?: string[];
  /** Same seed for every scene of a project, so its look carries across them. */
  seed: number;
}

/** Who asks: the job, the prepare item (names the provider's work and its files), the JSON path. */
export interface GenerationJob {
  tenantId: string;
  jobId: string;
  itemId: string;
  scratchDir: string;
  at: string;
  /** Meters a provider call on the job; default: the platform's usage store (providers/meter.ts). */
  meter?(provider: ProviderName, units: number): Promise<unknown>;
}

export type Usage = { provider: ProviderName; units: number };

/** Work still running in the provider: the state machine waits `seconds` and polls with `state`. */
export type Wait = { wait: { seconds: number; state: Record<string, string | number> }; usage?: Usage[] };

/**
 * One step of a generation: the file made (and what it cost), work still running, or the provider's
 * report that this attempt failed (the runner starts it again while retries are left).
 */
export type GenerationStep = { file: string; usage: Usage[] } | Wait | { failed: string };

/**
 * Images and video from a prompt. Synchronous engines answer at once; asynchronous ones (Nova Reel, the
 * HTTP protocol) answer with a wait, and the state machine polls (Wait + Choice), so no Lambda idles.
 */
export interface Generator {
  name: 'bedrock' | 'http';
  /** `attempt` counts restarts after a failed one (0 first): it names the provider's work, so a retried call finds it. */
  start(ask: GenerationAsk, job: GenerationJob, attempt: number): Promise<GenerationStep>;
  poll(state: Record<string, string | number>, job: GenerationJob): Promise<GenerationStep>;
}
