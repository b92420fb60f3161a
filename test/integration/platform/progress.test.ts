import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../local/event-bus.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { startReceiver } from '../../../examples/webhook-receiver.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import { ProgressReporter } from '../../../lambdas/core/jobs/progress.js';
import { avClipArgs, FIXTURES } from '../../helpers/fixtures.js';
import { ffmpeg } from '../../helpers/media.js';
import { pacedFfmpeg, type PacedFfmpeg } from '../../helpers/paced-ffmpeg.js';
import { api, fixtureUrl, startTestPlatform, type Api } from '../../helpers/platform.js';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Frame-level progress on the real local platform: the render tasks count ffmpeg's frames into the job,
 * the job's progress moves through many values (not stage jumps), Job Progress events are published at
 * most once every 2 s, and only a callback that asked for them receives them.
 */
let platform: LocalPlatform;
let call: Api;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let paced: PacedFfmpeg;
const progressEvents: Array<{ at: number; envelope: EventEnvelope }> = [];
/** Every counter write the render tasks made on the real store, as it answered: job, unit, frames, when. */
const counted: Array<{ jobId: string; unit: string; frames: number; at: number }> = [];
const subscribed: EventEnvelope[] = [];

const SECONDS = 24;

/** 24 s of moving picture and a tone: enough encoding work that frames take seconds to render. */
async function longFixture(): Promise<void> {
  const path = join(FIXTURES, `progress-${SECONDS}.mp4`);
  if (existsSync(path)) return;
  await mkdir(FIXTURES, { recursive: true });
  await ffmpeg([
    '-y',
    ...avClipArgs(`testsrc2=s=320x180:r=25:d=${SECONDS}`, `sine=f=440:r=48000:d=${SECONDS}`, path),
  ]);
}

const edit = (extra: Record<string, unknown> = {}) => ({
  timeline: {
    tracks: [
      {
        clips: [
          {
            asset: { type: 'video', src: fixtureUrl(`progress-${SECONDS}.mp4`) },
            start: 0,
            length: SECONDS,
          },
        ],
      },
    ],
  },
  output: { format: 'mp4', size: { width: 960, height: 540 }, fps: 25 },
  ...extra,
});

interface Seen {
  status: string;
  stage?: string;
  progress: number;
  frames?: { done: number; total: number };
  secondsRemaining?: number;
  renderProgress?: { framesDone: number; framesTotal: number; fraction: number; etaSeconds?: number };
}

/** Polls the job every 50 ms, keeping each change of progress or frames. */
async function follow(id: string, timeoutMs = 240_000): Promise<{ job: Seen; seen: Seen[] }> {
  const seen: Seen[] = [];
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call('GET', `/v1/renders/${id}`);
    const last = seen[seen.length - 1];
    if (!last || last.progress !== body.progress || last.frames?.done !== body.frames?.done) seen.push(body);
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(body.status)) return { job: body, seen };
    if (Date.now() > until) throw new Error(`job ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the receiver has the job's Job Succeeded (published after the job is written SUCCEEDED). */
async function succeededAt(jobId: string): Promise<void> {
  const has = () =>
    receiver.received.some((e) => e.detail.jobId === jobId && e['detail-type'] === 'Job Succeeded');
  for (let i = 0; i < 100 && !has(); i++) await new Promise((r) => setTimeout(r, 100));
  await platform.bus.drain();
}

beforeAll(async () => {
  await longFixture();
  // The first test's chunks read their inputs at their own speed: seconds of rendering on any machine.
  paced = await pacedFfmpeg();
  process.env.CUTLINE_FFMPEG = paced.bin;
  platform = await startTestPlatform({
    planLimits: { maxConcurrency: 2, minChunkSeconds: 4 },
    allowLocalWebhooks: true, // the receiver is on 127.0.0.1
    // A subscriber that asks for progress with a rule, as one would in .cutline/subscribers.json.
    subscribers: [
      {
        name: 'progress-watch',
        pattern: { source: ['cutline'], 'detail-type': ['Job Progress'] },
        target: { type: 'function', fn: async (e) => void subscribed.push(e) },
      },
    ],
  });
  call = api(platform);
  // Watches the store the tasks write through (a pass-through: every write still goes to the table).
  const store = getPlatform().jobs;
  const countFrames = store.countFrames.bind(store);
  store.countFrames = async (jobId, unit, frames, now) => {
    const work = await countFrames(jobId, unit, frames, now);
    if (work) counted.push({ jobId, unit, frames, at: now });
    return work;
  };
  receiver = await startReceiver({ port: 0, secret: await platform.webhookSecretsOf(platform.apiKeyId) });
  platform.bus.on('event', (envelope) => {
    if (envelope['detail-type'] === 'Job Progress') progressEvents.push({ at: Date.now(), envelope });
  });
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await platform?.close();
  delete process.env.CUTLINE_FFMPEG;
  await paced?.dispose();
});

describe('frame-level progress', () => {
  it('a 24 s chunked render: progress climbs through many values to 100, frames and renderProgress reach the total, Job Progress ≤ 1 per 2 s in order, only to a callback that asked', async () => {
    const asked = await call('POST', '/v1/renders', {
      ...edit(),
      callback: `${receiver.url}/asked`,
      callbackEvents: ['progress'],
    });
    expect(asked.status).toBe(202);
    expect(asked.body.id).toBeTruthy();
    const started = Date.now();
    const { job, seen } = await follow(asked.body.id);
    const took = (Date.now() - started) / 1000;
    expect(job.status).toBe('SUCCEEDED');

    // The plan really split it, and progress came from frames, not from stage marks.
    const full = (await call('GET', `/v1/renders/${asked.body.id}`)).body;
    expect(full.plan[0].chunks).toBeGreaterThanOrEqual(2);
    const total = SECONDS * 25;
    expect(job.frames).toEqual({ done: total, total });

    // Never back, and through many distinct values while rendering (the old pipeline had 5 marks).
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.progress).toBeGreaterThanOrEqual(seen[i - 1]!.progress);
      expect(seen[i]!.frames?.done ?? 0).toBeGreaterThanOrEqual(seen[i - 1]!.frames?.done ?? 0);
    }
    const rendering = [...new Set(seen.filter((s) => s.stage === 'rendering').map((s) => s.progress))];
    expect(rendering.length, JSON.stringify(seen.map((s) => [s.stage, s.progress]))).toBeGreaterThanOrEqual(
      5,
    );
    expect(rendering.some((p) => p > 5 && p < 90)).toBe(true);
    const frameCounts = seen.map((s) => s.frames?.done).filter((d): d is number => d !== undefined);
    expect(frameCounts.some((d) => d > 0 && d < total)).toBe(true);
    expect(seen.some((s) => s.status === 'RUNNING' && typeof s.secondsRemaining === 'number')).toBe(true);
    expect(seen[seen.length - 1]).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
    expect(job.secondsRemaining).toBeUndefined();

    // renderProgress: the tasks' counters summed on read; at least two rising readings while it ran …
    const running = seen.filter((s) => s.status === 'RUNNING' && s.renderProgress);
    const drawn = running.map((s) => s.renderProgress!.framesDone);
    const rising = drawn.filter((d, i) => d > 0 && d < total && (i === 0 || d > drawn[i - 1]!));
    expect(rising.length, JSON.stringify(drawn)).toBeGreaterThanOrEqual(2);
    for (const s of running) {
      const r = s.renderProgress!;
      expect(r.framesTotal).toBe(total);
      expect(r.framesDone).toBe(s.frames!.done);
      expect(r.fraction).toBe(Math.floor((r.framesDone * 10_000) / total) / 10_000);
      // The ETA is the job's one estimate: the same as secondsRemaining, only while frames are left.
      expect(r.etaSeconds).toBe(r.framesDone < total ? s.secondsRemaining : undefined);
    }
    expect(running.some((s) => typeof s.renderProgress!.etaSeconds === 'number')).toBe(true);
    // … and every frame at the end, with no time left to show.
    expect(job.renderProgress).toEqual({ framesDone: total, framesTotal: total, fraction: 1 });
    process.stderr.write(
      `progress sequence (${took.toFixed(1)} s): ${seen.map((s) => `${s.progress}${s.frames ? `:${s.frames.done}` : ''}`).join(' ')}\n`,
    );

    // Each task wrote its own counter at most once every 2 s, rising, then its final count on finish:
    // the chunks, the audio pass and the stitch each own one, and the video ones sum to the total.
    const units = new Map<string, Array<{ frames: number; at: number }>>();
    for (const c of counted.filter((c) => c.jobId === asked.body.id))
      units.set(c.unit, [...(units.get(c.unit) ?? []), c]);
    expect([...units.keys()].filter((u) => /^r0c\d+$/.test(u)).length).toBe(full.plan[0].chunks);
    expect(units.has('r0s')).toBe(true);
    for (const [unit, writes] of units) {
      for (let i = 1; i < writes.length; i++) {
        expect(writes[i]!.frames, unit).toBeGreaterThan(writes[i - 1]!.frames);
        // The last write is the finish, whatever the interval.
        if (i < writes.length - 1)
          expect(writes[i]!.at - writes[i - 1]!.at, unit).toBeGreaterThanOrEqual(2000);
      }
    }
    const finals = [...units].filter(([u]) => /^r0c\d+$/.test(u)).map(([, w]) => w[w.length - 1]!.frames);
    expect(finals.reduce((a, b) => a + b, 0)).toBe(total);
    process.stderr.write(
      `counter writes per task: ${[...units].map(([u, w]) => `${u}=${w.length}`).join(' ')} (job ${took.toFixed(1)} s)\n`,
    );

    // Job Progress on the bus: this job's, increasing, and spaced by the shared throttle.
    const mine = progressEvents.filter((e) => e.envelope.detail.jobId === asked.body.id);
    expect(mine.length).toBeGreaterThanOrEqual(3);
    // One aggregate write (and event) per 2 s interval at most.
    expect(mine.length).toBeLessThanOrEqual(Math.ceil(took / 2) + 2);
    for (let i = 1; i < mine.length; i++) {
      type Detail = { progress: number; frames: { done: number } };
      const a = mine[i - 1]!.envelope.detail as unknown as Detail;
      const b = mine[i]!.envelope.detail as unknown as Detail;
      // Each one moved: more frames, or more progress (the audio pass counts too), never less of either.
      expect(b.progress >= a.progress && b.frames.done >= a.frames.done).toBe(true);
      expect(b.progress > a.progress || b.frames.done > a.frames.done).toBe(true);
    }
    // ≤ ~1/s: the writes are ≥ 950 ms apart; on arrival, publishing jitter (a loaded machine) may bunch
    // two, but never more than 4 in any 3 s.
    for (const e of mine)
      expect(mine.filter((o) => o.at >= e.at && o.at < e.at + 3000).length).toBeLessThanOrEqual(4);
    expect(mine[0]!.envelope.detail).toMatchObject({ status: 'RUNNING', frames: { total } });

    // The callback that asked got them (signed, as the terminal event).
    await succeededAt(asked.body.id);
    // So did the subscriber whose rule asks for Job Progress: every one, and nothing else.
    const watched = subscribed.filter((e) => e.detail.jobId === asked.body.id);
    expect(watched.map((e) => e.id).sort()).toEqual(mine.map((e) => e.envelope.id).sort());
    expect(subscribed.every((e) => e['detail-type'] === 'Job Progress')).toBe(true);
    const hooks = receiver.received.filter((e) => e.detail.jobId === asked.body.id);
    expect(hooks.filter((e) => e['detail-type'] === 'Job Progress').length).toBeGreaterThanOrEqual(3);
    expect(hooks.some((e) => e['detail-type'] === 'Job Succeeded')).toBe(true);
    await paced.pace(false);
  }, 300_000);

  it('a callback that did not ask gets no Job Progress; a bad callbackEvents is a 400 with its path', async () => {
    const bad = await call('POST', '/v1/renders', { ...edit(), callbackEvents: ['everything'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('callbackEvents[0]');

    const plain = await call('POST', '/v1/renders', {
      ...edit(),
      output: { format: 'mp4', size: { width: 320, height: 180 }, fps: 25 },
      callback: `${receiver.url}/plain`,
    });
    expect(plain.status).toBe(202);
    const { job } = await follow(plain.body.id);
    expect(job.status).toBe('SUCCEEDED');
    await succeededAt(plain.body.id);
    const hooks = receiver.received.filter((e) => e.detail.jobId === plain.body.id);
    expect(hooks.map((e) => e['detail-type'])).toEqual(['Job Succeeded']);
    // … while the bus still carried this job's progress for subscribers.
    expect(progressEvents.some((e) => e.envelope.detail.jobId === plain.body.id)).toBe(true);
  }, 300_000);

  it('a late frame count never moves a terminal job', async () => {
    const ok = await call('POST', '/v1/renders', {
      ...edit(),
      output: { format: 'mp4', size: { width: 160, height: 90 }, fps: 25 },
    });
    const { job } = await follow(ok.body.id);
    expect(job.status).toBe('SUCCEEDED');
    const store = getPlatform().jobs;
    const before = await store.get(ok.body.id);
    // A straggling task's counter and aggregate: both refused by the store's conditions.
    expect(await store.countFrames(ok.body.id, 'r0c0', 10_000, Date.now())).toBeNull();
    expect(
      await store.raiseProgress(
        ok.body.id,
        { progress: 100, frames: { done: 99_999, total: 99_999 } },
        { now: Date.now(), throttleMs: 0 },
      ),
    ).toBeNull();
    const reporter = new ProgressReporter({ store, jobId: ok.body.id, unit: 'r0c9', intervalMs: 0 });
    reporter.frames(5);
    await reporter.finish(50);
    const after = await store.get(ok.body.id);
    // (Other bookkeeping, such as the usage settlement, may still land on the ended job; progress may not.)
    const progressOf = (j: typeof before) => ({
      status: j?.status,
      progress: j?.progress,
      frames: j?.frames,
      secondsRemaining: j?.secondsRemaining,
      work: j?.work,
    });
    expect(progressOf(after)).toEqual(progressOf(before));
    expect(after?.work?.done).not.toHaveProperty('r0c9');
  }, 300_000);
});
