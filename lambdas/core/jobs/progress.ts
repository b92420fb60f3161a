/**
 * Frame-level job progress. Every render task (a Lambda chunk, a single pass, an audio pass, a Fargate
 * task, the local pool inside it, a stitch) counts the frames ffmpeg has written into its own counter on
 * the job item (`work.done[unit]`, at most once an interval per task, and on finish); the job's
 * `progress`, `frames` and `secondsRemaining` are aggregated from those counters (the pure
 * `aggregateProgress`) by the task that wrote one — at most once an interval per job
 * (`work.aggregatedAt`), each such write publishing one `Job Progress` event — and by whoever reads the
 * job (`liveProgress`). Writes are conditional: a counter only grows (so a retried task, counting again
 * from 0, adds nothing until it passes what its first try reached), progress never goes back, and a
 * terminal job is never touched.
 */

/** The job's render work and each unit's count, kept on the job item (Job.work). */
export interface ProgressWork {
  /** Video frames of every rendition (the sum of their windows). */
  frames: number;
  /** Frames' worth of audio (seconds × fps) mixed by separate audio passes (chunked Lambda renditions). */
  audioFrames: number;
  /** Frames done per unit: `r0c3` chunk 3 of rendition 0, `r0` a whole rendition, `r0a` its audio pass. */
  done: Record<string, number>;
  /** Epoch ms of the first counted frames: secondsRemaining is measured from it. */
  startedAt?: number;
  /** Epoch ms of the latest counter write: the rate is frames over countedAt − startedAt. */
  countedAt?: number;
  /** Epoch ms of the last aggregate write: the job's tasks together write (and publish) once an interval. */
  aggregatedAt?: number;
}

/** Where each stage starts on the 0–100 scale; rendering's frames fill RENDER_FROM → RENDER_TO. */
export const STAGE_PROGRESS = {
  validating: 1,
  preparing: 2,
  probing: 3,
  planning: 4,
  rendering: 5,
  stitching: 90,
  finalizing: 98,
} as const;
const RENDER_FROM = STAGE_PROGRESS.rendering;
const RENDER_TO = STAGE_PROGRESS.stitching;
/** A stitch copies the frames already encoded: its count fills stitching's band, STITCH_FROM → STITCH_TO. */
const STITCH_FROM = STAGE_PROGRESS.stitching;
const STITCH_TO = STAGE_PROGRESS.finalizing;
/** An audio pass mixes a second of sound far faster than a chunk encodes a second of video: it weighs less. */
const AUDIO_WEIGHT = 0.1;
/**
 * One counter write per task, and one aggregate write + Job Progress event per job, per interval: 2 s
 * keeps a job of 50 parallel chunks at ~25 writes a second on its item, which a reader polling every
 * second still sees move.
 */
export const PROGRESS_INTERVAL_MS = 2000;

export const unitName = {
  chunk: (rendition: number, chunk: number) => `r${rendition}c${chunk}`,
  rendition: (rendition: number) => `r${rendition}`,
  audio: (rendition: number) => `r${rendition}a`,
  audioPart: (rendition: number, part: number) => `r${rendition}p${part}a`,
  stitch: (rendition: number) => `r${rendition}s`,
};
const isAudioUnit = (unit: string) => unit.endsWith('a');
const isStitchUnit = (unit: string) => unit.endsWith('s');

/**
 * Seconds left at the rate so far: `fraction` of the work took `elapsedSeconds`. Absent until there is
 * a rate (nothing done, or no time measured) and once the work is done.
 */
export function etaSeconds(fraction: number, elapsedSeconds: number): number | undefined {
  if (!(fraction > 0 && fraction < 1 && elapsedSeconds > 0)) return undefined;
  return Math.ceil((elapsedSeconds * (1 - fraction)) / fraction);
}

export interface AggregateProgress {
  progress: number;
  frames: { done: number; total: number };
  secondsRemaining?: number;
}

/** The job's progress from its units' counters (pure). */
export function aggregateProgress(work: ProgressWork, now = Date.now()): AggregateProgress {
  let video = 0;
  let audio = 0;
  let stitched = 0;
  for (const [unit, n] of Object.entries(work.done ?? {})) {
    if (isAudioUnit(unit)) audio += n;
    else if (isStitchUnit(unit)) stitched += n;
    else video += n;
  }
  video = Math.min(video, work.frames);
  audio = Math.min(audio, work.audioFrames);
  const whole = work.frames + AUDIO_WEIGHT * work.audioFrames;
  const f = whole > 0 ? (video + AUDIO_WEIGHT * audio) / whole : 0;
  const s = work.frames > 0 ? Math.min(stitched, work.frames) / work.frames : 0;
  const out: AggregateProgress = {
    progress: Math.floor(RENDER_FROM + (RENDER_TO - RENDER_FROM) * f + (STITCH_TO - STITCH_FROM) * s),
    frames: { done: video, total: work.frames },
  };
  if (work.startedAt !== undefined) {
    // The rate is measured up to the latest count; the time since then was spent on the frames left.
    const counted = Math.min(now, work.countedAt ?? now);
    const eta = etaSeconds(f, Math.max(0, counted - work.startedAt) / 1000);
    if (eta !== undefined) out.secondsRemaining = Math.max(1, eta - Math.floor((now - counted) / 1000));
  }
  return out;
}

/** A frame count from one ffmpeg progress block: frames written, or the seconds of an audio-only output. */
export const framesOf = (stats: { frame: number; outSeconds: number }, fps: number): number =>
  stats.frame > 0 ? stats.frame : Math.round(stats.outSeconds * fps);

/**
 * The job's progress as a reader should see it: the stored aggregate, or what the counters say now when
 * that is further (they are written more often than the aggregate). Never less than what was stored.
 */
export function liveProgress(job: {
  progress: number;
  frames?: { done: number; total: number };
  secondsRemaining?: number;
  work?: ProgressWork;
}): AggregateProgress {
  const stored: AggregateProgress = {
    progress: job.progress,
    ...(job.frames ? { frames: job.frames } : { frames: { done: 0, total: 0 } }),
    ...(job.secondsRemaining !== undefined ? { secondsRemaining: job.secondsRemaining } : {}),
  };
  if (!job.work) return stored;
  // Each the larger: a stored aggregate may come from an older snapshot of the counters than a reader saw.
  const now = aggregateProgress(job.work);
  const ahead = now.progress >= stored.progress;
  const secondsRemaining = ahead ? now.secondsRemaining : stored.secondsRemaining;
  return {
    progress: Math.max(now.progress, stored.progress),
    frames: now.frames.done > stored.frames.done ? now.frames : stored.frames,
    ...(secondsRemaining !== undefined ? { secondsRemaining } : {}),
  };
}

/** What the reporter needs of the job store (JobStore implements it). */
export interface ProgressStore {
  /**
   * Raises `unit`'s counter to `frames` (never lowers it) unless the job is terminal. Returns the job's
   * work after the write, or null when the condition failed.
   */
  countFrames(jobId: string, unit: string, frames: number, now: number): Promise<ProgressWork | null>;
  /**
   * Writes the aggregate unless it would lower progress, the job is terminal, or another task wrote one
   * within `throttleMs`; the job, or null.
   */
  raiseProgress<J>(
    jobId: string,
    agg: AggregateProgress,
    opts: { now: number; throttleMs: number },
  ): Promise<J | null>;
}

export interface ReporterOptions<J> {
  store: ProgressStore;
  jobId: string;
  unit: string;
  /** Called with the job after each aggregate write (the pipeline publishes Job Progress with it). */
  onRaised?: (job: J) => Promise<void>;
  /** Where a failed write goes; progress never fails a render. */
  onError?: (err: unknown) => void;
  now?: () => number;
  intervalMs?: number;
}

/**
 * One unit's reporter: `frames(n)` as often as ffmpeg reports (4 a second); it writes the counter at most
 * once an interval and never two writes at once, then the aggregate when no task of the job has written
 * one within the interval. `finish(n)` writes the unit's final count whatever the interval.
 */
export class ProgressReporter<J = unknown> {
  private latest = 0;
  private written = 0;
  private lastAttempt = -Infinity;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly opts: ReporterOptions<J>) {}

  frames(n: number): void {
    if (n > this.latest) this.latest = n;
    const now = this.now();
    if (this.inFlight || this.latest <= this.written || now - this.lastAttempt < this.interval()) return;
    this.lastAttempt = now;
    this.inFlight = this.write(this.latest).finally(() => (this.inFlight = undefined));
  }

  async finish(n?: number): Promise<void> {
    if (n !== undefined && n > this.latest) this.latest = n;
    await this.inFlight;
    if (this.latest > this.written) await this.write(this.latest);
  }

  private async write(n: number): Promise<void> {
    const { store, jobId, unit } = this.opts;
    try {
      const now = this.now();
      const work = await store.countFrames(jobId, unit, n, now);
      this.written = n;
      // Tolerance under the interval: tasks' clocks and ticks do not line up to the millisecond.
      const throttleMs = Math.max(0, this.interval() - 50);
      if (!work || (work.aggregatedAt !== undefined && now - work.aggregatedAt < throttleMs)) return;
      const job = await store.raiseProgress<J>(jobId, aggregateProgress(work, now), { now, throttleMs });
      if (job) await this.opts.onRaised?.(job);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private interval(): number {
    return this.opts.intervalMs ?? PROGRESS_INTERVAL_MS;
  }
}
