import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../lambdas/core/config.js';
import { metrics, publishMetrics, recordJobEnd } from '../../../lambdas/core/observability.js';

const saved = process.env[ENV.METRICS_FILE];
afterAll(() => {
  if (saved === undefined) delete process.env[ENV.METRICS_FILE];
  else process.env[ENV.METRICS_FILE] = saved;
});

describe('metrics (EMF) lines', () => {
  it('go to the file ENV.METRICS_FILE names, set after the module loaded (as the local platform does)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cutline-metrics-')), 'metrics.jsonl');
    process.env[ENV.METRICS_FILE] = file;
    recordJobEnd('SUCCEEDED', 4.5);
    recordJobEnd('FAILED');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ service: 'cutline', JobsSucceeded: 1, RenderSeconds: 4.5 });
    expect(lines[0]!._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'Cutline' }] });
    expect(lines[1]).toMatchObject({ JobsFailed: 1 });
  });

  it('an invocation that recorded none writes nothing (not even an empty line)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cutline-metrics-')), 'metrics.jsonl');
    process.env[ENV.METRICS_FILE] = file;
    expect(metrics.hasStoredMetrics()).toBe(false);
    publishMetrics();
    expect(existsSync(file)).toBe(false);
  });
});
