import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { recordCompletion } from '../../../lambdas/core/usage/index.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import { videoFixture } from '../../helpers/fixtures.js';
import { ffprobeJson, readFrame } from '../../helpers/media.js';
import {
  api,
  fixtureUrl,
  SECOND_TENANT,
  startTestPlatform,
  waitForJob,
  type Api,
} from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;

/** A red card of `seconds` at 320×180 with a title: fast to render, easy to check by pixels. */
const card = (seconds: number) => ({
  timeline: {
    background: '#ff0000',
    tracks: [
      { clips: [{ asset: { type: 'title', text: 'quick', size: 'small' }, start: 0, length: seconds }] },
    ],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 } },
});

const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  await videoFixture();
  // tenant-b may render 2.4 s of video a month: the first 2 s job fits, the 1 s one after it does not.
  platform = await startTestPlatform({ quotas: { [SECOND_TENANT.id]: { renderMinutesPerMonth: 0.04 } } });
  call = api(platform);
});
afterAll(async () => {
  await platform?.close();
});

describe('the quick path (?wait=N)', () => {
  let quick: { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('answers 200 with the finished job, its estimate and a presigned output URL for a 2 s edit', async () => {
    const t0 = Date.now();
    quick = await call('POST', '/v1/renders?wait=25', card(2));
    expect(quick.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(25_000);
    expect(quick.body.status).toBe('SUCCEEDED');
    expect(quick.body.estimate).toMatchObject({
      complete: true,
      plan: { target: 'lambda', chunks: expect.any(Number) },
    });
    expect(quick.body.estimate.renditions[0].durationSeconds).toBeCloseTo(2, 1);
    expect(quick.body.estimatedSeconds).toBeGreaterThan(0);
    expect(quick.body.actual.renderSeconds).toBeGreaterThan(0);
    const video = quick.body.outputs.find((o: { kind: string }) => o.kind === 'video');
    expect(video.url).toMatch(/X-Amz-Signature=/);
    const file = join(tmpdir(), `quick-${Date.now()}.mp4`);
    await writeFile(file, Buffer.from(await (await fetch(video.url)).arrayBuffer()));
    expect(Number((await ffprobeJson(file)).format.duration)).toBeCloseTo(2, 1);
    const px = await readFrame(file, 1);
    const corner = px.data.subarray(0, 4); // top-left pixel: the red background
    expect(corner[0]).toBeGreaterThan(200);
    expect(corner[1]).toBeLessThan(40);
  });

  it('answers 202 with the job id for a long edit, exactly as the async path; the job is neither lost nor duplicated', async () => {
    const res = await call('POST', '/v1/renders?wait=1', card(120), {
      'idempotency-key': `long-${Date.now()}`,
    });
    expect(res.status).toBe(202);
    expect(['QUEUED', 'RUNNING']).toContain(res.body.status);
    expect(res.headers.get('location')).toBe(`/v1/renders/${res.body.id}`);
    expect(res.body.links.self).toBe(`/v1/renders/${res.body.id}`);
    expect(res.body.estimate.renditions[0].durationSeconds).toBe(120);
    expect(res.body.estimatedSeconds).toBeGreaterThan(quick.body.estimatedSeconds);
    const got = await call('GET', `/v1/renders/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.estimate).toEqual(res.body.estimate);
    expect([...platform.sfn.executions.keys()].filter((k) => k === res.body.id)).toHaveLength(1);
    const listed = (await call('GET', '/v1/renders?limit=100')).body.renders.filter(
      (r: { id: string }) => r.id === res.body.id,
    );
    expect(listed).toHaveLength(1);
    await call('POST', `/v1/renders/${res.body.id}/cancel`);
    expect((await waitForJob(call, res.body.id)).job.status).toBe('CANCELLED');
  });

  it('refuses a wait over 25 s with the query path', async () => {
    const res = await call('POST', '/v1/renders?wait=30', card(1));
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.wait');
  });
});

describe('estimates at submit', () => {
  it('reads an "auto" length from the source headers: a local file and an upload through a presigned URL', async () => {
    const edit = (src: string) => ({
      timeline: { tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length: 'auto' }] }] },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    });
    const local = await call('POST', '/v1/renders', edit(fixtureUrl('video.mp4')));
    expect(local.status).toBe(202);
    expect(local.body.estimate.complete).toBe(true);
    expect(local.body.estimate.renditions[0].durationSeconds).toBeCloseTo(4, 1);

    const clip = await readFile(await videoFixture());
    const up = await call('POST', '/v1/uploads', {
      filename: 'clip.mp4',
      contentType: 'video/mp4',
      bytes: clip.length,
    });
    await fetch(up.body.url, { method: 'PUT', headers: up.body.headers, body: clip });
    const s3 = await call('POST', '/v1/renders', edit(up.body.src));
    expect(s3.body.estimate.complete).toBe(true);
    expect(s3.body.estimate.renditions[0].durationSeconds).toBeCloseTo(4, 1);
    await Promise.all([waitForJob(call, local.body.id), waitForJob(call, s3.body.id)]);
  });

  it('says what it could not estimate instead of guessing', async () => {
    const res = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'video', src: fixtureUrl('absent.mp4') }, start: 0, length: 'auto' }] },
        ],
      },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    });
    expect(res.status).toBe(202);
    expect(res.body.estimate).toMatchObject({ estimatedSeconds: null, complete: false, plan: null });
    expect(res.body.estimate.unknown[0].path).toBe('timeline.tracks[0].clips[0].asset.src');
    expect(res.body.estimatedSeconds).toBeUndefined();
    expect((await waitForJob(call, res.body.id)).job.status).toBe('FAILED');
  });
});

describe('usage metering and quotas', () => {
  it('a finished job writes one usage record: rendered seconds, tier, compute and bytes, by day', async () => {
    const before = (await call('GET', `/v1/usage?from=${today()}&to=${today()}`)).body.totals;
    const res = await call('POST', '/v1/renders?wait=25', card(2));
    expect(res.status).toBe(200);
    // Finalize writes the usage record just after the job's SUCCEEDED: wait for it (bounded).
    let after = await call('GET', `/v1/usage?from=${today()}&to=${today()}`);
    for (let i = 0; i < 50 && after.body.totals?.jobs === before.jobs; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await call('GET', `/v1/usage?from=${today()}&to=${today()}`);
    }
    expect(after.status).toBe(200);
    expect(after.body.days).toHaveLength(1);
    expect(after.body.days[0].day).toBe(today());
    const video = res.body.outputs.find((o: { kind: string }) => o.kind === 'video');
    const bytes = res.body.outputs.reduce((s: number, o: { bytes: number }) => s + o.bytes, 0);
    expect(after.body.totals.jobs - before.jobs).toBe(1);
    expect(after.body.totals.renderedSeconds - before.renderedSeconds).toBeCloseTo(2, 1);
    expect(after.body.totals.secondsByTier.sd - (before.secondsByTier.sd ?? 0)).toBeCloseTo(2, 1);
    expect(after.body.totals.bytesStored - before.bytesStored).toBe(bytes);
    expect(video.bytes).toBeGreaterThan(0);
    expect(after.body.totals.chunkSeconds).toBeGreaterThan(before.chunkSeconds);

    // A second Finalize of the same job counts nothing twice.
    const job = (await getPlatform().jobs.get(res.body.id))!;
    await recordCompletion(job);
    const again = await call('GET', `/v1/usage?from=${today()}&to=${today()}`);
    expect(again.body.totals).toEqual(after.body.totals);
  });

  it('refuses a new job with 429, a clear message and Retry-After once a tenant quota is used up', async () => {
    const b = api(platform, SECOND_TENANT.value);
    const first = await b('POST', '/v1/renders?wait=25', card(2));
    expect(first.status).toBe(200);
    const refused = await b('POST', '/v1/renders', card(1));
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(refused.body.error.message).toMatch(
      /render minutes quota for \d{4}-\d{2} is used up \(0\.03 of 0\.04 used or reserved by running jobs; this job needs 0\.02\)/,
    );
    const retry = Number(refused.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(31 * 86400);
    const usage = await b('GET', '/v1/usage');
    expect(usage.body.quota).toMatchObject({
      limits: { renderMinutesPerMonth: 0.04 },
      used: { renderMinutes: 0.03 },
    });
    // The other tenant has no quota and is not affected.
    expect((await call('POST', '/v1/renders?wait=25', card(1))).status).toBe(200);
  });

  it('validates the usage range with the query path', async () => {
    const bad = await call('GET', '/v1/usage?from=2026-13-01');
    expect([bad.status, bad.body.error.details[0].path]).toEqual([400, 'query.from']);
    const reversed = await call('GET', '/v1/usage?from=2026-02-01&to=2026-01-01');
    expect(reversed.status).toBe(400);
  });
});

describe('operations', () => {
  it('metrics: jobs by status, success rate, p50/p95 render time, queue depth and estimate error, per tenant', async () => {
    const res = await call('GET', '/v1/metrics?window=1h');
    expect(res.status).toBe(200);
    const m = res.body;
    expect(m.byStatus.SUCCEEDED).toBeGreaterThanOrEqual(3);
    expect(m.byStatus.CANCELLED).toBeGreaterThanOrEqual(1);
    expect(m.byStatus.FAILED).toBeGreaterThanOrEqual(1);
    expect(m.successRate).toBeCloseTo(m.byStatus.SUCCEEDED / (m.byStatus.SUCCEEDED + m.byStatus.FAILED), 3);
    expect(m.renderSeconds.count).toBe(m.byStatus.SUCCEEDED);
    expect(m.renderSeconds.p50).toBeGreaterThan(0);
    expect(m.renderSeconds.p95).toBeGreaterThanOrEqual(m.renderSeconds.p50);
    expect(m.queueDepth).toEqual({ queued: 0, running: 0, total: 0 });
    expect(m.estimateError.submit.count).toBeGreaterThanOrEqual(3);
    expect(m.estimateError.submit.medianAbsRelativeError).toBeGreaterThanOrEqual(0);
    // Tenant-scoped: tenant-b sees only its own job.
    const b = await api(platform, SECOND_TENANT.value)('GET', '/v1/metrics?window=1h');
    expect(b.body.jobs).toBe(1);
    const bad = await call('GET', '/v1/metrics?window=90d');
    expect([bad.status, bad.body.error.details[0].path]).toEqual([400, 'query.window']);
  });

  it('health, without a key: each dependency with status and latency, ffmpeg version and features, no names', async () => {
    const res = await fetch(`${platform.url}/v1/health`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const h = JSON.parse(text);
    expect(h.status).toBe('ok');
    expect(h.dependencies.map((d: { name: string }) => d.name)).toEqual([
      'table',
      'ingestBucket',
      'outputsBucket',
      'stateMachine',
      'ffmpeg',
    ]);
    for (const d of h.dependencies) {
      expect(d.status).toBe('ok');
      expect(d.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(h.ffmpeg.version).toMatch(/^ffmpeg version/);
    expect(h.ffmpeg.encoders).toContain('libx264');
    expect(h.ffmpeg.filters.present).toBe(h.ffmpeg.filters.required);
    expect(text).not.toMatch(/cutline-ingest|cutline-outputs|arn:aws|127\.0\.0\.1/);
  });
});
