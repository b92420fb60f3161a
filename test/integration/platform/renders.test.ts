import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { startReceiver } from '../../../examples/webhook-receiver.js';
import { imageFixture, squareFixture, toneFixture, videoFixture } from '../../helpers/fixtures.js';
import { countFrames, decodePcm, ffprobeJson, ssimPerFrame } from '../../helpers/media.js';
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
let receiver: Awaited<ReturnType<typeof startReceiver>>;

const edit = (seconds = 2, extra: Record<string, unknown> = {}) => ({
  timeline: {
    soundtrack: { src: fixtureUrl('tone-330-6.wav') },
    tracks: [
      { clips: [{ asset: { type: 'title', text: 'local' }, start: 0.2, length: seconds - 0.4 }] },
      { clips: [{ asset: { type: 'video', src: fixtureUrl('video.mp4') }, start: 0, length: seconds }] },
    ],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 } },
  ...extra,
});

async function download(url: string, name: string): Promise<string> {
  const path = join(tmpdir(), `${Date.now()}-${name}`);
  await writeFile(path, Buffer.from(await (await fetch(url)).arrayBuffer()));
  return path;
}

beforeAll(async () => {
  await Promise.all([videoFixture(), toneFixture(6, 330), imageFixture('red'), squareFixture()]);
  // The receiver listens on 127.0.0.1: the development opt-in for local receivers.
  platform = await startTestPlatform({
    allowLocalWebhooks: true,
    // Short audio parts, so the 8 s chunked render below mixes its audio as two parts.
    planLimits: { minAudioPartSeconds: 2 },
  });
  call = api(platform);
  receiver = await startReceiver({ port: 0, secret: await platform.webhookSecretsOf(platform.apiKeyId) });
});
afterAll(async () => {
  await receiver?.close();
  await platform?.close();
});

describe('the local platform', () => {
  it('submit → SUCCEEDED with an MP4 in the outputs bucket, stages moving forward, a signed Job Succeeded webhook', async () => {
    const res = await call('POST', '/v1/renders', { ...edit(2), callback: `${receiver.url}/hook` });
    expect(res.status).toBe(202);
    const { job, seen } = await waitForJob(call, res.body.id);
    expect(job.status).toBe('SUCCEEDED');
    // Progress never goes back; stages follow the pipeline's order.
    const order = ['validating', 'probing', 'planning', 'rendering', 'stitching', 'finalizing'];
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.progress).toBeGreaterThanOrEqual(seen[i - 1]!.progress);
      if (seen[i]!.stage && seen[i - 1]!.stage)
        expect(order.indexOf(seen[i]!.stage!)).toBeGreaterThanOrEqual(order.indexOf(seen[i - 1]!.stage!));
    }
    expect(seen[seen.length - 1]).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
    const video = job.outputs.find((o: { kind: string }) => o.kind === 'video');
    expect(video.key).toBe(`outputs/${platform.apiKeyId}/${job.id}/output.mp4`);
    const file = await download(video.url, 'out.mp4');
    const probe = await ffprobeJson(file);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Number(probe.format.duration)).toBeCloseTo(2, 1);
    for (let i = 0; i < 40 && !receiver.received.some((e) => e['detail-type'] === 'Job Succeeded'); i++)
      await new Promise((r) => setTimeout(r, 100));
    const delivered = receiver.received.find((e) => e['detail-type'] === 'Job Succeeded');
    expect(delivered?.detail).toMatchObject({ jobId: job.id, status: 'SUCCEEDED' });
  });

  it('a bad edit is 400 with the JSON path; no key is 403; another tenant cannot read or cancel (404)', async () => {
    const bad = await call('POST', '/v1/renders', {
      ...edit(),
      output: { format: 'mp4', resolution: 'huge' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('output.resolution');
    const nokey = await fetch(`${platform.url}/v1/renders`);
    expect(nokey.status).toBe(403);
    const res = await call('POST', '/v1/renders', edit(1));
    const other = api(platform, SECOND_TENANT.value);
    expect((await other('GET', `/v1/renders/${res.body.id}`)).status).toBe(404);
    expect((await other('POST', `/v1/renders/${res.body.id}/cancel`)).status).toBe(404);
    expect((await other('GET', '/v1/renders')).body.renders).toEqual([]);
    await waitForJob(call, res.body.id);
  });

  it('the same Idempotency-Key gives the same job id and runs once', async () => {
    const headers = { 'idempotency-key': `order-${Date.now()}` };
    const a = await call('POST', '/v1/renders', edit(1), headers);
    const b = await call('POST', '/v1/renders', edit(1), headers);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers.get('idempotent-replay')).toBe('true');
    await waitForJob(call, a.body.id);
    expect([...platform.sfn.executions.keys()].filter((k) => k === a.body.id)).toHaveLength(1);
  });

  it('cancel → CANCELLED and stays CANCELLED; a failing source → FAILED with the reason', async () => {
    const long = await call('POST', '/v1/renders', edit(4));
    const cancelled = await call('POST', `/v1/renders/${long.body.id}/cancel`);
    expect(cancelled.status).toBe(202);
    const { job } = await waitForJob(call, long.body.id);
    expect(job.status).toBe('CANCELLED');
    await platform.sfn.drain();
    expect((await call('GET', `/v1/renders/${long.body.id}`)).body.status).toBe('CANCELLED');

    const missing = await call('POST', '/v1/renders', {
      ...edit(1),
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'video', src: fixtureUrl('missing.mp4') }, start: 0, length: 1 }] },
        ],
      },
    });
    const failed = await waitForJob(call, missing.body.id);
    expect(failed.job.status).toBe('FAILED');
    expect(failed.job.error.code).toBe('SOURCE_NOT_FOUND');
    expect(failed.job.error.message).toContain('timeline.tracks[0].clips[0].asset.src');
  });

  it('lists renders newest first with pagination', async () => {
    const page1 = await call('GET', '/v1/renders?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.renders).toHaveLength(2);
    expect(page1.body.cursor).toBeTruthy();
    const page2 = await call('GET', `/v1/renders?limit=2&cursor=${page1.body.cursor}`);
    expect(page2.body.renders.length).toBeGreaterThan(0);
    const ids = [...page1.body.renders, ...page2.body.renders].map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const times = [...page1.body.renders, ...page2.body.renders].map(
      (r: { createdAt: string }) => r.createdAt,
    );
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('a chunked render through the Map state produces the same frames as a single pass', async () => {
    const long = {
      timeline: {
        tracks: [
          {
            clips: [
              {
                asset: { type: 'image', src: fixtureUrl('square.png') },
                start: 0,
                length: 8,
                scale: 0.4,
                effect: 'zoomIn',
              },
            ],
          },
          {
            clips: [
              { asset: { type: 'video', src: fixtureUrl('video.mp4') }, start: 0, length: 4 },
              { asset: { type: 'video', src: fixtureUrl('video.mp4') }, start: 3.5, length: 4.5 },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    };
    const res = await call('POST', '/v1/renders', long);
    const { job } = await waitForJob(call, res.body.id);
    expect(job.status).toBe('SUCCEEDED');
    const exec = platform.sfn.executions.get(job.id)!;
    expect(JSON.parse(exec.input)).toEqual({ jobId: job.id, tenantId: platform.apiKeyId });
    // The plan chunked it (8 s ≥ 2 × minChunkSeconds): the Map rendered two chunks on Lambda and the
    // stitch joined them (their files are removed from work/ once the job succeeds).
    expect(job.plan).toEqual([{ rendition: 'output', target: 'lambda', chunks: 2 }]);
    const stitched = await download(job.outputs[0].url, 'chunked.mp4');
    expect(await countFrames(stitched)).toBe(200);

    const { renderEdit } = await import('../../helpers/fixtures.js');
    const single = join(tmpdir(), `${Date.now()}-single.mp4`);
    const local = JSON.parse(JSON.stringify(long).replaceAll(`${fixtureUrl('')}/`, ''));
    await renderEdit(local, single);
    const ssim = await ssimPerFrame(single, stitched);
    expect(ssim).toHaveLength(200);
    expect(ssim.reduce((a, b) => a + b, 0) / ssim.length).toBeGreaterThanOrEqual(0.99);
    expect(Math.min(...ssim)).toBeGreaterThanOrEqual(0.97);

    // The audio was mixed as two AAC parts (one Map item each) and joined by stream copy: same length in
    // samples as the single pass, and the same sound up to AAC coding noise.
    const audio = async (f: string) =>
      (await ffprobeJson(f)).streams.find((s) => s.codec_type === 'audio')!.duration_ts;
    expect(await audio(stitched)).toBe(await audio(single));
    const [a, b] = await Promise.all([decodePcm(single), decodePcm(stitched)]);
    expect(b.length).toBe(a.length);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    expect(max).toBeLessThan(0.01);
  });
});
