import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../../examples/webhook-receiver.js';
import { assertOutputsStored, cleanWork, putWorkFile } from '../../../lambdas/core/objects/job-objects.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { FIXTURES, videoFixture } from '../../helpers/fixtures.js';
import { faultyFfmpeg, type FaultyFfmpeg } from '../../helpers/faults.js';
import { countFrames } from '../../helpers/media.js';
import {
  api,
  fixtureUrl,
  SECOND_TENANT,
  startTestPlatform,
  waitForJob,
  type Api,
} from '../../helpers/platform.js';

/**
 * Faults injected from outside (a misbehaving ffmpeg on CUTLINE_FFMPEG, broken files, a storage write that
 * fails), observed only through the HTTP API, the event log, the callback and the bucket: every job ends
 * in a terminal state with a reason, and every output it reports is in the bucket.
 */
let platform: LocalPlatform;
let call: Api;
let ffmpeg: FaultyFfmpeg;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const savedFfmpeg = process.env.CUTLINE_FFMPEG;

/** 2 s of title on colour at 160×90: the plan cuts it into 2 chunks (minChunkSeconds 1, 2 workers). */
const edit = (extra: Record<string, unknown> = {}) => ({
  timeline: {
    background: '#203040',
    tracks: [{ clips: [{ asset: { type: 'title', text: 'fault' }, start: 0, length: 2 }] }],
  },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
  ...extra,
});
const withVideo = (src: string) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length: 1 }] }] },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
});

async function keysUnder(prefix: string): Promise<string[]> {
  const p = getPlatform();
  return p.objects.list(p.outputsBucket, prefix);
}

async function events(jobId: string) {
  await platform.bus.drain();
  return (await readFile(join(platform.dataDir, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { 'detail-type': string; detail: Record<string, unknown> })
    .filter((e) => e.detail.jobId === jobId);
}

/** The job's terminal state, after its execution is over (nothing of it still running). */
async function settle(id: string) {
  const { job } = await waitForJob(call, id, 90_000);
  await platform.sfn.drain();
  const after = (await call('GET', `/v1/renders/${id}`)).body;
  expect(after.status).toBe(job.status); // terminal never changes
  if (after.status === 'SUCCEEDED') await assertOutputsStored(after.outputs);
  else expect(after.outputs ?? []).toEqual([]);
  return after;
}

beforeAll(async () => {
  await videoFixture();
  ffmpeg = await faultyFfmpeg();
  await ffmpeg.set('pass');
  // Before the platform starts, so any child it spawns (the Fargate stand-in) inherits it too.
  process.env.CUTLINE_FFMPEG = ffmpeg.bin;
  platform = await startTestPlatform({
    planLimits: { minChunkSeconds: 1, maxConcurrency: 2 },
    allowLocalWebhooks: true, // the receiver is on 127.0.0.1
  });
  call = api(platform);
  receiver = await startReceiver({ port: 0, secret: await platform.webhookSecretsOf(platform.apiKeyId) });
});
afterAll(async () => {
  await receiver?.close();
  await platform?.close();
  await ffmpeg?.dispose();
  if (savedFfmpeg === undefined) delete process.env.CUTLINE_FFMPEG;
  else process.env.CUTLINE_FFMPEG = savedFfmpeg;
});

describe('a chunk render that fails', () => {
  it('transiently (ffmpeg killed mid-render): the chunk is retried and the job succeeds with every frame', async () => {
    await ffmpeg.set('kill-once:chunk-0001');
    const res = await call('POST', '/v1/renders', edit());
    const job = await settle(res.body.id);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    const attempts = (await ffmpeg.calls()).filter((c) => c.includes('chunk-0001'));
    expect(attempts).toHaveLength(2);
    const file = join(platform.dataDir, 'retried.mp4');
    await writeFile(file, Buffer.from(await (await fetch(job.outputs[0].url)).arrayBuffer()));
    expect(await countFrames(file)).toBe(50);
  });

  it('permanently: FAILED naming the chunk and the reason, Job Failed delivered, intermediates removed', async () => {
    await ffmpeg.set('fail:chunk-');
    // Muted: no audio branch. (A branch still running when the job fails writes after MarkFailed's cleanup
    // unless it stores through putWorkFile — see the report; the lifecycle rule is the backstop.)
    const res = await call(
      'POST',
      '/v1/renders',
      edit({
        callback: `${receiver.url}/hook`,
        output: { format: 'mp4', size: { width: 160, height: 90 }, mute: true },
      }),
    );
    const job = await settle(res.body.id);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('RENDER_FAILED');
    expect(job.error.message).toMatch(
      /chunk \d+ \(frames \d+–\d+\) failed: .*injected failure: the encoder gave up/,
    );
    const failed = (await events(job.id)).filter((e) => e['detail-type'] === 'Job Failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail.error).toMatchObject({ code: 'RENDER_FAILED' });
    for (let i = 0; i < 50 && !receiver.received.some((e) => e.detail.jobId === job.id); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.filter((e) => e.detail.jobId === job.id).map((e) => e['detail-type'])).toEqual([
      'Job Failed',
    ]);
    expect(await keysUnder(`work/${job.id}/`)).toEqual([]);
    expect(await keysUnder(`outputs/${platform.apiKeyId}/${job.id}/`)).toEqual([]);
  });
});

describe('broken sources and storage', () => {
  it('a truncated source and one that is not media end FAILED with the source named', async () => {
    const dir = join(FIXTURES, 'broken');
    await mkdir(dir, { recursive: true });
    const whole = await readFile(await videoFixture());
    await writeFile(join(dir, 'truncated.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
    await writeFile(
      join(dir, 'garbage.mp4'),
      Buffer.from('this is not a video at all, just text'.repeat(50)),
    );
    await ffmpeg.set('pass');
    for (const name of ['truncated.mp4', 'garbage.mp4']) {
      const res = await call('POST', '/v1/renders', withVideo(fixtureUrl(`broken/${name}`)));
      expect(res.status).toBe(202);
      const job = await settle(res.body.id);
      expect([name, job.status]).toEqual([name, 'FAILED']);
      expect(job.error.code).toMatch(/^SOURCE_/);
      expect(job.error.message).toContain('timeline.tracks[0].clips[0].asset.src');
      expect(await keysUnder(`work/${job.id}/`)).toEqual([]);
    }
  });

  it('an output write that fails ends FAILED with the storage error, reporting no output', async () => {
    await ffmpeg.set('pass');
    // s3rver keeps objects as files: a plain file where the tenant's outputs/ folder must go makes every
    // write under it fail inside the S3 server (root or not), while reads and the tenant's work/ still work.
    const blocked = join(platform.dataDir, 's3', 'cutline-outputs', 'outputs', SECOND_TENANT.id);
    await mkdir(join(blocked, '..'), { recursive: true });
    await rm(blocked, { recursive: true, force: true });
    await writeFile(blocked, 'in the way');
    try {
      const other = api(platform, SECOND_TENANT.value);
      const res = await other('POST', '/v1/renders', withVideo(fixtureUrl('video.mp4')));
      const { job } = await waitForJob(other, res.body.id, 90_000);
      await platform.sfn.drain();
      expect(job.status).toBe('FAILED');
      expect(job.error.message).toMatch(/^failed while (rendering|stitching|finalizing): InternalError: /);
      expect(job.outputs ?? []).toEqual([]);
      expect((await events(job.id)).map((e) => e['detail-type'])).toContain('Job Failed');
    } finally {
      await rm(blocked, { force: true });
    }
  });
});

describe('duplicate deliveries', () => {
  it('the same Idempotency-Key sent 8 times at once makes one job and one execution', async () => {
    await ffmpeg.set('pass');
    const headers = { 'idempotency-key': `burst-${Date.now()}` };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => call('POST', '/v1/renders', edit(), headers)),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const ids = new Set(answers.map((a) => a.body.id as string));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replay') === 'true')).toHaveLength(7);
    const [id] = [...ids];
    await settle(id!);
    expect([...platform.sfn.executions.keys()].filter((k) => k === id)).toHaveLength(1);
    expect((await events(id!)).filter((e) => e['detail-type'] === 'Job Succeeded')).toHaveLength(1);
  });
});

describe('storage guards (core functions the pipeline calls)', () => {
  it('assertOutputsStored refuses an output that is missing or shorter in the bucket than reported', async () => {
    const p = getPlatform();
    const file = join(platform.dataDir, 'guard.bin');
    await writeFile(file, Buffer.alloc(1000, 7));
    const key = `outputs/${platform.apiKeyId}/guard/output.mp4`;
    await p.objects.putFile(p.outputsBucket, key, file);
    await assertOutputsStored([{ key, bytes: 1000 }]);
    await expect(assertOutputsStored([{ key, bytes: 2000 }])).rejects.toThrow(
      /1000 bytes in the bucket but 2000/,
    );
    await expect(assertOutputsStored([{ key: `${key}.missing`, bytes: 1 }])).rejects.toThrow(
      /is not in the bucket/,
    );
  });

  it('putWorkFile removes what it wrote when the job has already failed; cleanWork empties work/<job>/', async () => {
    const res = await call('POST', '/v1/renders', withVideo(fixtureUrl('no-such-source.mp4')));
    const job = await settle(res.body.id);
    expect(job.status).toBe('FAILED');
    const file = join(platform.dataDir, 'late.bin');
    await writeFile(file, 'a late chunk');
    expect(await putWorkFile(job.id, 'chunk-0009.mp4', file)).toBe(false);
    expect(await keysUnder(`work/${job.id}/`)).toEqual([]);
    const p = getPlatform();
    await p.objects.putFile(p.outputsBucket, `work/${job.id}/a`, file);
    await p.objects.putFile(p.outputsBucket, `work/${job.id}/b/c`, file);
    expect(await cleanWork(job.id)).toBe(2);
    expect(await keysUnder(`work/${job.id}/`)).toEqual([]);
    await expect(cleanWork('../outputs')).rejects.toThrow(/not a job id/);
  });
});
