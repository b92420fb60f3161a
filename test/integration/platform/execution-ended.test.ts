import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../lambdas/core/webhooks/signature.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { videoFixture } from '../../helpers/fixtures.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

// Jobs whose execution ends outside every Catch (a failing MarkFailed, a StopExecution that did not come
// from the cancel route) end through the same handler AWS runs from the Execution Status Change rule.
let platform: LocalPlatform;
let call: Api;
const events: EventEnvelope[] = [];

const edit = (seconds: number) => ({
  timeline: {
    tracks: [
      { clips: [{ asset: { type: 'video', src: fixtureUrl('video.mp4') }, start: 0, length: seconds }] },
    ],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 } },
});

const eventsOf = (jobId: string) =>
  events.filter((e) => (e.detail as { jobId?: string }).jobId === jobId).map((e) => e['detail-type']);

const lambdaError = (name: string, message: string) =>
  Object.assign(new Error(JSON.stringify({ errorType: name, errorMessage: message })), { name });

/** A Validate that waits until the execution is stopped (never longer than 60 s). */
const hang = () =>
  new Promise((resolve) => {
    setTimeout(resolve, 60_000).unref();
  });

beforeAll(async () => {
  await videoFixture();
  platform = await startTestPlatform();
  call = api(platform);
  platform.bus.on('event', (e) => events.push(e));
});
afterAll(async () => {
  await platform?.close();
});

describe('executions that end without their job', () => {
  it('an execution failing outside any Catch (MarkFailed itself fails) ends the job FAILED with one Job Failed event', async () => {
    const restore = [
      platform.sfn.replaceTask('Validate', async () => {
        throw lambdaError('RENDER_FAILED', 'injected validate failure');
      }),
      platform.sfn.replaceTask('MarkFailed', async () => {
        throw lambdaError('Error', 'MarkFailed is down');
      }),
    ];
    try {
      const res = await call('POST', '/v1/renders', edit(1));
      expect(res.status).toBe(202);
      await platform.sfn.drain();
      expect(platform.sfn.executions.get(res.body.id)!.status).toBe('FAILED');
      const { job } = await waitForJob(call, res.body.id, 10_000);
      expect(job.status).toBe('FAILED');
      expect(job.error.message).toContain('MarkFailed is down');
      await platform.bus.drain?.();
      expect(eventsOf(job.id)).toEqual(['Job Failed']);
    } finally {
      restore.forEach((r) => r());
    }
  });

  it('a StopExecution from outside the cancel route ends the job FAILED (ABORTED); the cancel route ends it CANCELLED, one event each', async () => {
    const restore = platform.sfn.replaceTask('Validate', hang);
    try {
      const stopped = await call('POST', '/v1/renders', edit(1));
      const cancelled = await call('POST', '/v1/renders', edit(1));
      const sfn = new SFNClient({ endpoint: process.env.AWS_ENDPOINT_URL_SFN });
      await sfn.send(
        new StopExecutionCommand({
          executionArn: platform.sfn.executions.get(stopped.body.id)!.executionArn,
        }),
      );
      expect((await call('POST', `/v1/renders/${cancelled.body.id}/cancel`)).status).toBe(202);
      await platform.sfn.drain();
      await platform.bus.drain?.();
      const a = (await waitForJob(call, stopped.body.id, 10_000)).job;
      expect(a.status).toBe('FAILED');
      expect(a.error.code).toBe('ABORTED');
      expect(eventsOf(a.id)).toEqual(['Job Failed']);
      const b = (await waitForJob(call, cancelled.body.id, 10_000)).job;
      expect(b.status).toBe('CANCELLED');
      expect(eventsOf(b.id)).toEqual(['Job Cancelled']);
    } finally {
      restore();
    }
  });

  it('leaves a job the pipeline already ended alone: no second event', async () => {
    const res = await call('POST', '/v1/renders', {
      ...edit(1),
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'video', src: fixtureUrl('missing.mp4') }, start: 0, length: 1 }] },
        ],
      },
    });
    await platform.sfn.drain();
    await platform.bus.drain?.();
    const { job } = await waitForJob(call, res.body.id, 10_000);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('SOURCE_NOT_FOUND');
    expect(eventsOf(job.id)).toEqual(['Job Failed']);
  });
});
