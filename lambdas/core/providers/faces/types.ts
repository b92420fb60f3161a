import { z } from 'zod';

/** One detected face: its box as fractions of the frame (left, top, width, height) and the detector's score. */
export const FaceBox = z.strictObject({
  x: z.number(),
  y: z.number(),
  w: z.number().nonnegative(),
  h: z.number().nonnegative(),
  score: z.number(),
});

/**
 * The faces seen in a source, sample by sample (seconds from the source's start; a sample with no face
 * says "looked, saw none"). Every engine's output is converted to this, so the reframing path is one.
 */
export const FaceTrack = z.strictObject({
  engine: z.string(),
  /** Seconds between samples (the smoothing's time step). */
  step: z.number().positive(),
  samples: z.array(z.strictObject({ t: z.number().nonnegative(), faces: z.array(FaceBox) })),
});

export type FaceBox = z.infer<typeof FaceBox>;
export type FaceTrack = z.infer<typeof FaceTrack>;

/** What a detector looks at: the source as a local file (ffmpeg reads it) and what its probe said. */
export interface FaceInput {
  videoPath: string;
  durationSeconds: number;
  width: number;
  height: number;
  format?: string;
  /** A job has one faces item: its id names the staged video and the provider's job (retries find theirs). */
  jobId: string;
  /**
   * Seconds of the source that will be reframed (explicit clips), when known: a local engine samples only
   * these. A service that analyses the whole video (Rekognition) ignores them.
   */
  ranges?: Array<{ start: number; end: number }>;
}

/** A finished track, or (asynchronous services) a poll the state machine waits for. */
export type FaceStep =
  { track: FaceTrack } | { wait: { seconds: number; state: Record<string, string | number> } };

/**
 * Faces in a video. The local engine answers at once; Amazon Rekognition starts a job that the state
 * machine polls (Wait + Choice), so no Lambda idles while it runs.
 */
export interface FaceDetector {
  /** The engine, as metered in usage (`face-api`, `rekognition`). */
  name: string;
  start(input: FaceInput): Promise<FaceStep>;
  poll?(state: Record<string, string | number>): Promise<FaceStep>;
}
