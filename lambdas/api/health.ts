import type { APIGatewayProxyResult } from 'aws-lambda';
import { checkHealth, type HealthReport } from '../core/ops/health.js';
import { json } from './http.js';
import { observed } from '../core/observability.js';

/** Reports are reused this long: the route is public, so a flood costs the dependencies one check per 10 s. */
const CACHE_MS = 10_000;
let cached: { at: number; report: Promise<HealthReport> } | undefined;

/**
 * Health without an API key: each dependency's status and latency and the ffmpeg renders use. 200 when
 * every dependency answers (status ok, or degraded when ffmpeg lacks a feature), 503 when one is down.
 */
async function health(): Promise<APIGatewayProxyResult> {
  if (!cached || Date.now() - cached.at > CACHE_MS) {
    const report = checkHealth();
    cached = { at: Date.now(), report };
    report.catch(() => (cached = undefined));
  }
  const report = await cached.report;
  return json(report.status === 'down' ? 503 : 200, report, { 'cache-control': 'no-store' });
}

/** Tests drop the cached report. */
export function resetHealth(): void {
  cached = undefined;
}

export const handler = observed(health);
