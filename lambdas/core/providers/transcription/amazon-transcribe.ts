import {
  GetTranscriptionJobCommand,
  StartTranscriptionJobCommand,
  type TranscribeClient,
} from '@aws-sdk/client-transcribe';
import { CutlineError } from '../../errors.js';
import { parseTranscript, type Word } from '../../text/transcript.js';
import { refusal } from '../refusal.js';
import type { Transcriber, TranscribeStep } from './types.js';

/** Seconds between GetTranscriptionJob polls (the state machine's Wait); a batch job takes ~ real time/4. */
export const TRANSCRIBE_POLL_SECONDS = 15;
/** Polls before giving up: 4 hours of 15-second waits, more than Transcribe's 4-hour media limit needs. */
export const TRANSCRIBE_MAX_POLLS = 960;

/** Every job this platform starts is named with this prefix; the IAM grant is scoped to it. */
export const TRANSCRIBE_JOB_PREFIX = 'cutline-';

export interface TranscribeEdge {
  client: TranscribeClient;
  /** The bucket Transcribe reads the audio from and writes the transcript to (the outputs bucket). */
  bucket: string;
  /** Uploads the audio under `key` in that bucket. */
  stage(path: string, key: string): Promise<void>;
  readText(key: string): Promise<string>;
}

/** Transcribe's output JSON into words (punctuation glued to the word before); silence gives none. */
export function wordsFromTranscribe(content: string): Word[] {
  const json = JSON.parse(content) as { results?: { items?: unknown[] } };
  if (!json.results?.items?.length) return [];
  return parseTranscript(content);
}

/**
 * Amazon Transcribe batch jobs: `start` uploads the 16 kHz WAV under work/<jobId>/ and starts a job that
 * writes its JSON beside it; the state machine waits and calls `poll` until the job is COMPLETED or FAILED.
 */
export function amazonTranscriber(edge: TranscribeEdge): Transcriber {
  return {
    name: 'transcribe',
    async start(input) {
      const base = `work/${input.jobId}/transcribe/${input.hash.slice(0, 32)}`;
      await edge.stage(input.audioPath, `${base}.wav`);
      // One name per job and source: a retried start finds its own job (ConflictException) and polls it.
      const name = `${TRANSCRIBE_JOB_PREFIX}${input.jobId}-${input.hash.slice(0, 16)}`.slice(0, 200);
      try {
        await edge.client.send(
          new StartTranscriptionJobCommand({
            TranscriptionJobName: name,
            LanguageCode: input.language as never,
            MediaFormat: 'wav',
            Media: { MediaFileUri: `s3://${edge.bucket}/${base}.wav` },
            OutputBucketName: edge.bucket,
            OutputKey: `${base}.json`,
          }),
        );
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConflictException') throw refusal('Amazon Transcribe', err);
      }
      return {
        wait: { seconds: TRANSCRIBE_POLL_SECONDS, state: { name, key: `${base}.json`, polls: 0 } },
      };
    },
    async poll(state): Promise<TranscribeStep> {
      const name = String(state.name);
      let job;
      try {
        ({ TranscriptionJob: job } = await edge.client.send(
          new GetTranscriptionJobCommand({ TranscriptionJobName: name }),
        ));
      } catch (err) {
        throw refusal('Amazon Transcribe', err);
      }
      const status = job?.TranscriptionJobStatus;
      if (status === 'COMPLETED')
        return { words: wordsFromTranscribe(await edge.readText(String(state.key))) };
      if (status === 'FAILED')
        throw new CutlineError(
          'RENDER_FAILED',
          `Amazon Transcribe could not transcribe the source: ${job?.FailureReason ?? 'no reason given'}`,
        );
      const polls = Number(state.polls) + 1;
      if (polls >= TRANSCRIBE_MAX_POLLS)
        throw new CutlineError('RENDER_FAILED', `Amazon Transcribe job ${name} did not finish in time`);
      return { wait: { seconds: TRANSCRIBE_POLL_SECONDS, state: { ...state, polls } } };
    },
  };
}
