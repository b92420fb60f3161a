import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler, safeFilename } from '../../../lambdas/api/uploads.js';
import { resetPlatform } from '../../../lambdas/core/platform.js';

process.env.CUTLINE_TABLE_NAME = 'table';
process.env.CUTLINE_INGEST_BUCKET = 'ingest';
process.env.CUTLINE_OUTPUTS_BUCKET = 'outputs';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';

// Presigning is local computation: no request may reach S3.
const s3 = mockClient(S3Client);

const event = (body: unknown, opts: { tenant?: string | null; method?: string } = {}) =>
  ({
    httpMethod: opts.method ?? 'POST',
    resource: '/v1/uploads',
    path: '/v1/uploads',
    headers: {},
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: {
      identity: { apiKeyId: opts.tenant === undefined ? 'tenant-a' : (opts.tenant ?? undefined) },
    },
  }) as unknown as APIGatewayProxyEvent;

const call = async (e: APIGatewayProxyEvent) => {
  const res = await handler(e, {} as Context);
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
};

beforeEach(() => {
  s3.reset();
  resetPlatform();
});

describe('POST /v1/uploads', () => {
  it('answers 201 with the key under the tenant’s inputs/, the same key as src, and a 15-minute presigned PUT', async () => {
    const res = await call(event({ filename: 'clip.mp4', contentType: 'video/mp4', bytes: 1000 }));
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^inputs\/tenant-a\/[0-9a-f-]{36}\/clip\.mp4$/);
    expect(res.body.src).toBe(res.body.key);
    expect(res.body).toMatchObject({
      method: 'PUT',
      headers: { 'content-type': 'video/mp4' },
      expiresIn: 900,
    });
    const url = new URL(res.body.url);
    expect(url.protocol).toBe('https:');
    expect(`${url.host}${url.pathname}`).toContain(`ingest`);
    expect(url.pathname.endsWith(`/${res.body.key}`)).toBe(true);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-type');
    // The size is signed: S3 refuses a PUT of any other length (SignatureDoesNotMatch).
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
    expect(res.body.bytes).toBe(1000);
    // No checksum of the empty body baked in: S3 would refuse the real upload with a mismatch.
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(s3.calls()).toHaveLength(0);
  });

  it('each upload gets its own key; the content type defaults from the extension', async () => {
    const a = await call(event({ filename: 'song.MP3', bytes: 10 }));
    const b = await call(event({ filename: 'song.MP3', bytes: 10 }));
    expect(a.body.key).not.toBe(b.body.key);
    expect(a.body.headers['content-type']).toBe('audio/mpeg');
  });

  it('refuses types that are not media, captions or fonts (playlists included), and files over maxSourceBytes', async () => {
    for (const body of [
      { filename: 'notes.xyz', bytes: 10 },
      { filename: 'list.m3u8', bytes: 10 },
      { filename: 'a.mp4', contentType: 'application/vnd.apple.mpegurl', bytes: 10 },
      { filename: 'a.mp4', contentType: 'text/html', bytes: 10 },
    ]) {
      const res = await call(event(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details[0].path).toBe('contentType');
    }
    // The default maxSourceBytes (10 GiB) is more than one PUT takes: S3's 5 GiB is the upload's limit.
    const max = 5 * 1024 ** 3;
    const big = await call(event({ filename: 'a.mp4', bytes: max + 1 }));
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: [{ path: 'bytes' }] });
    expect(big.body.error.details[0].message).toContain('the most one presigned PUT can carry');
    expect((await call(event({ filename: 'a.mp4', bytes: max }))).status).toBe(201);
    // A deployment's smaller maxSourceBytes is the upload's limit, named.
    process.env.CUTLINE_LIMITS = JSON.stringify({ maxSourceBytes: 100 * 1024 * 1024 });
    try {
      const over = await call(event({ filename: 'a.mp4', bytes: 100 * 1024 * 1024 + 1 }));
      expect(over.status).toBe(413);
      expect(over.body.error.details[0].message).toBe(
        'the file is larger than 104857600 bytes (maxSourceBytes)',
      );
      expect((await call(event({ filename: 'a.mp4', bytes: 100 * 1024 * 1024 }))).status).toBe(201);
    } finally {
      delete process.env.CUTLINE_LIMITS;
    }
  });

  it('bounds each kind of file by its own limit: images, audio, caption and font files, video', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['a.png', 'image/png', 256 * 1024 ** 2, 'maxImageUploadBytes'],
      ['a.wav', 'audio/wav', 2 * 1024 ** 3, 'maxAudioUploadBytes'],
      ['a.srt', 'application/x-subrip', 32 * 1024 ** 2, 'maxTextUploadBytes'],
      ['a.ttf', 'font/ttf', 32 * 1024 ** 2, 'maxTextUploadBytes'],
    ];
    for (const [filename, contentType, max, name] of cases) {
      expect((await call(event({ filename, contentType, bytes: max }))).status, filename).toBe(201);
      const over = await call(event({ filename, contentType, bytes: max + 1 }));
      expect(over.status, filename).toBe(413);
      expect(over.body.error.details[0]).toEqual({
        path: 'bytes',
        message: `the file is larger than ${max} bytes (${name})`,
      });
    }
    // Each is a deployment setting; a video is still bounded by maxSourceBytes (and one PUT).
    process.env.CUTLINE_LIMITS = JSON.stringify({ maxImageUploadBytes: 1000 });
    try {
      const over = await call(event({ filename: 'a.jpg', contentType: 'image/jpeg', bytes: 1001 }));
      expect(over.body.error.details[0].message).toBe(
        'the file is larger than 1000 bytes (maxImageUploadBytes)',
      );
      expect((await call(event({ filename: 'a.mp4', bytes: 1001 }))).status).toBe(201);
    } finally {
      delete process.env.CUTLINE_LIMITS;
    }
  });

  it('sanitizes the name: accents folded, anything else unusual becomes _, the extension kept', async () => {
    expect(safeFilename('Mon vidéo (final) #2.mov')).toBe('Mon_video__final___2.mov');
    expect(safeFilename(' .hidden ')).toBe('.hidden');
    const res = await call(event({ filename: 'a b?c.mp4', bytes: 1 }));
    expect(res.body.key).toMatch(/\/a_b_c\.mp4$/);
  });

  it('refuses bad input with 400 and the JSON path of the problem', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ filename: '../../etc/passwd' }, 'filename', /without \/ or \\/],
      [{ filename: 'a\\b.mp4' }, 'filename', /without \/ or \\/],
      [{ filename: '..' }, 'filename', /only dots/],
      [{ filename: '   ' }, 'filename', /not blank/],
      [{ filename: '' }, 'filename', /must not be empty/],
      [{ filename: `${'x'.repeat(197)}.mp4` }, 'filename', /longer than 200/],
      [{ filename: 'a\nb.mp4' }, 'filename', /control characters/],
      [{ filename: 7 }, 'filename', /string/],
      [{}, 'filename', /required/],
      [{ filename: 'a.mp4', contentType: 'video/mp4\r\nx-evil: 1' }, 'contentType', /MIME type/],
      [{ filename: 'a.mp4', bytes: 1, bucket: 'other' }, 'bucket', /unknown field/],
      [{ filename: 'a.mp4' }, 'bytes', /required/],
      [{ filename: 'a.mp4', bytes: 0 }, 'bytes', /at least 1/],
      [{ filename: 'a.mp4', bytes: 1.5 }, 'bytes', /whole number/],
    ];
    for (const [body, path, message] of cases) {
      const res = await call(event(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details[0].path, JSON.stringify(body)).toBe(path);
      expect(res.body.error.details[0].message, JSON.stringify(body)).toMatch(message);
    }
    expect((await call(event('{"filename":'))).status).toBe(400);
    expect((await call(event({ filename: `${'x'.repeat(196)}.mp4`, bytes: 1 }))).status).toBe(201);
  });

  it('needs an API key (403) and answers 404 for other routes', async () => {
    expect((await call(event({ filename: 'a.mp4', bytes: 1 }, { tenant: null }))).status).toBe(403);
    expect((await call(event({ filename: 'a.mp4', bytes: 1 }, { method: 'GET' }))).status).toBe(404);
  });
});
