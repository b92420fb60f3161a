import type { ObjectStore } from '../aws/storage.js';
import type { MultipartPlan } from './multipart-plan.js';

/**
 * Writes one object from a multipart plan (objects/multipart-plan.ts): UploadPartCopy for the ranges S3
 * copies server-side, UploadPart for the caller's bytes (and ranges read back to fill a small part),
 * then CompleteMultipartUpload. Any failure aborts the upload, so no parts are left billed (the bucket's
 * AbortIncompleteMultipartUpload rule is the backstop when the function itself dies). 32 parts in flight:
 * a copy costs the function a request, not the bytes.
 */
export async function assembleObject(
  objects: ObjectStore,
  bucket: string,
  key: string,
  sources: readonly string[],
  plan: MultipartPlan,
  opts: { contentType?: string; concurrency?: number } = {},
): Promise<void> {
  const uploadId = await objects.createMultipart(bucket, key, opts.contentType);
  try {
    const etags: string[] = new Array(plan.parts.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < plan.parts.length) {
        const i = next++;
        const p = plan.parts[i]!;
        if ('copy' in p) {
          const { source, start, end } = p.copy;
          etags[i] = await objects.uploadPartCopy(bucket, key, uploadId, i + 1, {
            key: sources[source]!,
            start,
            end,
          });
        } else {
          const pieces = await Promise.all(
            p.upload.map((x) =>
              'bytes' in x
                ? x.bytes
                : objects.getRange(bucket, sources[x.range.source]!, x.range.start, x.range.end),
            ),
          );
          etags[i] = await objects.uploadPart(bucket, key, uploadId, i + 1, Buffer.concat(pieces));
        }
      }
    };
    const guarded = () =>
      worker().catch((err: unknown) => {
        // The other workers take no new part once one has failed.
        failed = true;
        throw err;
      });
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 32, plan.parts.length) }, guarded));
    await objects.completeMultipart(bucket, key, uploadId, etags);
  } catch (err) {
    await objects.abortMultipart(bucket, key, uploadId).catch(() => undefined);
    throw err;
  }
}
