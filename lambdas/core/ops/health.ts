import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { clients } from '../aws/clients.js';
import { ENV, requireEnv } from '../config.js';
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

const CHECK_TIMEOUT_MS = 3000;

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
 * feature the compiler uses.
 */
export async function checkHealth(): Promise<HealthReport> {
  const c = clients();
  const p = getPlatform();
  ffmpegCheck ??= checkFfmpeg();
  const ffT0 = performance.now();
  const [table, ingest, outputs, sm, ff] = await Promise.all([
    timed('table', () =>
      c.db.send(new GetCommand({ TableName: p.table, Key: { PK: 'HEALTH', SK: 'PING' } })),
    ),
    timed('ingestBucket', () => c.s3.send(new HeadBucketCommand({ Bucket: p.ingestBucket }))),
    timed('outputsBucket', () => c.s3.send(new HeadBucketCommand({ Bucket: p.outputsBucket }))),
    timed('stateMachine', () =>
      c.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: requireEnv(ENV.STATE_MACHINE_ARN) })),
    ),
    ffmpegCheck,
  ]);
  const ffDep: DependencyCheck = {
    name: 'ffmpeg',
    status: ff.version ? 'ok' : 'error',
    latencyMs: Math.round(performance.now() - ffT0),
    ...(ff.version ? {} : { error: 'NotFound' }),
  };
  const dependencies = [table, ingest, outputs, sm, ffDep];
  const down = dependencies.some((d) => d.status !== 'ok');
  return {
    status: down ? 'down' : ff.ok ? 'ok' : 'degraded',
    time: new Date().toISOString(),
    dependencies,
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
