import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putOutputsIfLive } from '../../../lambdas/core/objects/job-objects.js';
import { keys } from '../../../lambdas/core/aws/storage.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { faultyFfmpeg, type FaultyFfmpeg } from '../../helpers/faults.js';
import { api, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';
import { groupAlive, recordedGroups, until } from '../../helpers/processes.js';

// Stopping means stopped: a cancelled job's processes (each ffmpeg a process group, here the fault
// script and the `sleep` it runs) end within 5 s, nothing of it is stored, and its scratch is gone.

let platform: LocalPlatform;
let call: Api;
let ffmpeg: FaultyFfmpeg;
const savedFfmpeg = process.env.CUTLINE_FFMPEG;

/** Title on colour at 160×90; under the limits below, 2 s and more are cut into chunks. */
const withLength = (length: number) => ({
  timeline: {
    background: '#203040',
    tracks: [{ clips: [{ asset: { type: 'title', text: 'stop' }, start: 0, length }] }],
  },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
});

beforeAll(async () => {
  ffmpeg = await faultyFfmpeg();
  await ffmpeg.set('pass');
  process.env.CUTLINE_FFMPEG = ffmpeg.bin;
  platform = await startTestPlatform({ workers: 2, planLimits: { minChunkSeconds: 1, maxConcurrency: 2 } });
  call = api(platform);
});
afterAll(async () => {
  await platform?.close();
  await ffmpeg?.dispose();
  if (savedFfmpeg === undefined) delete process.env.CUTLINE_FFMPEG;
  else process.env.CUTLINE_FFMPEG = savedFfmpeg;
});

const ffmpegGroups = () => recordedGroups(platform.dataDir).filter((g) => g.bin === 'ffmpeg');

async function keysUnder(prefix: string): Promise<string[]> {
  const p = getPlatform();
  return p.objects.list(p.outputsBucket, prefix);
}

/** Submits, waits until `groups` ffmpeg groups run for it, cancels; returns the job id and those groups. */
async function cancelMidRender(body: unknown, groups: number) {
  const res = await call('POST', '/v1/renders', body);
  expect(res.status).toBe(202);
  const id = res.body.id as string;
  // Running for certain: each has logged its call (the fault script's first act) and then hangs.
  await until(
    `${groups} ffmpeg group(s) running for ${id}`,
    async () => ffmpegGroups().length >= groups && (await ffmpeg.calls()).length >= groups,
    60_000,
  );
  const running = ffmpegGroups();
  for (const g of running) expect(groupAlive(g.pid)).toBe(true);
  const cancelled = await call('POST', `/v1/renders/${id}/cancel`);
  expect(cancelled.status).toBe(202);
  const t0 = Date.now();
  const cancelledAt = t0;
  await until('every process group of the job ended', () => running.every((g) => !groupAlive(g.pid)), 5000);
  const stoppedMs = Date.now() - t0;
  return { id, running, stoppedMs, cancelledAt };
}

async function expectNothingLeft(id: string, status = 'CANCELLED') {
  await platform.sfn.drain();
  const { job } = await waitForJob(call, id, 5000);
  expect(job.status).toBe(status);
  expect(job.outputs ?? []).toEqual([]);
  expect(await keysUnder(keys.output(platform.apiKeyId, id, ''))).toEqual([]);
  expect(await keysUnder(keys.work(id, ''))).toEqual([]);
  expect(existsSync(join(tmpdir(), 'cutline', id))).toBe(false);
  expect(ffmpegGroups()).toEqual([]);
}

describe('cancel mid-render', () => {
  it('single pass: its ffmpeg group ends within 5 s, no output object, no work/ prefix, no scratch', async () => {
    await ffmpeg.set('hang:output');
    // 1 s: below two chunks of minChunkSeconds, so one pass.
    const { id, running, stoppedMs } = await cancelMidRender(withLength(1), 1);
    expect(running).toHaveLength(1);
    expect(stoppedMs).toBeLessThan(5000);
    // Longer than a render of this size takes: nothing is written late either.
    await new Promise((r) => setTimeout(r, 1500));
    await expectNothingLeft(id);
    const calls = await ffmpeg.calls();
    expect(calls.filter((c) => c.endsWith('output.mp4'))).toHaveLength(1);
  });

  it('chunked: every chunk group ends within 5 s and no chunk is tried again', async () => {
    await ffmpeg.set('hang:chunk-');
    const { id, running, cancelledAt } = await cancelMidRender(withLength(4), 2);
    expect(running.length).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 4000)); // the ASL's retry interval is 3 s
    await expectNothingLeft(id);
    const calls = await ffmpeg.timedCalls();
    const chunkCalls = calls.map((c) => c.out).filter((c) => /chunk-\d+/.test(c));
    expect(chunkCalls.length).toBeGreaterThanOrEqual(1);
    // Each chunk started once (a stopped chunk is not retried), and nothing started after the cancel was
    // answered. A quick part (an audio part) may have started and ended before the running groups were
    // read, so the calls are at least the groups that were running, not exactly them.
    expect(new Set(chunkCalls).size).toBe(chunkCalls.length);
    expect(calls.filter((c) => c.at > cancelledAt).map((c) => c.out)).toEqual([]);
    expect(calls.length).toBeGreaterThanOrEqual(running.length);
  });
});

describe('a failure', () => {
  it("ends the job's other processes: a chunk fails, the chunk still rendering beside it is killed within 5 s", async () => {
    // Chunk 1 fails 5 s after it starts: by then chunk 0 has a worker (the audio mix is quick) and hangs.
    await ffmpeg.set(['hang:chunk-0000', 'fail-late:chunk-0001']);
    const res = await call('POST', '/v1/renders', withLength(4));
    const id = res.body.id as string;
    await until(
      'chunk 0 running',
      async () => (await ffmpeg.calls()).some((c) => c.includes('chunk-0000')),
      60_000,
    ).catch(async (err: Error) => {
      // Say where the job is, not only that chunk 0 never started.
      const seen = (await call('GET', `/v1/renders/${id}`)).body;
      throw new Error(`${err.message}; the job: ${JSON.stringify(seen)}; calls: ${await ffmpeg.calls()}`);
    });
    const hanging = ffmpegGroups();
    expect(hanging.length).toBeGreaterThanOrEqual(1);
    const { job } = await waitForJob(call, id, 60_000);
    expect(job.status).toBe('FAILED');
    expect(job.error.message).toMatch(/chunk 1 .*injected failure/);
    await until('the hanging chunk ended', () => hanging.every((g) => !groupAlive(g.pid)), 5000);
    await expectNothingLeft(id, 'FAILED');
  });
});

describe('storing outputs', () => {
  it('stores nothing for a job that already ended', async () => {
    const p = getPlatform();
    const now = new Date().toISOString();
    const { job } = await p.jobs.create({
      id: `ended-${Date.now()}`,
      tenantId: platform.apiKeyId,
      type: 'render',
      status: 'CANCELLED',
      progress: 0,
      request: {},
      createdAt: now,
      updatedAt: now,
      timings: { queuedAt: now, endedAt: now },
    });
    const file = join(platform.dataDir, 'late.mp4');
    await writeFile(file, 'a late render');
    const key = keys.output(job.tenantId, job.id, 'output.mp4');
    await expect(putOutputsIfLive(job.id, [{ key, path: file }])).rejects.toThrow(/already ended CANCELLED/);
    expect(await p.objects.list(p.outputsBucket, keys.output(job.tenantId, job.id, ''))).toEqual([]);
  });
});

describe('the Fargate stand-in', () => {
  it('cancel stops the render task and every ffmpeg in it within 5 s; nothing is stored', async () => {
    // No chunk fits "Lambda" with a 1 ms budget: the job renders in the container entry's child process.
    // Last in the file: a second platform repoints this process's clients.
    const fargate = await startTestPlatform({ workers: 2, planLimits: { lambdaSeconds: 0.001 } });
    try {
      await ffmpeg.set('hang:output');
      const call2 = api(fargate);
      const res = await call2('POST', '/v1/renders', withLength(1));
      const id = res.body.id as string;
      await until('the task is in ffmpeg', async () => (await ffmpeg.calls()).length > 0, 60_000);
      const tasks = recordedGroups(fargate.dataDir).filter((g) => g.bin === 'node');
      expect(tasks).toHaveLength(1); // the task's group; its ffmpegs run inside it
      expect((await call2('POST', `/v1/renders/${id}/cancel`)).status).toBe(202);
      await until('the task group ended', () => !groupAlive(tasks[0]!.pid), 5000);
      await fargate.sfn.drain();
      expect((await call2('GET', `/v1/renders/${id}`)).body.status).toBe('CANCELLED');
      const p = getPlatform();
      expect(await p.objects.list(p.outputsBucket, keys.output(fargate.apiKeyId, id, ''))).toEqual([]);
      expect(await p.objects.list(p.outputsBucket, keys.work(id, ''))).toEqual([]);
      expect(recordedGroups(fargate.dataDir)).toEqual([]);
    } finally {
      await fargate.close();
    }
  });
});
