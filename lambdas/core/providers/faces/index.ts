import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '../../config.js';
import { CutlineError } from '../../errors.js';
import { runFfmpeg } from '../../media/ffmpeg.js';
import { sourceInputOptions } from '../../media/source-input.js';
import { getPlatform } from '../../platform.js';
import { rekognitionClient } from '../clients.js';
import { meterProvider } from '../meter.js';
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

async function finish(
  job: Job,
  d: FaceDetector,
  step: FaceStep,
  seconds: number,
): Promise<FaceTrack | FacesPending> {
  if ('wait' in step) return { wait: { ...step.wait, state: { ...step.wait.state, seconds } } };
  if (job.metered !== false) await meterProvider(job.jobId, d.name as never, seconds);
  return step.track;
}

interface Job {
  jobId: string;
  /** False where there is no job record to meter on (the CLI's standalone run). Default true. */
  metered?: boolean;
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
  const step = await detector.start({
    videoPath,
    durationSeconds: seconds,
    width: probe.width,
    height: probe.height,
    format: probe.format,
    jobId: job.jobId,
    ranges,
  });
  return finish(job, detector, step, seconds);
}

/** One poll of a face detection the provider is still running (the state machine's loop calls it). */
export async function pollFaces(
  job: Job,
  state: Record<string, string | number>,
  detector: FaceDetector = faceDetectorFor(providerSettings(), job.scratchDir),
): Promise<FaceTrack | FacesPending> {
  if (!detector.poll)
    throw new CutlineError('RENDER_FAILED', `the ${detector.name} face detector has nothing to poll`);
  return finish(job, detector, await detector.poll(state), Number(state.seconds));
}

/** The stored track of a job's prepare item, checked (it crossed a task boundary as JSON). */
export function readFaceTrack(value: unknown): FaceTrack {
  const parsed = FaceTrack.safeParse(value);
  if (!parsed.success)
    throw new CutlineError('RENDER_FAILED', 'reframe.mode "face": the face detection result is unreadable');
  return parsed.data;
}
