import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageStore } from '../../lambdas/core/usage/index.js';
import type { LocalPlatform } from '../../local/platform.js';
import {
  api,
  fixtureUrl,
  SECOND_TENANT,
  startTestPlatform,
  waitForJob,
  type Api,
} from '../helpers/platform.js';

/**
 * Issue #16's quota bypass: parallel submits against a small remaining quota, on the real local platform.
 * The tenant may render 20 s of video this month; each job asks for 6 s.
 */
const QUOTA_TENANT = { id: 'tenant-quota', value: 'key-for-tenant-quota' };
let platform: LocalPlatform;
let call: Api;

const card = (seconds: number, text = 'q') => ({
  timeline: {
    background: '#202020',
    tracks: [{ clips: [{ asset: { type: 'title', text, size: 'small' }, start: 0, length: seconds }] }],
  },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
});
const month = () => new Date().toISOString().slice(0, 7);
const committed = async () => (await usageStore().getCounter(QUOTA_TENANT.id, month()))!;
const records = async () => {
  const now = new Date();
  const from = `${month()}-01`;
  return usageStore().list(QUOTA_TENANT.id, from, now.toISOString().slice(0, 10));
};

beforeAll(async () => {
  platform = await startTestPlatform({
    extraKeys: [SECOND_TENANT, QUOTA_TENANT],
    quotas: { [QUOTA_TENANT.id]: { renderMinutesPerMonth: 20 / 60 } },
    rateLimit: { rate: 1000, burst: 1000 },
  });
  call = api(platform, QUOTA_TENANT.value);
});
afterAll(async () => platform?.close());

describe('quota reservation at submit', () => {
  it('of 8 parallel submits only as many as fit are accepted, the rest 429; ends settle the reservations', async () => {
    // Every job waits at Validate until released: the counter is read while all of them are running.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const restore = platform.sfn.replaceTask('Validate', async (input, original) => {
      await gate;
      return original(input);
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => call('POST', '/v1/renders', card(6, `p${i}`))),
      );
      const accepted = answers.filter((a) => a.status === 202);
      const refused = answers.filter((a) => a.status !== 202);
      // 3 × 6 s = 18 s fits in 20 s; a fourth would be 24 s.
      expect(accepted).toHaveLength(3);
      expect(refused.map((r) => [r.status, r.body.error.code])).toEqual(
        Array.from({ length: 5 }, () => [429, 'QUOTA_EXCEEDED']),
      );
      expect(refused[0]!.body.error.message).toMatch(
        /render minutes quota for \d{4}-\d{2} is used up \(0\.3 of 0\.33 used or reserved by running jobs; this job needs 0\.1\)/,
      );
      expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await committed()).renderSeconds).toBe(18);

      // Cancelling one gives its reservation back (it rendered nothing): one more 6 s job fits, not two.
      const [cancelMe, ...rest] = accepted.map((a) => a.body.id as string);
      expect((await call('POST', `/v1/renders/${cancelMe}/cancel`)).status).toBe(202);
      expect((await committed()).renderSeconds).toBe(12);
      expect((await call('GET', '/v1/usage')).body.quota.committed.renderMinutes).toBe(0.2);
      const again = await call('POST', '/v1/renders', card(6, 'again'));
      expect(again.status).toBe(202);
      expect((await call('POST', '/v1/renders', card(6, 'over'))).status).toBe(429);
      expect((await committed()).renderSeconds).toBe(18);

      // Every job ends; the month's counter is then exactly what the usage records measured.
      release();
      const ended = await Promise.all([...rest, again.body.id].map((id) => waitForJob(call, id, 180_000)));
      expect(ended.map((e) => e.job.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      // Finalize settles just after the job turns SUCCEEDED: let the executions finish.
      await platform.sfn.drain();
      const recs = await records();
      expect(recs.find((r) => r.jobId === cancelMe)).toMatchObject({
        status: 'CANCELLED',
        renderedSeconds: 0,
        chunkSecondsSource: 'metered',
      });
      const measured = recs.reduce((s, r) => s + r.renderedSeconds, 0);
      expect(measured).toBeGreaterThan(17.5);
      expect((await committed()).renderSeconds).toBeCloseTo(measured, 2);
    } finally {
      release();
      restore();
    }
  });

  it('a job that fails in the pipeline settles too: its reservation is released and its compute recorded', async () => {
    const before = await committed();
    const bad = {
      ...card(1),
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'video', src: fixtureUrl('nowhere.mp4') }, start: 0, length: 1 }] },
        ],
      },
    };
    const res = await call('POST', '/v1/renders', bad);
    expect(res.status).toBe(202);
    expect((await committed()).renderSeconds).toBeCloseTo(before.renderSeconds + 1, 3);
    const { job } = await waitForJob(call, res.body.id);
    expect(job.status).toBe('FAILED');
    // MarkFailed settles just after the job turns FAILED: let the execution finish.
    await platform.sfn.drain();
    const rec = (await records()).find((r) => r.jobId === res.body.id);
    expect(rec).toMatchObject({ status: 'FAILED', renderedSeconds: 0, chunkSecondsSource: 'metered' });
    const after = await committed();
    expect(after.renderSeconds).toBeCloseTo(before.renderSeconds, 3);
    expect(after.computeSeconds).toBeCloseTo(before.computeSeconds + rec!.chunkSeconds, 3);
  });

  it('a job whose execution is stopped outside the cancel route (ABORTED) settles too', async () => {
    const before = await committed();
    const restore = platform.sfn.replaceTask('Validate', () => new Promise(() => undefined));
    try {
      const res = await call('POST', '/v1/renders', card(2, 'stopped'));
      expect(res.status).toBe(202);
      expect((await committed()).renderSeconds).toBeCloseTo(before.renderSeconds + 2, 3);
      const sfn = new SFNClient({ endpoint: process.env.AWS_ENDPOINT_URL_SFN });
      await sfn.send(
        new StopExecutionCommand({ executionArn: platform.sfn.executions.get(res.body.id)!.executionArn }),
      );
      await platform.sfn.drain();
      const { job } = await waitForJob(call, res.body.id, 10_000);
      expect([job.status, job.error.code]).toEqual(['FAILED', 'ABORTED']);
      expect((await committed()).renderSeconds).toBeCloseTo(before.renderSeconds, 3);
      expect((await records()).find((r) => r.jobId === res.body.id)).toMatchObject({ status: 'FAILED' });
    } finally {
      restore();
    }
  });
});
