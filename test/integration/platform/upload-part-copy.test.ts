import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore } from '../../../lambdas/core/aws/storage.js';
import { assembleObject } from '../../../lambdas/core/objects/assemble.js';
import { planMultipart } from '../../../lambdas/core/objects/multipart-plan.js';
import { LOCAL_S3_CREDENTIALS } from '../../../local/servers.js';
import { startS3rver, type S3Running } from '../../../local/servers.js';

/**
 * The local S3 is as strict as S3 on the reference join's calls: UploadPartCopy copies a source range
 * (s3rver alone answers NotImplemented), signed like every request; CompleteMultipartUpload refuses a
 * part under 5 MiB that is not the last (EntityTooSmall); a range past the source is InvalidRange.
 */
const MiB = 1024 * 1024;
let s3: S3Running;
let client: S3Client;
let store: ObjectStore;
let dir: string;
const a = randomBytes(12 * MiB);
const b = randomBytes(11 * MiB);
const sha = (x: Buffer) => createHash('sha256').update(x).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-part-copy-'));
  s3 = await startS3rver(dir, ['outputs']);
  client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    credentials: LOCAL_S3_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  store = new ObjectStore(client);
  await writeFile(join(dir, 'a'), a);
  await client.send(new PutObjectCommand({ Bucket: 'outputs', Key: 'work/j/chunk 0000.mp4', Body: a }));
  await client.send(new PutObjectCommand({ Bucket: 'outputs', Key: 'work/j/chunk-0001.mp4', Body: b }));
});
afterAll(async () => {
  await s3?.close();
});

const sources = ['work/j/chunk 0000.mp4', 'work/j/chunk-0001.mp4'];

describe('the local S3 multipart rules', () => {
  it('assembles an object from uploaded bytes and UploadPartCopy ranges, byte for byte', async () => {
    const head = randomBytes(3000);
    const tail = randomBytes(1000);
    const plan = planMultipart([
      { bytes: head },
      { part: 0, start: 100, end: a.length },
      { part: 1, start: 0, end: b.length - 5 },
      { bytes: tail },
    ]);
    expect(plan.parts.filter((p) => 'copy' in p).length).toBe(2);
    await assembleObject(store, 'outputs', 'outputs/t/j/joined.mp4', sources, plan, {
      contentType: 'video/mp4',
    });
    const back = await store.getRange(
      'outputs',
      'outputs/t/j/joined.mp4',
      0,
      plan.uploadedBytes + plan.copiedBytes,
    );
    const want = Buffer.concat([head, a.subarray(100), b.subarray(0, b.length - 5), tail]);
    expect(back.length).toBe(want.length);
    expect(sha(back)).toBe(sha(want));
  }, 60_000);

  it('refuses EntityTooSmall when a part but the last is under 5 MiB, and the upload is aborted', async () => {
    // Two 1 MiB uploads: a plan S3 would refuse (planMultipart never makes one; minPart lowered here).
    const plan = planMultipart([{ bytes: randomBytes(MiB) }, { part: 1, start: 0, end: MiB }], {
      minPart: MiB,
    });
    expect(plan.parts.length).toBe(2);
    const err = await assembleObject(store, 'outputs', 'outputs/t/j/small.mp4', sources, plan).catch(
      (e: unknown) => e,
    );
    expect((err as { name?: string }).name).toBe('EntityTooSmall');
    expect(await store.head('outputs', 'outputs/t/j/small.mp4')).toBeUndefined();
    // Aborted: s3rver keeps no parts of it (outputs/._S3rver_uploads/<id>/ is gone).
    expect(await readdir(join(dir, 's3', 'outputs', '._S3rver_uploads')).catch(() => [])).toEqual([]);
    const none = await store
      .abortMultipart('outputs', 'outputs/t/j/small.mp4', 'f'.repeat(32))
      .catch((e: { name?: string }) => e);
    expect((none as { name?: string }).name).toBe('NoSuchUpload');
  }, 60_000);

  it('answers InvalidRange for a copy range past the source, NoSuchKey for a missing source', async () => {
    const id = await store.createMultipart('outputs', 'outputs/t/j/bad.mp4');
    const copy = (CopySource: string, CopySourceRange: string) =>
      client
        .send(
          new UploadPartCopyCommand({
            Bucket: 'outputs',
            Key: 'outputs/t/j/bad.mp4',
            UploadId: id,
            PartNumber: 1,
            CopySource,
            CopySourceRange,
          }),
        )
        .catch((e: { name?: string; $metadata?: { httpStatusCode?: number } }) => e);
    const past = (await copy('outputs/work/j/chunk-0001.mp4', `bytes=0-${b.length}`)) as { name?: string };
    expect(past.name).toBe('InvalidRange');
    const missing = (await copy('outputs/work/j/none.mp4', 'bytes=0-10')) as { name?: string };
    expect(missing.name).toBe('NoSuchKey');
    // Unversioned buckets, as the stack's: the "null" version is the object, any other id is missing.
    const nullVersion = (await copy('outputs/work/j/chunk-0001.mp4?versionId=null', 'bytes=0-10')) as {
      CopyPartResult?: { ETag?: string };
    };
    expect(nullVersion.CopyPartResult?.ETag).toBeTruthy();
    const other = (await copy(
      'outputs/work/j/chunk-0001.mp4?versionId=3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      'bytes=0-10',
    )) as {
      name?: string;
      $metadata?: { httpStatusCode?: number };
    };
    expect(other.name).toBe('NoSuchVersion');
    expect(other.$metadata?.httpStatusCode).toBe(404);
    const junk = (await copy('outputs/work/j/chunk-0001.mp4?acl', 'bytes=0-10')) as { name?: string };
    expect(junk.name).toBe('InvalidArgument');
    await store.abortMultipart('outputs', 'outputs/t/j/bad.mp4', id);
  });

  it('refuses an unsigned UploadPartCopy', async () => {
    const id = await store.createMultipart('outputs', 'outputs/t/j/anon.mp4');
    const res = await fetch(
      `${s3.endpoint}/outputs/outputs/t/j/anon.mp4?partNumber=1&uploadId=${encodeURIComponent(id)}`,
      {
        method: 'PUT',
        headers: { 'x-amz-copy-source': 'outputs/work/j/chunk-0001.mp4' },
      },
    );
    expect(res.status).toBe(403);
    await store.abortMultipart('outputs', 'outputs/t/j/anon.mp4', id);
  });
});
