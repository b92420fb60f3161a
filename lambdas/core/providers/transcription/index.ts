import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { CutlineError } from '../../errors.js';
import { keys } from '../../aws/storage.js';
import { runFfmpeg } from '../../media/ffmpeg.js';
import { getPlatform } from '../../platform.js';
import type { Word } from '../../text/transcript.js';
import { transcribeClient } from '../clients.js';
import { callerFor, type ProviderCaller } from '../call.js';
import type { ProviderName } from '../cost.js';
import { withBackoff } from '../retry.js';
import { providerSettings, type ProviderSettings } from '../settings.js';
import { amazonTranscriber } from './amazon-transcribe.js';
import { pocketsphinxTranscriber } from './pocketsphinx.js';
import type { Transcriber, TranscribeStep } from './types.js';
import { whisperTranscriber } from './whisper.js';
import { ENV } from '../../config.js';

export type { Transcriber, TranscribeInput, TranscribeStep } from './types.js';

export const NO_TRANSCRIBER =
  'transcription is not configured in this deployment: install pocketsphinx and pocketsphinx-en-us (local), point CUTLINE_WHISPER and CUTLINE_WHISPER_MODEL at whisper.cpp and a model, or deploy with transcription enabled (Amazon Transcribe: CUTLINE_TRANSCRIBER=transcribe)';

/** The deployment's transcriber (settings.ts decides which), or one that refuses naming what to set. */
export function transcriberFor(s: ProviderSettings = providerSettings()): Transcriber {
  switch (s.transcriber) {
    case 'pocketsphinx':
      return pocketsphinxTranscriber(s.pocketsphinx);
    case 'whisper':
      if (!s.whisper)
        throw new CutlineError(
          'NOT_SUPPORTED',
          `${ENV.TRANSCRIBER}=whisper needs ${ENV.WHISPER_PATH} and ${ENV.WHISPER_MODEL}`,
        );
      return whisperTranscriber(s.whisper);
    case 'transcribe': {
      const p = getPlatform();
      return amazonTranscriber({
        client: transcribeClient(),
        bucket: p.outputsBucket,
        stage: async (path, key) => void (await p.objects.putFile(p.outputsBucket, key, path, 'audio/wav')),
        readText: (key) => p.objects.getText(p.outputsBucket, key),
      });
    }
    default:
      return {
        name: 'none',
        start: () => {
          throw new CutlineError('NOT_SUPPORTED', NO_TRANSCRIBER, [
            { path: 'captions.transcribe', message: 'no transcriber' },
          ]);
        },
      };
  }
}

/** Where a source's transcript is kept, by the sha256 of its bytes (the tenant may read it as a src). */
export const transcriptKey = (tenantId: string, hash: string) =>
  `inputs/${tenantId}/transcripts/${hash}.json`;

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** What a transcription item leaves for expansion: the stored transcript, as a src. */
export interface TranscriptRef {
  src: string;
  key: string;
  words: number;
  engine: string;
  cached: boolean;
}

/** A transcription still running in the provider, for the state machine to wait on. */
export interface TranscriptPending {
  wait: { seconds: number; state: Record<string, string | number> };
}

interface Job {
  tenantId: string;
  jobId: string;
  scratchDir: string;
  /** How provider calls are made (default: metered on the job and the tenant's month). */
  caller?: ProviderCaller;
}

async function store(job: Job, hash: string, engine: string, words: Word[]): Promise<TranscriptRef> {
  const p = getPlatform();
  const key = transcriptKey(job.tenantId, hash);
  await p.objects.putJson(p.ingestBucket, key, { engine, language: providerSettings().language, words });
  return { src: `s3://${p.ingestBucket}/${key}`, key, words: words.length, engine, cached: false };
}

/** The transcript JSON is one of the job's outputs (finalize lists it when it is there). */
export const transcriptOutputKey = (job: Pick<Job, 'tenantId' | 'jobId'>) =>
  keys.output(job.tenantId, job.jobId, 'transcript.json');

async function asOutput(job: Job, ref: TranscriptRef): Promise<TranscriptRef> {
  const p = getPlatform();
  const body = await p.objects.getText(p.ingestBucket, ref.key);
  await p.objects.putJson(p.outputsBucket, transcriptOutputKey(job), JSON.parse(body));
  return ref;
}

async function finish(job: Job, hash: string, t: Transcriber, step: TranscribeStep, seconds: number) {
  // The audio's seconds are metered when the job starts (what the provider bills): not again here.
  if ('wait' in step)
    return {
      wait: { ...step.wait, state: { ...step.wait.state, hash, engine: t.name, seconds } },
    } as TranscriptPending;
  return asOutput(job, await store(job, hash, t.name, step.words));
}

/** A media file's speech as 16 kHz mono WAV, which every engine takes; returns `audioPath`. */
export async function speechWav(mediaPath: string, audioPath: string): Promise<string> {
  await runFfmpeg([
    '-hide_banner',
    '-nostdin',
    '-y',
    '-i',
    mediaPath,
    '-vn',
    '-ac',
    '1',
    '-ar',
    '16000',
    '-c:a',
    'pcm_s16le',
    audioPath,
  ]);
  return audioPath;
}

/**
 * Transcribes a media file once per content: a transcript already stored for the same bytes is reused
 * (no provider call, nothing metered). The speech is read as 16 kHz mono WAV, which every engine takes.
 */
export async function transcribeFile(
  job: Job,
  mediaPath: string,
  durationSeconds: number,
  transcriber: Transcriber = transcriberFor(),
): Promise<TranscriptRef | TranscriptPending> {
  const hash = await sha256File(mediaPath);
  const p = getPlatform();
  const key = transcriptKey(job.tenantId, hash);
  const found = await p.objects.head(p.ingestBucket, key);
  if (found) {
    const stored = await p.objects.getJson<{ engine?: string; words?: unknown[] }>(p.ingestBucket, key);
    const ref = {
      src: `s3://${p.ingestBucket}/${key}`,
      key,
      words: stored.words?.length ?? 0,
      engine: stored.engine ?? '',
      cached: true,
    };
    return asOutput(job, ref);
  }
  const audioPath = await speechWav(mediaPath, join(job.scratchDir, `speech-${hash.slice(0, 16)}.wav`));
  const start = () =>
    transcriber.start({
      audioPath,
      hash,
      durationSeconds,
      language: providerSettings().language,
      jobId: job.jobId,
    });
  // Metered (and checked against the tenant's budget) before the engine runs; "none" refuses by itself.
  const step =
    transcriber.name === 'none'
      ? await start()
      : await (job.caller ?? callerFor(job))(
          transcriber.name as ProviderName,
          durationSeconds,
          start,
          () => durationSeconds,
        );
  return finish(job, hash, transcriber, step, durationSeconds);
}

/** One poll of a transcription the provider is still running (the state machine's loop calls it). */
export async function pollTranscription(
  job: Job,
  state: Record<string, string | number>,
  transcriber: Transcriber = transcriberFor(),
): Promise<TranscriptRef | TranscriptPending> {
  if (!transcriber.poll)
    throw new CutlineError('RENDER_FAILED', `the ${transcriber.name} transcriber has nothing to poll`);
  const step = await withBackoff(() => transcriber.poll!(state));
  return finish(job, String(state.hash), transcriber, step, Number(state.seconds));
}
