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
  platform = await startTestPlatform({ dataDir, planLimits: { lambdaSeconds: 0.001 } });
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
    // Only the render task writes work/<id>/result-0.json (the Lambda path returns files through the state).
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const { clients } = await import('../../../lambdas/core/aws/clients.js');
    await clients().s3.send(
      new HeadObjectCommand({ Bucket: 'cutline-outputs', Key: `work/${job.id}/result-0.json` }),
    );
    await platform.bus.drain();
    expect(receiver.received.map((e) => [e['detail-type'], e.detail.jobId])).toContainEqual([
      'Job Succeeded',
      job.id,
    ]);
  });
});
