import {
  GetFaceDetectionCommand,
  RekognitionClient,
  StartFaceDetectionCommand,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { faceCentres, faceFocus } from '../../../lambdas/core/clips/face-focus.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import {
  REKOGNITION_PAGE,
  REKOGNITION_POLL_SECONDS,
  rekognitionDetector,
  trackFromRekognition,
} from '../../../lambdas/core/providers/faces/rekognition.js';
import { FaceTrack } from '../../../lambdas/core/providers/faces/types.js';

/**
 * Contract of the two Amazon Rekognition Video calls, checked against the API reference:
 * StartFaceDetection (Video.S3Object { Bucket, Name } of an MP4/MOV H.264 object in the region;
 * ClientRequestToken 1–64 chars of [a-zA-Z0-9-_], the same token returns the same JobId; FaceAttributes
 * DEFAULT | ALL; JobTag 1–1000 chars of [a-zA-Z0-9_.\-:]; answers JobId) and GetFaceDetection (JobId;
 * MaxResults up to 1000; NextToken; answers JobStatus IN_PROGRESS | SUCCEEDED | FAILED, StatusMessage,
 * NextToken while more pages follow, Faces [{ Timestamp (ms from the start), Face { BoundingBox { Left,
 * Top, Width, Height } as ratios of the frame, Confidence 0–100 } }]).
 */
const rekognition = mockClient(RekognitionClient);
const staged: Array<{ path: string; key: string }> = [];
const edge = () => ({
  client: new RekognitionClient({ region: 'us-east-1' }),
  bucket: 'cutline-outputs',
  stage: async (path: string, key: string) => void staged.push({ path, key }),
});
const input = {
  videoPath: '/tmp/src.mov',
  durationSeconds: 90,
  width: 1920,
  height: 1080,
  jobId: 'job_01HZX',
};
const detection = (ms: number, left: number, width = 0.1, confidence = 99) => ({
  Timestamp: ms,
  Face: { BoundingBox: { Left: left, Top: 0.2, Width: width, Height: width * 1.6 }, Confidence: confidence },
});

beforeEach(() => {
  rekognition.reset();
  staged.length = 0;
});

describe('Amazon Rekognition face detection (contract)', () => {
  it('stages the source under work/<jobId>/ and starts an idempotent job on it; the state machine waits', async () => {
    rekognition.on(StartFaceDetectionCommand).resolves({ JobId: 'a1b2c3' });
    const step = await rekognitionDetector(edge()).start(input);
    expect(staged).toEqual([{ path: '/tmp/src.mov', key: 'work/job_01HZX/faces/source.mp4' }]);
    const calls = rekognition.commandCalls(StartFaceDetectionCommand);
    expect(calls).toHaveLength(1);
    const req = calls[0]!.args[0].input;
    expect(req.Video).toEqual({ S3Object: { Bucket: 'cutline-outputs', Name: staged[0]!.key } });
    expect(req.ClientRequestToken).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    expect(req.FaceAttributes).toBe('DEFAULT');
    expect(req.JobTag).toMatch(/^[a-zA-Z0-9_.\-:]{1,1000}$/);
    expect(req.NotificationChannel).toBeUndefined(); // polled by the state machine, not notified
    expect(step).toEqual({
      wait: { seconds: REKOGNITION_POLL_SECONDS, state: { rekognitionJob: 'a1b2c3', polls: 0, seconds: 90 } },
    });
    // A retried start sends the same token (Rekognition answers the same JobId).
    await rekognitionDetector(edge()).start(input);
    expect(rekognition.commandCalls(StartFaceDetectionCommand)[1]!.args[0].input.ClientRequestToken).toBe(
      req.ClientRequestToken,
    );
  });

  it('polls while IN_PROGRESS, then reads every page into one face track', async () => {
    const d = rekognitionDetector(edge());
    rekognition.on(GetFaceDetectionCommand).resolvesOnce({ JobStatus: 'IN_PROGRESS' });
    const state = { rekognitionJob: 'a1b2c3', polls: 0, seconds: 90 };
    expect(await d.poll!(state)).toEqual({
      wait: { seconds: REKOGNITION_POLL_SECONDS, state: { ...state, polls: 1 } },
    });
    rekognition
      .on(GetFaceDetectionCommand, { JobId: 'a1b2c3', NextToken: undefined })
      .resolves({
        JobStatus: 'SUCCEEDED',
        NextToken: 'page-2',
        Faces: [detection(0, 0.1), detection(200, 0.12), detection(200, 0.6, 0.3, 95)],
      })
      .on(GetFaceDetectionCommand, { JobId: 'a1b2c3', NextToken: 'page-2' })
      .resolves({ JobStatus: 'SUCCEEDED', Faces: [detection(400, 0.14), detection(600, 0.5, 0.1, 40)] });
    const step = await d.poll!({ ...state, polls: 1 });
    const gets = rekognition.commandCalls(GetFaceDetectionCommand).slice(1);
    expect(gets.map((c) => c.args[0].input)).toEqual([
      { JobId: 'a1b2c3', MaxResults: REKOGNITION_PAGE, NextToken: undefined },
      { JobId: 'a1b2c3', MaxResults: REKOGNITION_PAGE, NextToken: 'page-2' },
    ]);
    expect(REKOGNITION_PAGE).toBeLessThanOrEqual(1000);
    const track = FaceTrack.parse((step as { track: unknown }).track);
    expect(track.engine).toBe('rekognition');
    expect(track.step).toBe(0.2);
    expect(track.samples.map((s) => [s.t, s.faces.length])).toEqual([
      [0, 1],
      [0.2, 2],
      [0.4, 1],
    ]); // the 40 %-confidence face at 600 ms is not followed
    expect(track.samples[1]!.faces[1]).toEqual({ x: 0.6, y: 0.2, w: 0.3, h: 0.48, score: 0.95 });
    // The same reframing path as the local engine: the largest face (centre 0.6 + 0.15) wins at 200 ms.
    expect(faceCentres(track, { start: 0, end: 0.4 }).map((c) => c && Math.round(c.x * 100) / 100)).toEqual([
      0.15, 0.75, 0.19,
    ]);
    expect(faceFocus(track, { start: 0, end: 0.4 })!.length).toBeGreaterThan(0);
  });

  it('a FAILED job is a job error with its reason; bad input and throttling are told apart', async () => {
    const d = rekognitionDetector(edge());
    rekognition
      .on(GetFaceDetectionCommand)
      .resolves({ JobStatus: 'FAILED', StatusMessage: 'Unsupported codec' });
    await expect(d.poll!({ rekognitionJob: 'x', polls: 0, seconds: 1 })).rejects.toThrow(/Unsupported codec/);
    rekognition.reset();
    rekognition
      .on(StartFaceDetectionCommand)
      .rejects(Object.assign(new Error('too long'), { name: 'VideoTooLargeException' }));
    const big = await d.start(input).catch((e: CutlineError) => e);
    expect((big as CutlineError).code).toBe('VALIDATION_FAILED');
    expect((big as CutlineError).details[0]!.path).toBe('src');
    rekognition
      .on(StartFaceDetectionCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    const busy = (await d.start(input).catch((e: CutlineError) => e)) as CutlineError;
    expect(busy.retryable).toBe(true);
    rekognition
      .on(StartFaceDetectionCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    expect(((await d.start(input).catch((e: CutlineError) => e)) as CutlineError).code).toBe('NOT_SUPPORTED');
  });

  it('converts detections to a track: a video without faces is an empty track, not an error', () => {
    expect(trackFromRekognition([])).toEqual({ engine: 'rekognition', step: 0.5, samples: [] });
  });
});
