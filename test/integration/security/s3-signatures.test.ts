import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_BUCKETS, type LocalPlatform } from '../../../local/platform.js';
import { clients } from '../../../lambdas/core/aws/clients.js';
import { verifySigV4 } from '../../../local/sigv4.js';
import { api, startTestPlatform, type Api } from '../../helpers/platform.js';

/**
 * Issue #16, item 4: the local S3 endpoint accepts only signed or presigned requests, as S3 does.
 * Raw HTTP against the real endpoint the platform uses (s3rver behind the SigV4 check).
 */
let platform: LocalPlatform;
let call: Api;
let endpoint: string;
const BUCKET = LOCAL_BUCKETS.ingest;
const KEY = 'inputs/someone/secret.txt';

const s3With = (accessKeyId: string, secretAccessKey: string) =>
  new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
const errorCode = async (res: Response) => /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];

beforeAll(async () => {
  platform = await startTestPlatform();
  call = api(platform);
  endpoint = process.env.AWS_ENDPOINT_URL_S3!;
  await clients().s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'top secret' }));
});
afterAll(() => platform?.close());

describe('unsigned requests are refused (403 AccessDenied), whatever the method', () => {
  it.each([
    ['GET', `/${BUCKET}/${KEY}`],
    ['HEAD', `/${BUCKET}/${KEY}`],
    ['PUT', `/${BUCKET}/inputs/someone/planted.txt`],
    ['DELETE', `/${BUCKET}/${KEY}`],
    ['GET', `/${BUCKET}?list-type=2`],
    ['GET', '/'],
  ])('%s %s', async (method, path) => {
    const res = await fetch(`${endpoint}${path}`, {
      method,
      ...(method === 'PUT' ? { body: 'planted' } : {}),
    });
    expect(res.status).toBe(403);
    if (method !== 'HEAD') expect(await errorCode(res)).toBe('AccessDenied');
    // Nothing happened: the object is still there, nothing was planted.
    const kept = await clients().s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
    expect(await kept.Body!.transformToString()).toBe('top secret');
  });
});

describe('signatures are verified', () => {
  it('the platform’s own SDK client works (header-signed)', async () => {
    const res = await clients().s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
    expect(await res.Body!.transformToString()).toBe('top secret');
  });

  it('a wrong secret is 403 SignatureDoesNotMatch; an unknown key id is 403 InvalidAccessKeyId', async () => {
    await expect(
      s3With('S3RVER', 'not-the-secret').send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    await expect(
      s3With('SOMEONE', 'S3RVER').send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'inputs/x/y', Body: 'z' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
  });

  it('a presigned GET works; tampered (another key), badly signed or expired, it is 403', async () => {
    const url = await getSignedUrl(clients().s3, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), {
      expiresIn: 60,
    });
    expect(await (await fetch(url)).text()).toBe('top secret');
    const other = url.replace('/secret.txt?', '/other.txt?');
    expect((await fetch(other)).status).toBe(403);
    const flipped = url.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
    );
    const bad = await fetch(flipped);
    expect(bad.status).toBe(403);
    expect(await errorCode(bad)).toBe('SignatureDoesNotMatch');
    // Expired: signed 2 hours ago for 1 hour.
    const old = await getSignedUrl(clients().s3, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), {
      expiresIn: 3600,
      signingDate: new Date(Date.now() - 2 * 3600 * 1000),
    });
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired/);
  });

  it('a body that is not the one whose hash was signed is refused, and not stored', async () => {
    const url = new URL(`${endpoint}/${BUCKET}/inputs/someone/swapped.txt`);
    // A valid header signature over the hash of "good", sent with another body of the same length.
    const signed = await signedHeaders('PUT', url, 'good');
    const res = await fetch(url, { method: 'PUT', headers: signed, body: 'evil' });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('XAmzContentSHA256Mismatch');
    await expect(
      clients().s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'inputs/someone/swapped.txt' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});

describe('bodies the local S3 cannot check', () => {
  it('an aws-chunked body (the SDK’s default streaming checksums) is 501 NotImplemented, not stored framed', async () => {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await expect(
      client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'inputs/someone/chunked.txt',
          Body: Readable.from([Buffer.from('abc')]),
          ContentLength: 3,
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 501 } });
    await expect(
      clients().s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'inputs/someone/chunked.txt' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});

describe('presigned uploads (POST /v1/uploads) are bounded by their signed size and type', () => {
  it('exactly `bytes` bytes of the signed type are stored; more, fewer or another type are 403', async () => {
    const body = Buffer.alloc(1000, 7);
    const up = await call('POST', '/v1/uploads', {
      filename: 'a.mp4',
      contentType: 'video/mp4',
      bytes: 1000,
    });
    expect(up.status).toBe(201);
    const put = (b: Buffer, type = 'video/mp4') =>
      fetch(up.body.url, { method: 'PUT', headers: { 'content-type': type }, body: new Uint8Array(b) });
    const bigger = await put(Buffer.alloc(5000, 7));
    expect(bigger.status).toBe(403);
    expect(await errorCode(bigger)).toBe('SignatureDoesNotMatch');
    expect((await put(body.subarray(0, 999))).status).toBe(403);
    expect((await put(body, 'application/vnd.apple.mpegurl')).status).toBe(403);
    expect((await put(body)).status).toBe(200);
    const head = await clients().s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: up.body.key }));
    expect(head.ContentLength).toBe(1000);
  });

  it('the upload URL expires like any presigned URL', async () => {
    const up = await call('POST', '/v1/uploads', { filename: 'a.mp4', contentType: 'video/mp4', bytes: 3 });
    const url = new URL(up.body.url);
    const signedAt = url.searchParams.get('X-Amz-Date')!;
    const verdict = verifySigV4(
      {
        method: 'PUT',
        url: `${url.pathname}${url.search}`,
        headers: { host: url.host, 'content-type': 'video/mp4', 'content-length': '3' },
      },
      new Map([['S3RVER', 'S3RVER']]),
      Date.UTC(
        +signedAt.slice(0, 4),
        +signedAt.slice(4, 6) - 1,
        +signedAt.slice(6, 8),
        +signedAt.slice(9, 11),
        +signedAt.slice(11, 13),
      ) +
        16 * 60 * 1000,
    );
    expect(verdict).toMatchObject({
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message: 'Request has expired',
    });
  });
});

/** Headers of a request signed by the SDK's own signer, for a given body. */
async function signedHeaders(method: string, url: URL, body: string): Promise<Record<string, string>> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: true,
  });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      'content-length': String(body.length),
    },
    body,
  });
  return signed.headers as Record<string, string>;
}

/** The hash constructor the signer wants, from node:crypto (HMAC when given a secret). */
class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
