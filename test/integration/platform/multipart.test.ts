import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore, partSizeFor, DEFAULT_UPLOAD_TUNING } from '../../../lambdas/core/aws/storage.js';
import { startS3rver, type S3Running } from '../../../local/servers.js';

// Outputs above the threshold go up as a multipart upload (one PutObject stops at 5 GB), checked on s3rver.
const MiB = 1024 * 1024;
let s3: S3Running;
let client: S3Client;
let dir: string;
const sent: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-multipart-'));
  s3 = await startS3rver(dir, ['outputs']);
  client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // Which S3 operations went over the wire (the real client, the real server).
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
});
afterAll(async () => {
  await s3?.close();
});

describe('ObjectStore.putFile', () => {
  it('uploads a 12 MiB file in 5 MiB parts and the object reads back byte for byte', async () => {
    const path = join(dir, 'big.bin');
    const body = randomBytes(12 * MiB);
    await writeFile(path, body);
    const store = new ObjectStore(client, {
      multipartThresholdBytes: 5 * MiB,
      partSizeBytes: 5 * MiB,
      queueSize: 2,
    });
    sent.length = 0;
    expect(await store.putFile('outputs', 'outputs/t/j/big.mp4', path, 'video/mp4')).toBe(12 * MiB);
    expect(sent.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
    expect(sent).toContain('CreateMultipartUploadCommand');
    expect(sent).toContain('CompleteMultipartUploadCommand');
    expect(sent).not.toContain('PutObjectCommand');
    expect(await store.head('outputs', 'outputs/t/j/big.mp4')).toEqual({ bytes: 12 * MiB });
    const back = join(dir, 'back.bin');
    await store.download('outputs', 'outputs/t/j/big.mp4', back);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(await readFile(back))).toBe(sha(body));
  });

  it('sends a file below the threshold as one PutObject', async () => {
    const path = join(dir, 'small.bin');
    await writeFile(path, randomBytes(1 * MiB));
    const store = new ObjectStore(client, {
      multipartThresholdBytes: 5 * MiB,
      partSizeBytes: 5 * MiB,
      queueSize: 2,
    });
    sent.length = 0;
    await store.putFile('outputs', 'outputs/t/j/small.jpg', path);
    expect(sent).toEqual(['PutObjectCommand']);
    expect(await store.head('outputs', 'outputs/t/j/small.jpg')).toEqual({ bytes: MiB });
  });

  it('grows the part size so a file never needs more than 10 000 parts (S3 objects reach 5 TB)', () => {
    expect(partSizeFor(12 * MiB, DEFAULT_UPLOAD_TUNING)).toBe(16 * MiB);
    const fiveTB = 5 * 1024 * 1024 * MiB;
    expect(Math.ceil(fiveTB / partSizeFor(fiveTB, DEFAULT_UPLOAD_TUNING))).toBeLessThanOrEqual(10_000);
    expect(partSizeFor(1, { ...DEFAULT_UPLOAD_TUNING, partSizeBytes: 1 })).toBe(5 * MiB);
  });
});
