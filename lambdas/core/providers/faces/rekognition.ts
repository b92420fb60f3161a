import {
  GetFaceDetectionCommand,
  StartFaceDetectionCommand,
  type FaceDetection,
  type GetFaceDetectionCommandOutput,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { CutlineError } from '../../errors.js';
import { refusal } from '../refusal.js';
import type { FaceDetector, FaceStep, FaceTrack } from './types.js';

/** Seconds between GetFaceDetection polls (the state machine's Wait). */
export const REKOGNITION_POLL_SECONDS = 15;
/** Polls before giving up: 6 hours of 15-second waits. */
export const REKOGNITION_MAX_POLLS = 1440;
/** GetFaceDetection's largest page. */
export const REKOGNITION_PAGE = 1000;
/** Faces below this confidence (0–100) are not followed. */
export const REKOGNITION_MIN_CONFIDENCE = 80;

export interface RekognitionEdge {
  client: RekognitionClient;
  /** The bucket Rekognition reads the video from (the outputs bucket; its work/ prefix). */
  bucket: string;
  /** Writes an MP4 (H.264) of the source under `key` in that bucket: Rekognition reads MP4/MOV H.264 only. */
  stage(videoPath: string, key: string): Promise<void>;
}

/** Rekognition's errors that are the input's fault, with what to do about them. */
const BAD_INPUT: Record<string, string> = {
  InvalidS3ObjectException: 'could not read the staged video',
  InvalidParameterException: 'refused the request',
  VideoTooLargeException: 'the video is too large or too long for Rekognition Video',
};

function refused(err: unknown): CutlineError {
  const name = (err as { name?: string }).name ?? '';
  if (name === 'ProvisionedThroughputExceededException')
    return new CutlineError(
      'RENDER_FAILED',
      `Amazon Rekognition is throttling (${name}); the step is retried`,
      [],
      true,
    );
  if (BAD_INPUT[name])
    return new CutlineError(
      'VALIDATION_FAILED',
      `Amazon Rekognition ${BAD_INPUT[name]} (${name}): ${(err as Error).message}`,
      [{ path: 'src', message: BAD_INPUT[name]! }],
    );
  return refusal('Amazon Rekognition', err);
}

/**
 * Pure: Rekognition's face detections (Timestamp in ms, BoundingBox as ratios of the frame, Confidence
 * 0–100) as a face track: one sample per timestamp it reported, the step the median gap between them.
 */
export function trackFromRekognition(faces: readonly FaceDetection[]): FaceTrack {
  const byTime = new Map<number, FaceTrack['samples'][number]['faces']>();
  for (const f of faces) {
    const b = f.Face?.BoundingBox;
    if (f.Timestamp === undefined || !b || (f.Face?.Confidence ?? 0) < REKOGNITION_MIN_CONFIDENCE) continue;
    const t = f.Timestamp / 1000;
    const list = byTime.get(t) ?? [];
    list.push({
      x: b.Left ?? 0,
      y: b.Top ?? 0,
      w: b.Width ?? 0,
      h: b.Height ?? 0,
      score: Math.round(f.Face!.Confidence!) / 100,
    });
    byTime.set(t, list);
  }
  const samples = [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, f]) => ({ t, faces: f }));
  const gaps = samples
    .slice(1)
    .map((s, i) => s.t - samples[i]!.t)
    .sort((a, b) => a - b);
  const step = Math.max(0.1, Math.round((gaps[Math.floor(gaps.length / 2)] ?? 0.5) * 1000) / 1000);
  return { engine: 'rekognition', step, samples };
}

/**
 * Amazon Rekognition Video: `start` stages an H.264 proxy of the source under work/<jobId>/ and calls
 * StartFaceDetection; the state machine waits and calls `poll`, which reads every GetFaceDetection page
 * once the job has SUCCEEDED.
 */
export function rekognitionDetector(edge: RekognitionEdge): FaceDetector {
  return {
    name: 'rekognition',
    async start(input): Promise<FaceStep> {
      const key = `work/${input.jobId}/faces/source.mp4`;
      await edge.stage(input.videoPath, key);
      let jobId: string | undefined;
      try {
        ({ JobId: jobId } = await edge.client.send(
          new StartFaceDetectionCommand({
            Video: { S3Object: { Bucket: edge.bucket, Name: key } },
            FaceAttributes: 'DEFAULT',
            // Idempotent: a retried start gets the same job back.
            ClientRequestToken: `${input.jobId}-faces`.replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 64),
            JobTag: 'cutline-reframe',
          }),
        ));
      } catch (err) {
        throw refused(err);
      }
      if (!jobId) throw new CutlineError('RENDER_FAILED', 'Amazon Rekognition returned no JobId');
      return {
        wait: {
          seconds: REKOGNITION_POLL_SECONDS,
          state: { rekognitionJob: jobId, polls: 0, seconds: input.durationSeconds },
        },
      };
    },
    async poll(state): Promise<FaceStep> {
      const JobId = String(state.rekognitionJob);
      const faces: FaceDetection[] = [];
      let token: string | undefined;
      do {
        let page: GetFaceDetectionCommandOutput;
        try {
          page = await edge.client.send(
            new GetFaceDetectionCommand({ JobId, MaxResults: REKOGNITION_PAGE, NextToken: token }),
          );
        } catch (err) {
          throw refused(err);
        }
        if (page.JobStatus === 'FAILED')
          throw new CutlineError(
            'RENDER_FAILED',
            `Amazon Rekognition could not detect faces in the source: ${page.StatusMessage ?? 'no reason given'}`,
          );
        if (page.JobStatus !== 'SUCCEEDED') {
          const polls = Number(state.polls) + 1;
          if (polls >= REKOGNITION_MAX_POLLS)
            throw new CutlineError('RENDER_FAILED', `Amazon Rekognition job ${JobId} did not finish in time`);
          return { wait: { seconds: REKOGNITION_POLL_SECONDS, state: { ...state, polls } } };
        }
        faces.push(...(page.Faces ?? []));
        token = page.NextToken;
      } while (token);
      return { track: trackFromRekognition(faces) };
    },
  };
}
