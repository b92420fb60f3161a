import { z } from 'zod';
import type { JobEstimate } from '../plan/estimate.js';
import type { Reservation } from '../usage/reservation.js';
import type { JobType } from './kinds.js';

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export const TERMINAL: readonly JobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
export const STAGES = [
  'validating',
  'preparing',
  'probing',
  'planning',
  'rendering',
  'stitching',
  'finalizing',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];
export type Stage = (typeof STAGES)[number];

export const JobOutput = z.object({
  kind: z.enum([
    'video',
    'audio',
    'image',
    'poster',
    'thumbnail',
    'playlist',
    'sprite',
    'vtt',
    'preview',
    'manifest',
  ]),
  key: z.string(),
  bytes: z.number(),
  durationSeconds: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  url: z.string().optional(),
  /** The rendition it belongs to (`output` for a plain render; `clip-01-9x16`, `variation-003`, …). */
  rendition: z.string().optional(),
});
export type JobOutput = z.infer<typeof JobOutput>;

export interface JobError {
  code: string;
  message: string;
}

/** A job as stored (single table, PK=JOB#<id>, SK=META) and as the API shows it. */
export interface Job {
  id: string;
  tenantId: string;
  type: JobType;
  status: JobStatus;
  stage?: Stage;
  progress: number;
  /** The client's request (the edit, merged and validated). */
  request: unknown;
  callback?: string;
  idempotencyKey?: string;
  executionArn?: string;
  /** Set by the cancel route before it stops the execution: an ABORTED execution then ends CANCELLED. */
  cancelRequestedAt?: string;
  /** A drop-folder job's input object: failures are written beside it as <name>.error.json. */
  origin?: { bucket: string; key: string };
  outputs?: JobOutput[];
  error?: JobError;
  /** The Plan step's estimate (wall seconds), from the probed sources. */
  estimatedSeconds?: number;
  /** The Plan step's choice per rendition: where it renders and in how many chunks. */
  plan?: Array<{ rendition: string; target: 'lambda' | 'fargate'; chunks: number }>;
  /** The estimate given at submit (plan/estimate.ts), kept to measure the cost model against `actual`. */
  submitEstimate?: JobEstimate;
  /** What the submit reserved against the tenant's quotas (usage/reservation.ts), settled at the end. */
  reservation?: Reservation;
  /** When the job's usage was settled against its reservation (once: Finalize, MarkFailed or cancel). */
  usageSettledAt?: string;
  /** Compute seconds the render tasks metered (usage/index.ts meterCompute), summed over retries. */
  computeSeconds?: number;
  /** Measured at the end (usage/index.ts recordCompletion): wall seconds running, and queued before. */
  actual?: { renderSeconds: number; queueSeconds: number };
  createdAt: string;
  updatedAt: string;
  timings: { queuedAt: string; startedAt?: string; endedAt?: string };
}

export const isTerminal = (s: JobStatus): boolean => TERMINAL.includes(s);

/** The event detail of ARCHITECTURE §3. */
export function jobEventDetail(job: Job): Record<string, unknown> {
  return {
    jobId: job.id,
    tenantId: job.tenantId,
    type: job.type,
    status: job.status,
    ...(job.stage ? { stage: job.stage } : {}),
    progress: job.progress,
    ...(job.outputs ? { outputs: job.outputs } : {}),
    ...(job.error ? { error: job.error } : {}),
    timings: job.timings,
  };
}
