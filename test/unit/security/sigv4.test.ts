import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { verifySigV4, type SignedRequest } from '../../../local/sigv4.js';

/** The verifier against requests signed by the real AWS SDK (header-signed and presigned). */
const SECRETS = new Map([['AKLOCAL', 'local-secret']]);
const s3 = (secretAccessKey = 'local-secret') =>
  new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4569',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKLOCAL', secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

/** The request exactly as the SDK would send it (signed), captured instead of sent. */
async function captured(command: { readonly input: object }, client = s3()): Promise<SignedRequest> {
  let req: SignedRequest | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      const r = args.request as {
        method: string;
        path: string;
        query: Record<string, string | string[] | null>;
        headers: Record<string, string>;
      };
      const q = Object.entries(r.query ?? {})
        .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))
        .map(([k, v]) =>
          v === null ? encodeURIComponent(k!) : `${encodeURIComponent(k!)}=${encodeURIComponent(v!)}`,
        )
        .join('&');
      const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
      req = { method: r.method, url: q ? `${r.path}?${q}` : r.path, headers };
      throw new Error('captured');
    },
    { step: 'deserialize', name: 'capture' },
  );
  await client.send(command as never).catch((e: Error) => {
    if (e.message !== 'captured') throw e;
  });
  return req!;
}

const fromUrl = (url: string, headers: Record<string, string> = {}): SignedRequest => {
  const u = new URL(url);
  return { method: 'GET', url: `${u.pathname}${u.search}`, headers: { host: u.host, ...headers } };
};

describe('verifySigV4', () => {
  it('accepts SDK header-signed requests: keys with spaces, unicode and +, list queries', async () => {
    for (const command of [
      new GetObjectCommand({ Bucket: 'b', Key: 'inputs/t/my clip+1 é.mp4' }),
      new PutObjectCommand({ Bucket: 'b', Key: 'inputs/t/a.json', Body: '{"a":1}' }),
      new ListObjectsV2Command({ Bucket: 'b', Prefix: 'work/a b/', ContinuationToken: 'x+y=/z' }),
    ]) {
      const req = await captured(command);
      expect(verifySigV4(req, SECRETS)).toMatchObject({ ok: true, accessKeyId: 'AKLOCAL' });
    }
  });

  it('refuses a header-signed request with a wrong secret, a changed path or header, or a skewed clock', async () => {
    const wrong = await captured(new GetObjectCommand({ Bucket: 'b', Key: 'k' }), s3('nope'));
    expect(verifySigV4(wrong, SECRETS)).toMatchObject({
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    const req = await captured(new GetObjectCommand({ Bucket: 'b', Key: 'inputs/b/x' }));
    expect(verifySigV4({ ...req, url: '/b/inputs/a/x' }, SECRETS)).toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
    expect(verifySigV4({ ...req, headers: { ...req.headers, host: 'evil:1' } }, SECRETS)).toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
    expect(verifySigV4(req, SECRETS, Date.now() + 20 * 60 * 1000)).toMatchObject({
      status: 403,
      code: 'RequestTimeTooSkewed',
    });
    expect(verifySigV4(req, new Map([['OTHER', 'x']]))).toMatchObject({ code: 'InvalidAccessKeyId' });
  });

  it('accepts a presigned GET until it expires, and not a moment after', async () => {
    const url = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: 'b', Key: 'out/a b.mp4' }), {
      expiresIn: 60,
    });
    const signedAt = Date.parse(
      new URL(url).searchParams
        .get('X-Amz-Date')!
        .replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    expect(verifySigV4(fromUrl(url), SECRETS, signedAt + 59_000)).toMatchObject({ ok: true });
    expect(verifySigV4(fromUrl(url), SECRETS, signedAt + 61_000)).toMatchObject({
      status: 403,
      code: 'AccessDenied',
      message: 'Request has expired',
    });
    // Longer validity written into the URL is part of what was signed.
    const longer = url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600');
    expect(verifySigV4(fromUrl(longer), SECRETS, signedAt + 61_000)).toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
  });

  it('refuses anonymous requests and malformed authorization', () => {
    expect(verifySigV4({ method: 'GET', url: '/b/k', headers: { host: 'h' } }, SECRETS)).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    expect(
      verifySigV4(
        { method: 'GET', url: '/b/k', headers: { host: 'h', authorization: 'AWS S3RVER:abc' } },
        SECRETS,
      ),
    ).toMatchObject({ status: 400, code: 'AuthorizationHeaderMalformed' });
  });
});
