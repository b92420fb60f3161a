import { statfs } from 'node:fs/promises';
import { ENV } from '../config.js';
import { checkFfmpeg, REQUIRED, type FfmpegCheck } from '../media/capabilities.js';
import { getPlatform } from '../platform.js';

export interface DependencyCheck {
  name: 'table' | 'ingestBucket' | 'outputsBucket' | 'stateMachine' | 'ffmpeg';
  status: 'ok' | 'error';
  latencyMs: number;
  /** The error's name only (e.g. AccessDenied): the route is public, so no names, ARNs or messages. */
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  time: string;
  dependencies: DependencyCheck[];
  /** Local mode: the disks of the table, the object store and scratch (a full one degrades health). */
  storage?: StoreSpace[];
  ffmpeg: {
    version: string | null;
    ok: boolean;
    /** The encoders the compiler uses that this ffmpeg has (output formats depend on them). */
    encoders: string[];
    /** Of the filters the compiler uses, how many this ffmpeg has. */
    filters: { required: number; present: number };
    missing?: FfmpegCheck['missing'];
  };
}

/** The free space of one local store's disk (local mode: ENV.LOCAL_STORES). */
export interface StoreSpace {
  name: string;
  status: 'ok' | 'low' | 'error';
  freeBytes?: number;
  totalBytes?: number;
}

const CHECK_TIMEOUT_MS = 3000;
/** A store is `low` under this much free space, or under LOW_SHARE of its disk if that is less. */
const LOW_BYTES = 64 * 1024 * 1024;
const LOW_SHARE = 0.05;

/** statfs of each local store's folder: a full disk makes health `degraded` and names the store. */
export async function checkStoreSpace(): Promise<StoreSpace[]> {
  const raw = process.env[ENV.LOCAL_STORES];
  if (!raw) return [];
  const stores = JSON.parse(raw) as Record<string, string>;
  return Promise.all(
    Object.entries(stores).map(async ([name, dir]): Promise<StoreSpace> => {
      try {
        const s = await statfs(dir);
        const freeBytes = s.bavail * s.bsize;
        const totalBytes = s.blocks * s.bsize;
        const low = freeBytes < Math.min(LOW_BYTES, totalBytes * LOW_SHARE);
        return { name, status: low ? 'low' : 'ok', freeBytes, totalBytes };
      } catch {
        return { name, status: 'error' };
      }
    }),
  );
}

async function timed(name: DependencyCheck['name'], fn: () => Promise<unknown>): Promise<DependencyCheck> {
  const t0 = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(Object.assign(new Error('timeout'), { name: 'Timeout' })),
          CHECK_TIMEOUT_MS,
        ).unref(),
      ),
    ]);
    return { name, status: 'ok', latencyMs: Math.round(performance.now() - t0) };
  } catch (err) {
    return {
      name,
      status: 'error',
      latencyMs: Math.round(performance.now() - t0),
      error: (err as { name?: string }).name || 'Error',
    };
  }
}

let ffmpegCheck: Promise<FfmpegCheck> | undefined;

/**
 * Each dependency with its status and latency: a GetItem on the table, HeadBucket on both buckets,
 * DescribeStateMachine, and the ffmpeg this deployment renders with (checked once per process: it does
 * not change under a running function). `down` when a dependency fails, `degraded` when ffmpeg lacks a
 * feature the compiler uses or a local store's disk is (nearly) full.
 */
export async function checkHealth(): Promise<HealthReport> {
  const p = getPlatform();
  ffmpegCheck ??= checkFfmpeg();
  const ffT0 = performance.now();
  const [table, ingest, outputs, sm, ff, storage] = await Promise.all([
    timed('table', () => p.jobs.ping()),
    timed('ingestBucket', () => p.objects.ping(p.ingestBucket)),
    timed('outputsBucket', () => p.objects.ping(p.outputsBucket)),
    timed('stateMachine', () => p.executions.ping()),
    ffmpegCheck,
    checkStoreSpace(),
  ]);
  const ffDep: DependencyCheck = {
    name: 'ffmpeg',
    status: ff.version ? 'ok' : 'error',
    latencyMs: Math.round(performance.now() - ffT0),
    ...(ff.version ? {} : { error: 'NotFound' }),
  };
  const dependencies = [table, ingest, outputs, sm, ffDep];
  const down = dependencies.some((d) => d.status !== 'ok');
  const full = storage.some((s) => s.status !== 'ok');
  return {
    status: down ? 'down' : ff.ok && !full ? 'ok' : 'degraded',
    time: new Date().toISOString(),
    dependencies,
    ...(storage.length ? { storage } : {}),
    ffmpeg: {
      version: ff.version,
      ok: ff.ok,
      encoders: REQUIRED.encoders.filter((e) => !ff.missing.encoders.includes(e)),
      filters: {
        required: REQUIRED.filters.length,
        present: REQUIRED.filters.length - ff.missing.filters.length,
      },
      ...(ff.ok ? {} : { missing: ff.missing }),
    },
  };
}

/** Tests re-check after changing the ffmpeg. */
export function resetHealthCache(): void {
  ffmpegCheck = undefined;
}
