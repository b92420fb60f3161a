import type { CreateJobRequest } from '@aws-sdk/client-mediaconvert';
import { contentType } from '../lambdas/core/aws/storage.js';
import { runMediaConvertLocally } from '../lambdas/core/packaging/mediaconvert-local.js';
import { getPlatform } from '../lambdas/core/platform.js';

/** Stand-in role and queue: the local adapter runs every job itself, as its own "account". */
export const LOCAL_MEDIACONVERT_ROLE = 'arn:aws:iam::000000000000:role/cutline-mediaconvert-local';
export const LOCAL_MEDIACONVERT_QUEUE = 'arn:aws:mediaconvert:local:000000000000:queues/Default';

function s3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new Error(`not an s3:// object URL: ${url}`);
  return { bucket: m[1]!, key: m[2]! };
}

/**
 * `arn:aws:states:::mediaconvert:createJob.sync` on the local platform: the task's Parameters (the
 * CreateJob request) rendered by the ffmpeg adapter against the local S3, answered like the integration
 * (`{ Job }`, the job as GetJob describes it once COMPLETE).
 */
export async function createMediaConvertJobSync(input: unknown): Promise<unknown> {
  const p = getPlatform();
  const job = await runMediaConvertLocally(input as CreateJobRequest, {
    download: async (url, path) => {
      const { bucket, key } = s3Url(url);
      await p.objects.download(bucket, key, path);
    },
    upload: async (path, url) => {
      const { bucket, key } = s3Url(url);
      await p.objects.putFile(bucket, key, path, contentType(key));
    },
  });
  return { Job: job };
}
