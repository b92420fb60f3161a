import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../../lambdas/core/aws/clients.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { api, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

// output.destinations (s3): Finalize copies the job's files into the user's bucket (here, one the local S3
// holds, as the deployer allowed it), named by prefix/filename; buckets not allowed are refused at submit.
const DEST = 'my-renders';
let platform: LocalPlatform;
let call: Api;
beforeAll(async () => {
  platform = await startTestPlatform({ destinationBuckets: [DEST] });
  call = api(platform);
}, 60_000);
afterAll(() => platform?.close());

const edit = (destinations: unknown[]) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'sent' }, start: 0, length: 1 }] }] },
  output: { format: 'mp4', size: { width: 160, height: 90 }, poster: { capture: 0.5 }, destinations },
});

describe('output.destinations', () => {
  it('copies the video and its poster to the s3 destination, as <prefix>/<filename>.mp4 and -poster.jpg', async () => {
    const res = await call(
      'POST',
      '/v1/renders',
      edit([
        { provider: 'shotstack', exclude: true },
        {
          provider: 's3',
          options: {
            region: 'us-east-1',
            bucket: DEST,
            prefix: 'campaign/a',
            filename: 'hello',
            acl: 'private',
          },
        },
      ]),
    );
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id);
    expect(job.status).toBe('SUCCEEDED');
    const read = async (key: string) => {
      const obj = await clients().s3.send(new GetObjectCommand({ Bucket: DEST, Key: key }));
      return Buffer.from(await obj.Body!.transformToByteArray());
    };
    const video = await read('campaign/a/hello.mp4');
    const main = job.outputs.find((o: { kind: string }) => o.kind === 'video');
    expect(video.length).toBe(main.bytes);
    expect(video.subarray(4, 8).toString()).toBe('ftyp');
    const poster = await read('campaign/a/hello-poster.jpg');
    expect(poster[0]).toBe(0xff);
    expect(poster[1]).toBe(0xd8);
  }, 120_000);

  it('a bucket the deployment did not allow is a 400 at its path', async () => {
    const res = await call(
      'POST',
      '/v1/renders',
      edit([{ provider: 's3', options: { region: 'us-east-1', bucket: 'someone-elses' } }]),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('NOT_SUPPORTED');
    expect(res.body.error.details).toEqual([
      {
        path: 'output.destinations[0].options.bucket',
        message: expect.stringMatching(
          /may not send to bucket "someone-elses": allow it with the CutlinePlatform destinationBuckets prop/,
        ),
      },
    ]);
  });
});
