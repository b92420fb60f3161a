/**
 * The 1-hour projection's inputs in one place: what the bench measured, and the few AWS figures it cannot
 * measure on this machine (named as assumptions; only a deployed stack can show them). Both `npm run bench`
 * and `bench/project.ts` (which recomputes the projection from stored results) build it here.
 */
import {
  projectRender,
  type Projection,
  type ProjectionInput,
  type ReferenceStitchInput,
} from '../lambdas/core/plan/projection.js';

export const HOUR_SECONDS = 3600;
export const HOUR_FUNCTIONS = 200;

/** Not measurable here: set from AWS's documented limits and typical figures, and said so in the report. */
export const ASSUMPTIONS = Object.freeze({
  /** The deployment's Map concurrency for renders (lib: mapConcurrency; Distributed Map, so not capped at 40). */
  concurrency: 200,
  mapMode: 'distributed' as const,
  invocationSeconds: 0.3,
  coldStartSeconds: 1.5,
  /** One function's S3 throughput (ranged GETs and multipart PUTs in parallel). */
  transferBytesPerSecond: 100e6,
  fixedStepsSeconds: 3,
  /**
   * The stitch by reference. Small requests: S3's performance guidelines give a median latency "in the
   * tens of milliseconds" for requests under 512 KB; 50 ms each, 50 in flight (the SDK's default sockets).
   */
  s3RequestSeconds: 0.05,
  s3RequestConcurrency: 50,
  /** Requests per part for its headers: HeadObject, the first 64 KiB block, the block holding moov. */
  headerRequestsPerPart: 3,
  /**
   * One UploadPartCopy of a ~11 MB range. S3 copies server-side and documents no time for it: 0.5 s is
   * an assumption, only a real account can measure it; 32 at once (the assembler's concurrency).
   */
  uploadPartCopySeconds: 0.5,
  uploadPartCopyConcurrency: 32,
  completeMultipartSeconds: 1,
});

const MIN_PART = 5 * 1024 * 1024;

export interface HourMeasured {
  /** One chunk of 1/200 of the hour, one thread. */
  chunkSeconds: number;
  /** The slowest AAC part of ~18 s of a dense audio timeline. */
  audioPartSeconds: number;
  audioPartBytes: number;
  /** Joining 200 parts by stream copy. */
  stitchSeconds: number;
  /** Bytes of one chunk's part, and what one function reads of its sources. */
  chunkBytes: number;
  sourceBytesPerChunk: number;
  /**
   * The stitch by reference: the measured header build for 200 parts of 450 frames (bench/reference-join.ts
   * measureMoovBuild) and the header's size. Absent: the model is the ffmpeg stitch (download, join, upload).
   */
  moovBuildSeconds?: number;
  headBytes?: number;
}

export interface HourModel {
  inputs: ProjectionInput;
  result: Projection;
  assumptions: typeof ASSUMPTIONS;
}

export function hourModel(m: HourMeasured): HourModel {
  const inputs: ProjectionInput = {
    chunks: HOUR_FUNCTIONS,
    chunkSeconds: m.chunkSeconds,
    audioParts: HOUR_FUNCTIONS,
    audioPartSeconds: m.audioPartSeconds,
    stitchSeconds: m.stitchSeconds,
    sourceBytesPerChunk: m.sourceBytesPerChunk,
    chunkBytes: m.chunkBytes,
    audioPartBytes: m.audioPartBytes,
    outputBytes: HOUR_FUNCTIONS * (m.chunkBytes + m.audioPartBytes),
    ...ASSUMPTIONS,
    ...(m.moovBuildSeconds === undefined ? {} : { referenceStitch: referenceStitch(m, m.moovBuildSeconds) }),
  };
  return { inputs, result: projectRender(inputs), assumptions: ASSUMPTIONS };
}

/**
 * What the stitch by reference moves for the hour: parts of at least 5 MiB are each one UploadPartCopy,
 * and the function uploads the header, the audio, and at most one part's worth read back to fill the
 * last audio block; smaller parts would all be read back and uploaded (planMultipart).
 */
function referenceStitch(m: HourMeasured, moovBuildSeconds: number): ReferenceStitchInput {
  const big = m.chunkBytes >= MIN_PART;
  const audio = HOUR_FUNCTIONS * m.audioPartBytes;
  return {
    headerRequestsPerPart: ASSUMPTIONS.headerRequestsPerPart,
    requestSeconds: ASSUMPTIONS.s3RequestSeconds,
    requestConcurrency: ASSUMPTIONS.s3RequestConcurrency,
    moovBuildSeconds,
    uploadBytes: (m.headBytes ?? 0) + audio + (big ? MIN_PART : 2 * HOUR_FUNCTIONS * m.chunkBytes),
    copyParts: big ? HOUR_FUNCTIONS : 0,
    copySeconds: ASSUMPTIONS.uploadPartCopySeconds,
    copyConcurrency: ASSUMPTIONS.uploadPartCopyConcurrency,
    completeSeconds: ASSUMPTIONS.completeMultipartSeconds,
  };
}
