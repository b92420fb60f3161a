import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '../../config.js';
import { CutlineError } from '../../errors.js';
import { runFfmpeg } from '../../media/ffmpeg.js';
import { sourceInputOptions } from '../../media/source-input.js';
import { getPlatform } from '../../platform.js';
import { rekognitionClient } from '../clients.js';
import { callerFor, type ProviderCaller } from '../call.js';
import type { ProviderName } from '../cost.js';
import { withBackoff } from '../retry.js';
import { providerSettings, type ProviderSettings } from '../settings.js';
import { faceApiDetector } from './face-api.js';
import { rekognitionDetector } from './rekognition.js';
import { FaceTrack, type FaceDetector, type FaceStep } from './types.js';

export { FaceTrack, type FaceBox, type FaceDetector, type FaceInput, type FaceStep } from './types.js';

export const NO_FACE_DETECTOR = `face detection is not configured in this deployment: locally install the npm package @vladmandic/face-api (with @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm), or deploy with the construct prop ai.faces (Amazon Rekognition: ${ENV.FACE_DETECTOR}=rekognition)`;

/** The proxy Rekognition reads: H.264 in MP4 (the formats it takes), small enough to stage quickly. */
const proxyArgs = (videoPath: string, out: string) => [
  '-hide_banner',
  '-nostdin',
  '-y',
  ...sourceInputOptions(videoPath),
  '-i',
  videoPath,
  '-an',
  '-vf',
  "scale='min(960,iw)':-2,format=yuv420p",
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-crf',
  '26',
  '-movflags',
  '+faststart',
  out,
];

/** The deployment's face detector (settings.ts decides which), or one that refuses naming what to set. */
export function faceDetectorFor(s: ProviderSettings = providerSettings(), scratchDir?: string): FaceDetector {
  switch (s.faces) {
    case 'face-api':
      return faceApiDetector();
    case 'rekognition': {
      const p = getPlatform();
      return rekognitionDetector({
        client: rekognitionClient(),
        bucket: p.outputsBucket,
        stage: async (videoPath, key) => {
          const out = join(scratchDir ?? tmpdir(), 'faces-proxy.mp4');
          await runFfmpeg(proxyArgs(videoPath, out));
          await p.objects.putFile(p.outputsBucket, key, out, 'video/mp4');
        },
      });
    }
    default:
      return {
        name: 'none',
        start: () => {
          throw new CutlineError('NOT_SUPPORTED', NO_FACE_DETECTOR, [
            { path: 'reframe.mode', message: 'no face detector' },
          ]);
        },
      };
  }
}

/** A face detection still running in the provider, for the state machine to wait on. */
export interface FacesPending {
  wait: { seconds: number; state: Record<string, string | number> };
}

// The video's seconds are metered when detection starts (what the provider bills): not again when done.
function finish(step: FaceStep, seconds: number): FaceTrack | FacesPending {
  if ('wait' in step) return { wait: { ...step.wait, state: { ...step.wait.state, seconds } } };
  return step.track;
}

interface Job {
  tenantId: string;
  jobId: string;
  /** How provider calls are made (default: metered on the job and the tenant's month). */
  caller?: ProviderCaller;
  scratchDir: string;
}

/** Detects the faces of a video source (a prepare item): a track, or a wait for the provider. */
export async function detectFaces(
  job: Job,
  videoPath: string,
  probe: { durationSeconds?: number | null; width: number; height: number; format?: string },
  ranges: Array<{ start: number; end: number }> | undefined,
  detector: FaceDetector = faceDetectorFor(providerSettings(), job.scratchDir),
): Promise<FaceTrack | FacesPending> {
  const seconds = probe.durationSeconds ?? 0;
  const start = () =>
    detector.start({
      videoPath,
      durationSeconds: seconds,
      width: probe.width,
      height: probe.height,
      format: probe.format,
      jobId: job.jobId,
      ranges,
    });
  // Checked against the tenant's provider budget and metered before the engine runs; "none" refuses.
  const step =
    detector.name === 'none'
      ? await start()
      : await (job.caller ?? callerFor(job))(detector.name as ProviderName, seconds, start, () => seconds);
  return finish(step, seconds);
}

/** One poll of a face detection the provider is still running (the state machine's loop calls it). */
export async function pollFaces(
  job: Job,
  state: Record<string, string | number>,
  detector: FaceDetector = faceDetectorFor(providerSettings(), job.scratchDir),
): Promise<FaceTrack | FacesPending> {
  if (!detector.poll)
    throw new CutlineError('RENDER_FAILED', `the ${detector.name} face detector has nothing to poll`);
  return finish(await withBackoff(() => detector.poll!(state)), Number(state.seconds));
}

/** The stored track of a job's prepare item, checked (it crossed a task boundary as JSON). */
export function readFaceTrack(value: unknown): FaceTrack {
  const parsed = FaceTrack.safeParse(value);
  if (!parsed.success)
    throw new CutlineError('RENDER_FAILED', 'reframe.mode "face": the face detection result is unreadable');
  return parsed.data;
}
