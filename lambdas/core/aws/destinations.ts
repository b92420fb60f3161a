import { CopyObjectCommand, S3Client, type ObjectCannedACL } from '@aws-sdk/client-s3';
import { basename } from 'node:path';
import { destinationKey } from '../edit/destinations.js';
import type { S3Destination } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import { recordCalls } from './call-recorder.js';
import { clients } from './clients.js';

/**
 * `output.destinations` of provider `s3`: Finalize copies the job's files into a bucket of the user's own
 * account, named as Shotstack names them: `<prefix>/<filename or job id><ext>`, the poster
 * `…-poster.jpg`, the thumbnail `…-thumb.jpg`, other files (packaging trees) under `…/` as they lie. The deployment allows the
 * buckets (CutlinePlatform `destinationBuckets`, `CUTLINE_DESTINATION_BUCKETS`) and the grant is only on
 * those; the bucket policy of a bucket in another account must allow the deployment's Finalize role.
 */

const regional = new Map<string, S3Client>();
/** The shared client where the destination is in this region (or the local S3), else one per region. */
function clientFor(region: string): S3Client {
  const here = process.env.AWS_REGION;
  if (process.env.CUTLINE_S3_FORCE_PATH_STYLE === 'true' || !here || here === region) return clients().s3;
  let c = regional.get(region);
  if (!c) regional.set(region, (c = recordCalls(new S3Client({ region }), 's3')));
  return c;
}

/** Copies every output (not the job manifest) to every s3 destination; a refusal fails the job loudly. */
export async function sendToDestinations(
  outputsBucket: string,
  jobId: string,
  outputs: ReadonlyArray<{ kind: string; key: string }>,
  destinations: readonly S3Destination[],
): Promise<Array<{ bucket: string; key: string }>> {
  const sent: Array<{ bucket: string; key: string }> = [];
  for (const d of destinations) {
    for (const o of outputs) {
      if (o.kind === 'manifest') continue;
      const key = destinationKey(d.options, jobId, o);
      try {
        await clientFor(d.options.region).send(
          new CopyObjectCommand({
            Bucket: d.options.bucket,
            Key: key,
            CopySource: `${outputsBucket}/${o.key.split('/').map(encodeURIComponent).join('/')}`,
            ...(d.options.acl ? { ACL: d.options.acl as ObjectCannedACL } : {}),
          }),
        );
      } catch (err) {
        throw new CutlineError(
          'RENDER_FAILED',
          `output.destinations: could not copy ${basename(o.key)} to s3://${d.options.bucket}/${key}: ${(err as Error).message}`,
        );
      }
      sent.push({ bucket: d.options.bucket, key });
    }
  }
  return sent;
}
