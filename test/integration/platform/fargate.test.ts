import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../../examples/webhook-receiver.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { videoFixture } from '../../helpers/fixtures.js';
import { api, fixtureUrl, startTestPlatform, waitForJob } from '../../helpers/platform.js';

let platform: LocalPlatform;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** Job ids of the Job Progress events seen on the bus. */
const progress: string[] = [];

beforeAll(async () => {
  await videoFixture();
  receiver = await startReceiver({ port: 0, secret: 'configured-secret' });
  const dataDir = await mkdtemp(join(tmpdir(), 'cutline-fargate-'));
  // A subscriber from config: every Job Failed or Succeeded of any tenant, to the receiver.
  await writeFile(
    join(dataDir, 'subscribers.json'),
    JSON.stringify([
      {
        name: 'ops',
        pattern: {
          source: ['cutline'],
          'detail-type': [{ prefix: 'Job ' }],
          detail: { status: [{ 'anything-but': 'RUNNING' }] },
        },
        target: { type: 'webhook', url: `${receiver.url}/ops`, secret: 'configured-secret' },
      },
    ]),
  );
  // No chunk fits "Lambda" with a 1 ms budget: the plan sends the job down the Fargate path.
  // The subscriber's receiver is on 127.0.0.1: the development opt-in.
  platform = await startTestPlatform({
    dataDir,
    planLimits: { lambdaSeconds: 0.001 },
    allowLocalWebhooks: true,
  });
  platform.bus.on('event', (e) => {
    if (e['detail-type'] === 'Job Progress') progress.push(String(e.detail.jobId));
  });
});
afterAll(async () => {
  await platform?.close();
  await receiver?.close();
});

describe('the Fargate path', () => {
  it('runs the containers/render entry as a child process and the job succeeds; config subscribers get the event', async () => {
    const call = api(platform);
    const res = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'video', src: fixtureUrl('video.mp4') }, start: 0, length: 2 }] },
        ],
      },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    });
    const { job } = await waitForJob(call, res.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.outputs[0].key).toBe(`outputs/${platform.apiKeyId}/${job.id}/output.mp4`);
    // The plan chose Fargate for the one rendition, so the output came from the render task's child
    // process (the Choice state sends a fargate rendition nowhere else).
    expect(job.plan).toEqual([{ rendition: 'output', target: 'fargate', chunks: expect.any(Number) }]);
    // The task counted its frames into the job (its own counter, r0) and published Job Progress itself.
    const { getPlatform } = await import('../../../lambdas/core/platform.js');
    const stored = await getPlatform().jobs.get(job.id);
    expect(stored?.work?.done).toEqual({ r0: 50 });
    expect(job.frames).toEqual({ done: 50, total: 50 });
    expect(progress.filter((id) => id === job.id).length).toBeGreaterThanOrEqual(1);
    // Finalize removes the intermediates (the task's result file included) right after SUCCEEDED.
    const { clients } = await import('../../../lambdas/core/aws/clients.js');
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const head = () =>
      clients()
        .s3.send(new HeadObjectCommand({ Bucket: 'cutline-outputs', Key: `work/${job.id}/result-0.json` }))
        .then(
          () => true,
          () => false,
        );
    for (let i = 0; i < 100 && (await head()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await head()).toBe(false);
    // SUCCEEDED is written by Finalize; PublishSucceeded follows it, so wait for the delivery.
    const until = Date.now() + 20_000;
    while (!receiver.received.some((e) => e.detail.jobId === job.id) && Date.now() < until) {
      await platform.bus.drain();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(receiver.received.map((e) => [e['detail-type'], e.detail.jobId])).toContainEqual([
      'Job Succeeded',
      job.id,
    ]);
  });
});
