import { z } from 'zod';
import type { JobEstimate } from '../plan/estimate.js';
import type { Reservation } from '../quota/reservation.js';
import type { CallbackEvent, JobType } from './types.js';
import type { ProgressWork } from './progress.js';

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
    /** The words the job transcribed (captions.transcribe, caption src "auto"), with their timings. */
    'transcript',
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
  /** Events the callback also wants besides the terminal ones: `progress` (Job Progress, at most one per 2 s). */
  callbackEvents?: CallbackEvent[];
  idempotencyKey?: string;
  executionArn?: string;
  /** Set by the cancel route before it stops the execution: an ABORTED execution then ends CANCELLED. */
  cancelRequestedAt?: string;
  /** What lists call the job: the template's or project's name, or the dropped file's (submit.ts). */
  title?: string;
  /** A drop-folder job's input object: failures are written beside it as <name>.error.json. */
  origin?: { bucket: string; key: string };
  outputs?: JobOutput[];
  error?: JobError;
  /** The Plan step's estimate (wall seconds), from the probed sources. */
  estimatedSeconds?: number;
  /** Video frames rendered of all the job's renditions (jobs/progress.ts), from Plan on. */
  frames?: { done: number; total: number };
  /** Seconds the job still needs at the rate its frames are rendering (absent until frames move). */
  secondsRemaining?: number;
  /** Internal to progress (jobs/progress.ts): each render task's own frame counter and the work's size. */
  work?: ProgressWork;
  /** The Plan step's choice per rendition: where it renders and in how many chunks. */
  plan?: Array<{ rendition: string; target: 'lambda' | 'fargate'; chunks: number }>;
  /** The estimate given at submit (plan/estimate.ts), kept to measure the cost model against `actual`. */
  submitEstimate?: JobEstimate;
  /** What the submit reserved against the tenant's quotas (quota/reservation.ts), settled at the end. */
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

/** Whether the job's callback gets an event of this type: the terminal ones always, Job Progress on request. */
export const wantsCallback = (job: Pick<Job, 'callback' | 'callbackEvents'>, detailType: string): boolean =>
  !!job.callback &&
  (detailType === 'Job Progress'
    ? !!job.callbackEvents?.includes('progress')
    : detailType.startsWith('Job '));

/** The event detail of ARCHITECTURE §3. */
export function jobEventDetail(job: Job): Record<string, unknown> {
  return {
    jobId: job.id,
    tenantId: job.tenantId,
    type: job.type,
    status: job.status,
    ...(job.stage ? { stage: job.stage } : {}),
    progress: job.progress,
    ...(job.frames ? { frames: job.frames } : {}),
    ...(job.secondsRemaining !== undefined && !isTerminal(job.status)
      ? { secondsRemaining: job.secondsRemaining }
      : {}),
    ...(job.callbackEvents?.includes('progress') ? { callbackEvents: job.callbackEvents } : {}),
    ...(job.outputs ? { outputs: job.outputs } : {}),
    ...(job.error ? { error: job.error } : {}),
    timings: job.timings,
  };
}
