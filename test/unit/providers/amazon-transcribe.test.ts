import {
  ConflictException,
  GetTranscriptionJobCommand,
  StartTranscriptionJobCommand,
  TranscribeClient,
} from '@aws-sdk/client-transcribe';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  amazonTranscriber,
  TRANSCRIBE_JOB_PREFIX,
  TRANSCRIBE_POLL_SECONDS,
  wordsFromTranscribe,
} from '../../../lambdas/core/providers/transcription/amazon-transcribe.js';

/**
 * Contract of the two Amazon Transcribe calls, checked against the API reference: StartTranscriptionJob
 * (TranscriptionJobName 1–200 chars of [0-9a-zA-Z._-], unique per account; LanguageCode; MediaFormat one of
 * mp3|mp4|wav|flac|ogg|amr|webm|m4a; Media.MediaFileUri an s3:// URI; OutputBucketName; OutputKey 1–1024
 * chars of [a-zA-Z0-9-_.!*'()/], the object the JSON is written to) and GetTranscriptionJob
 * (TranscriptionJobName; TranscriptionJobStatus QUEUED | IN_PROGRESS | FAILED | COMPLETED, FailureReason).
 */
const transcribe = mockClient(TranscribeClient);
const staged: string[] = [];
const stored = new Map<string, string>();
const edge = () => ({
  client: new TranscribeClient({ region: 'us-east-1' }),
  bucket: 'cutline-outputs',
  stage: async (_path: string, key: string) => void staged.push(key),
  readText: async (key: string) => stored.get(key)!,
});
const input = {
  audioPath: '/tmp/a.wav',
  hash: 'ab'.repeat(32),
  durationSeconds: 12,
  language: 'en-US',
  jobId: 'job-1',
};

beforeEach(() => {
  transcribe.reset();
  staged.length = 0;
  stored.clear();
});

describe('Amazon Transcribe provider (contract)', () => {
  it('starts a batch job on the staged WAV, writing its JSON beside it, and asks to be polled', async () => {
    transcribe
      .on(StartTranscriptionJobCommand)
      .resolves({ TranscriptionJob: { TranscriptionJobStatus: 'IN_PROGRESS' } });
    const step = await amazonTranscriber(edge()).start(input);
    const calls = transcribe.commandCalls(StartTranscriptionJobCommand);
    expect(calls).toHaveLength(1);
    const req = calls[0]!.args[0].input;
    expect(req.TranscriptionJobName).toMatch(/^[0-9a-zA-Z._-]{1,200}$/);
    expect(req.TranscriptionJobName!.startsWith(TRANSCRIBE_JOB_PREFIX)).toBe(true);
    expect(req.LanguageCode).toBe('en-US');
    expect(req.MediaFormat).toBe('wav');
    expect(staged).toHaveLength(1);
    expect(req.Media).toEqual({ MediaFileUri: `s3://cutline-outputs/${staged[0]}` });
    expect(req.OutputBucketName).toBe('cutline-outputs');
    expect(req.OutputKey).toMatch(/^[a-zA-Z0-9\-_.!*'()/]{1,1024}$/);
    expect(req.OutputKey!.startsWith('work/job-1/')).toBe(true);
    // Word timings are always in a batch job's items: no extra setting asks for them.
    expect(req.Settings).toBeUndefined();
    expect(step).toEqual({
      wait: {
        seconds: TRANSCRIBE_POLL_SECONDS,
        state: { name: req.TranscriptionJobName, key: req.OutputKey, polls: 0 },
      },
    });
  });

  it('a retried start finds its own job (ConflictException) and polls it instead of failing', async () => {
    transcribe
      .on(StartTranscriptionJobCommand)
      .rejects(new ConflictException({ message: 'The requested job name already exists', $metadata: {} }));
    const step = await amazonTranscriber(edge()).start(input);
    expect('wait' in step).toBe(true);
  });

  it('polls GetTranscriptionJob: waits while running, reads the words when COMPLETED, fails with the reason', async () => {
    const t = amazonTranscriber(edge());
    const state = { name: 'cutline-job-1-abab', key: 'work/job-1/transcribe/x.json', polls: 0 };
    transcribe
      .on(GetTranscriptionJobCommand)
      .resolves({ TranscriptionJob: { TranscriptionJobStatus: 'IN_PROGRESS' } });
    expect(await t.poll!(state)).toEqual({
      wait: { seconds: TRANSCRIBE_POLL_SECONDS, state: { ...state, polls: 1 } },
    });
    expect(transcribe.commandCalls(GetTranscriptionJobCommand)[0]!.args[0].input).toEqual({
      TranscriptionJobName: 'cutline-job-1-abab',
    });
    stored.set(
      state.key,
      JSON.stringify({
        jobName: state.name,
        results: {
          transcripts: [{ transcript: 'Hello there.' }],
          items: [
            {
              type: 'pronunciation',
              start_time: '0.5',
              end_time: '0.9',
              alternatives: [{ confidence: '0.99', content: 'Hello' }],
            },
            {
              type: 'pronunciation',
              start_time: '1.0',
              end_time: '1.4',
              alternatives: [{ confidence: '0.98', content: 'there' }],
            },
            { type: 'punctuation', alternatives: [{ confidence: '0.0', content: '.' }] },
          ],
        },
      }),
    );
    transcribe
      .on(GetTranscriptionJobCommand)
      .resolves({ TranscriptionJob: { TranscriptionJobStatus: 'COMPLETED' } });
    expect(await t.poll!(state)).toEqual({
      words: [
        { text: 'Hello', start: 0.5, end: 0.9 },
        { text: 'there.', start: 1, end: 1.4 },
      ],
    });
    transcribe.on(GetTranscriptionJobCommand).resolves({
      TranscriptionJob: { TranscriptionJobStatus: 'FAILED', FailureReason: 'Unsupported media format' },
    });
    await expect(t.poll!(state)).rejects.toThrow(/Unsupported media format/);
  });

  it('silence transcribes to no words; throttling is a retryable error, access denied names what to enable', async () => {
    expect(
      wordsFromTranscribe(JSON.stringify({ results: { transcripts: [{ transcript: '' }], items: [] } })),
    ).toEqual([]);
    const t = amazonTranscriber(edge());
    transcribe
      .on(GetTranscriptionJobCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(t.poll!({ name: 'n', key: 'k', polls: 0 })).rejects.toMatchObject({
      code: 'RENDER_FAILED',
      retryable: true,
    });
    transcribe
      .on(GetTranscriptionJobCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(t.poll!({ name: 'n', key: 'k', polls: 0 })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });
});
