import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ObjectStore } from '../../../lambdas/core/aws/storage.js';
import { assembleObject } from '../../../lambdas/core/objects/assemble.js';
import { planMultipart } from '../../../lambdas/core/objects/multipart-plan.js';

/**
 * Contract of the reference join's S3 calls, checked against S3's API reference: UploadPartCopy names
 * its source as `bucket/key` (URL-encoded) in x-amz-copy-source and an inclusive `bytes=first-last` in
 * x-amz-copy-source-range, and answers the part's ETag in CopyPartResult; CompleteMultipartUpload lists
 * every part's number and ETag in ascending order; a failed part aborts the upload. The real calls run
 * against the local S3 (test/integration/platform/reference-stitch.test.ts); this pins their shape.
 */
const s3 = mockClient(S3Client);
const MiB = 1024 * 1024;

beforeEach(() => {
  s3.reset();
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
  s3.on(UploadPartCopyCommand).callsFake((i: { PartNumber: number }) => ({
    CopyPartResult: { ETag: `"copy-${i.PartNumber}"` },
  }));
  s3.on(UploadPartCommand).callsFake((i: { PartNumber: number }) => ({ ETag: `"put-${i.PartNumber}"` }));
  s3.on(GetObjectCommand).callsFake((i: { Range: string }) => {
    const [a, b] = i.Range.replace('bytes=', '').split('-').map(Number);
    const body = Buffer.alloc(b! - a! + 1, 7);
    return { Body: { transformToByteArray: async () => new Uint8Array(body) } as never };
  });
  s3.on(CompleteMultipartUploadCommand).resolves({});
});

const plan = () =>
  planMultipart([
    { bytes: Buffer.alloc(1000, 1) },
    { part: 0, start: 48, end: 48 + 11 * MiB },
    { part: 1, start: 40, end: 40 + 12 * MiB },
  ]);

describe('assembleObject (S3 contract)', () => {
  it('copies ranges with UploadPartCopy, uploads the head filled from a ranged GET, completes in order', async () => {
    const store = new ObjectStore(new S3Client({ region: 'us-east-1' }));
    await assembleObject(
      store,
      'b',
      'outputs/t/j/output.mp4',
      ['work/j/chunk 0000.mp4', 'work/j/chunk-0001.mp4'],
      plan(),
      {
        contentType: 'video/mp4',
      },
    );
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toEqual({
      Bucket: 'b',
      Key: 'outputs/t/j/output.mp4',
      ContentType: 'video/mp4',
    });
    const get = s3.commandCalls(GetObjectCommand)[0]!.args[0].input;
    expect(get).toEqual({
      Bucket: 'b',
      Key: 'work/j/chunk 0000.mp4',
      Range: `bytes=48-${48 + 5 * MiB - 1000 - 1}`,
    });
    const put = s3.commandCalls(UploadPartCommand)[0]!.args[0].input;
    expect(put.PartNumber).toBe(1);
    expect((put.Body as Buffer).length).toBe(5 * MiB);
    const copies = s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(copies).toEqual([
      {
        Bucket: 'b',
        Key: 'outputs/t/j/output.mp4',
        UploadId: 'up-1',
        PartNumber: 2,
        CopySource: 'b/work/j/chunk%200000.mp4',
        CopySourceRange: `bytes=${48 + 5 * MiB - 1000}-${48 + 11 * MiB - 1}`,
      },
      {
        Bucket: 'b',
        Key: 'outputs/t/j/output.mp4',
        UploadId: 'up-1',
        PartNumber: 3,
        CopySource: 'b/work/j/chunk-0001.mp4',
        CopySourceRange: `bytes=40-${40 + 12 * MiB - 1}`,
      },
    ]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload).toEqual({
      Parts: [
        { ETag: '"put-1"', PartNumber: 1 },
        { ETag: '"copy-2"', PartNumber: 2 },
        { ETag: '"copy-3"', PartNumber: 3 },
      ],
    });
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('aborts the upload when a part fails, and completes nothing', async () => {
    s3.on(UploadPartCopyCommand).rejects(
      Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' }),
    );
    const store = new ObjectStore(new S3Client({ region: 'us-east-1' }));
    await expect(assembleObject(store, 'b', 'k', ['a', 'c'], plan())).rejects.toThrow(/internal error/);
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toEqual({
      Bucket: 'b',
      Key: 'k',
      UploadId: 'up-1',
    });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });
});
