import type { Job, JobOutput } from '../jobs/model.js';

/**
 * Usage metering, pure part: what a finished job used, and totals by day. A record is keyed by day and
 * job (PK=USAGE#<tenant>, SK=<day>#<jobId>), so writing it twice counts it once.
 */

export const TIERS = ['audio', 'sd', 'hd', 'uhd'] as const;
export type Tier = (typeof TIERS)[number];

/** Resolution tier by the short side: up to 576 lines SD, up to 1080 HD, above UHD; no picture: audio. */
export function tierOf(width?: number, height?: number): Tier {
  if (!width || !height) return 'audio';
  const short = Math.min(width, height);
  return short <= 576 ? 'sd' : short <= 1080 ? 'hd' : 'uhd';
}

const RANK: Record<Tier, number> = { audio: 0, sd: 1, hd: 2, uhd: 3 };

export interface UsageRecord {
  tenantId: string;
  jobId: string;
  type: string;
  /** UTC day the job ended, YYYY-MM-DD. */
  day: string;
  endedAt: string;
  /** Seconds of finished video and audio (each rendition's outputs count). */
  renderedSeconds: number;
  /** The highest resolution tier among the outputs. */
  tier: Tier;
  secondsByTier: Partial<Record<Tier, number>>;
  /** Compute seconds the render tasks metered, or the job's wall seconds when they did not (source says which). */
  chunkSeconds: number;
  chunkSecondsSource: 'metered' | 'wall';
  /** Bytes of the listed outputs in the outputs bucket. */
  bytesStored: number;
  outputs: number;
  /** Video/audio outputs whose duration could not be read (not in renderedSeconds). */
  unmeasuredOutputs: number;
  /** How the job ended, for jobs that did not succeed (they count their compute only). */
  status?: 'FAILED' | 'CANCELLED';
}

type Output = Pick<JobOutput, 'kind' | 'bytes' | 'durationSeconds' | 'width' | 'height'>;

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Wall seconds from the first stage to the end, and queue seconds before it. */
export function jobSeconds(job: Pick<Job, 'createdAt' | 'timings'>, endedAt: string) {
  const queued = Date.parse(job.timings.queuedAt ?? job.createdAt);
  const started = Date.parse(job.timings.startedAt ?? job.timings.queuedAt ?? job.createdAt);
  return {
    renderSeconds: r3(Math.max(0, Date.parse(endedAt) - started) / 1000),
    queueSeconds: r3(Math.max(0, started - queued) / 1000),
  };
}

export function usageRecord(
  job: Pick<Job, 'id' | 'tenantId' | 'type' | 'createdAt' | 'timings'> & { computeSeconds?: number },
  outputs: readonly Output[],
  endedAt: string,
): UsageRecord {
  const secondsByTier: Partial<Record<Tier, number>> = {};
  let rendered = 0;
  let tier: Tier = 'audio';
  let unmeasured = 0;
  for (const o of outputs) {
    if (o.kind !== 'video' && o.kind !== 'audio') continue;
    const t = o.kind === 'video' ? tierOf(o.width, o.height) : 'audio';
    if (RANK[t] > RANK[tier]) tier = t;
    if (typeof o.durationSeconds !== 'number') {
      unmeasured++;
      continue;
    }
    rendered += o.durationSeconds;
    secondsByTier[t] = r3((secondsByTier[t] ?? 0) + o.durationSeconds);
  }
  const metered = typeof job.computeSeconds === 'number' && job.computeSeconds > 0;
  return {
    tenantId: job.tenantId,
    jobId: job.id,
    type: job.type,
    day: endedAt.slice(0, 10),
    endedAt,
    renderedSeconds: r3(rendered),
    tier,
    secondsByTier,
    chunkSeconds: metered ? r3(job.computeSeconds!) : jobSeconds(job, endedAt).renderSeconds,
    chunkSecondsSource: metered ? 'metered' : 'wall',
    bytesStored: outputs.reduce((s, o) => s + (o.bytes ?? 0), 0),
    outputs: outputs.length,
    unmeasuredOutputs: unmeasured,
  };
}

export interface UsageTotals {
  jobs: number;
  renderedSeconds: number;
  secondsByTier: Partial<Record<Tier, number>>;
  chunkSeconds: number;
  bytesStored: number;
}

export function sumUsage(records: readonly UsageRecord[]): UsageTotals {
  const t: UsageTotals = { jobs: 0, renderedSeconds: 0, secondsByTier: {}, chunkSeconds: 0, bytesStored: 0 };
  for (const r of records) {
    t.jobs++;
    t.renderedSeconds = r3(t.renderedSeconds + r.renderedSeconds);
    t.chunkSeconds = r3(t.chunkSeconds + r.chunkSeconds);
    t.bytesStored += r.bytesStored;
    for (const [k, v] of Object.entries(r.secondsByTier))
      t.secondsByTier[k as Tier] = r3((t.secondsByTier[k as Tier] ?? 0) + (v ?? 0));
  }
  return t;
}

/** Totals per UTC day, oldest first; days without jobs are left out. */
export function totalsByDay(records: readonly UsageRecord[]): Array<{ day: string } & UsageTotals> {
  const byDay = new Map<string, UsageRecord[]>();
  for (const r of records) byDay.set(r.day, [...(byDay.get(r.day) ?? []), r]);
  return [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, rs]) => ({ day, ...sumUsage(rs) }));
}
