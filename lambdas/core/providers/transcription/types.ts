import type { Word } from '../../text/transcript.js';

/** What a transcriber hears: 16 kHz mono PCM WAV of the speech, and the hash its source is cached by. */
export interface TranscribeInput {
  audioPath: string;
  /** sha256 of the source's bytes: names the cached transcript and the provider's job. */
  hash: string;
  durationSeconds: number;
  /** BCP-47, e.g. en-US. */
  language: string;
  jobId: string;
}

/** A finished transcript, or (asynchronous services) a poll the state machine waits for. */
export type TranscribeStep =
  { words: Word[] } | { wait: { seconds: number; state: Record<string, string | number> } };

/**
 * Speech to timed words. Local engines answer at once; a managed service (Amazon Transcribe) starts a job
 * and is polled by the state machine (Wait + Choice), so no Lambda idles while it runs.
 */
export interface Transcriber {
  /** The engine, as metered in usage (`pocketsphinx`, `whisper`, `transcribe`). */
  name: string;
  start(input: TranscribeInput): Promise<TranscribeStep>;
  poll?(state: Record<string, string | number>): Promise<TranscribeStep>;
}
