/**
 * The 1-hour projection's inputs in one place: what the bench measured, and the few AWS figures it cannot
 * measure on this machine (named as assumptions; only a deployed stack can show them). Both `npm run bench`
 * and `bench/project.ts` (which recomputes the projection from stored results) build it here.
 */
import { projectRender, type Projection, type ProjectionInput } from '../lambdas/core/plan/projection.js';

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
});

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
  };
  return { inputs, result: projectRender(inputs), assumptions: ASSUMPTIONS };
}
