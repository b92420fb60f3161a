import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setting } from '../../config.js';
import { CutlineError } from '../../errors.js';
import { spawnManaged } from '../../media/processes.js';
import { refusalOf, sourceInputOptions } from '../../media/source-input.js';
import { FACE_API_PACKAGE } from '../settings.js';
import type { FaceBox, FaceDetector, FaceInput, FaceTrack } from './types.js';

/**
 * The local face detector: @vladmandic/face-api's tiny face detector (its weights ship in the package's
 * model/ folder) on TensorFlow.js's WebAssembly backend (the .wasm ships in @tensorflow/tfjs-backend-wasm):
 * no native binding, nothing downloaded. ffmpeg samples small RGB frames over a pipe, one at a time, so an
 * hour of source never sits in memory.
 */
export const FACE_API = {
  /**
   * Samples per second, fewer for long spans: at most maxSamples in all, so that detection stays inside
   * the prepare task's 900 s even on a busy core (~0.5 s a sample at worst measured).
   */
  fps: 2,
  maxSamples: 1200,
  /**
   * Width of the sampled frames, and the detector's input size (a multiple of 32). The tiny detector
   * finds faces from about 40 px of its input: at 512, faces from about 1/13 of the frame's width.
   */
  width: 512,
  inputSize: 512,
  // The tiny detector scores real faces 0.6–0.85 on the test photograph and body parts up to 0.52.
  minScore: 0.55,
} as const;

/* eslint-disable @typescript-eslint/no-explicit-any -- face-api's node build ships no usable types */
type FaceApi = any;
let loaded: Promise<FaceApi> | undefined;

/** Loads the library, the WASM backend and the detector's weights once per process. */
function faceApi(): Promise<FaceApi> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    // Production mode before anything runs: no debug checks, and no "install tfjs-node" banner in the logs
    // (that package downloads native binaries, which this platform does not do).
    (require('@tensorflow/tfjs') as FaceApi).env().set('PROD', true);
    const api = require(`${FACE_API_PACKAGE}/dist/face-api.node-wasm.js`) as FaceApi;
    const tf = api.tf;
    if (!(await tf.setBackend('wasm')))
      throw new CutlineError('NOT_SUPPORTED', 'the TensorFlow.js WebAssembly backend did not start');
    await tf.ready();
    const model = join(dirname(require.resolve(`${FACE_API_PACKAGE}/package.json`)), 'model');
    const name = 'tiny_face_detector_model';
    const manifest = JSON.parse(await readFile(join(model, `${name}-weights_manifest.json`), 'utf8'));
    const bin = await readFile(join(model, `${name}.bin`));
    const weights = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    api.nets.tinyFaceDetector.loadFromWeightMap(tf.io.decodeWeights(weights, manifest[0].weights));
    return api;
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The spans to sample, sorted and merged: the given ranges (clips), else the whole source. */
export function sampledSpans(
  input: Pick<FaceInput, 'durationSeconds' | 'ranges'>,
): Array<{ start: number; end: number }> {
  const given = input.ranges?.length ? input.ranges : [{ start: 0, end: input.durationSeconds }];
  const sorted = [...given].sort((a, b) => a.start - b.start);
  const out: Array<{ start: number; end: number }> = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** The sampling of a source: frames per second and frame size (even, with the source's aspect ratio). */
export function faceSampling(input: Pick<FaceInput, 'durationSeconds' | 'width' | 'height' | 'ranges'>): {
  fps: number;
  width: number;
  height: number;
} {
  const seconds = sampledSpans(input).reduce((n, r) => n + (r.end - r.start), 0);
  const fps = Math.min(FACE_API.fps, FACE_API.maxSamples / Math.max(1, seconds));
  const width = FACE_API.width;
  const height = Math.max(2, Math.round((width * input.height) / input.width / 2) * 2);
  return { fps: Math.round(fps * 1000) / 1000, width, height };
}

/** Faces in one RGB frame, as fractions of the frame. */
export async function detectInFrame(rgb: Uint8Array, width: number, height: number): Promise<FaceBox[]> {
  const api = await faceApi();
  const input = api.tf.tensor3d(rgb, [height, width, 3], 'int32');
  try {
    const found = await api.detectAllFaces(
      input,
      new api.TinyFaceDetectorOptions({ inputSize: FACE_API.inputSize, scoreThreshold: FACE_API.minScore }),
    );
    const r = (v: number) => Math.round(v * 10000) / 10000;
    return (
      found as Array<{ score: number; box: { x: number; y: number; width: number; height: number } }>
    ).map((d) => ({
      x: r(d.box.x / width),
      y: r(d.box.y / height),
      w: r(d.box.width / width),
      h: r(d.box.height / height),
      score: r(d.score),
    }));
  } finally {
    input.dispose();
  }
}

/** Reads one span's sampled frames from ffmpeg's stdout one by one and detects faces in each. */
async function sampleSpan(
  input: FaceInput,
  span: { start: number; end: number },
  sampling: { fps: number; width: number; height: number },
  samples: FaceTrack['samples'],
): Promise<void> {
  const { fps, width, height } = sampling;
  const bin = setting('FFMPEG_PATH');
  const { child, exited } = await spawnManaged(
    bin,
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      ...(span.start > 0 ? ['-ss', String(span.start)] : []),
      '-t',
      String(span.end - span.start),
      ...sourceInputOptions(input.videoPath, input.format),
      '-i',
      input.videoPath,
      '-an',
      '-vf',
      `fps=${fps},scale=${width}:${height}:flags=area,format=rgb24`,
      '-f',
      'rawvideo',
      '-',
    ],
    { slots: 1 },
  );
  const size = width * height * 3;
  let n = 0;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', (e: NodeJS.ErrnoException) => (spawnError = e));
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= size) {
      const frame = new Uint8Array(pending.subarray(0, size));
      pending = pending.subarray(size);
      const t = Math.round((span.start + n++ / fps) * 1000) / 1000;
      samples.push({ t, faces: await detectInFrame(frame, width, height) });
    }
  }
  const { code } = await exited;
  if (spawnError?.code === 'ENOENT')
    throw new CutlineError('FFMPEG_UNAVAILABLE', `ffmpeg was not found (${bin}); install ffmpeg`);
  if (code !== 0) {
    const refused = refusalOf(stderr, 'src');
    if (refused) throw refused;
    throw new CutlineError(
      'SOURCE_UNREADABLE',
      `src: face detection could not read the source: ${stderr.trim()}`,
      [{ path: 'src', message: 'could not be analysed' }],
    );
  }
}

/** The face track of the source's spans (the clips when they are known, else all of it). */
async function trackFile(input: FaceInput): Promise<FaceTrack> {
  await faceApi();
  const sampling = faceSampling(input);
  const samples: FaceTrack['samples'] = [];
  for (const span of sampledSpans(input)) await sampleSpan(input, span, sampling, samples);
  return { engine: 'face-api', step: Math.round((1 / sampling.fps) * 1000) / 1000, samples };
}

export function faceApiDetector(): FaceDetector {
  return { name: 'face-api', start: async (input) => ({ track: await trackFile(input) }) };
}
