import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verification of AWS Signature Version 4 as S3 does it, for the local S3 endpoint: a request is
 * either signed in its Authorization header or presigned in its query (X-Amz-*); anything else is
 * refused, as S3 refuses anonymous requests to a private bucket. Pure: request parts in, verdict out.
 */
export interface SignedRequest {
  method: string;
  /** The request target as received: path and query, still percent-encoded. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export type Verdict =
  | { ok: true; accessKeyId: string; payloadHash: string }
  | { ok: false; status: number; code: string; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** S3 refuses a header-signed request whose time is further than this from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** The longest a presigned URL may be valid (7 days). */
const MAX_EXPIRES_SECONDS = 604_800;

const deny = (status: number, code: string, message: string): Verdict => ({
  ok: false,
  status,
  code,
  message,
});
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** S3 signs the path as sent, each segment encoded once (no normalisation of . or ..). */
const canonicalUri = (path: string) =>
  path
    .split('/')
    .map((seg) => encode(decode(seg)))
    .join('/') || '/';

function parseQuery(query: string): Array<[string, string]> {
  if (!query) return [];
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
    });
}

const canonicalQuery = (params: Array<[string, string]>) =>
  params
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');

const headerValue = (headers: SignedRequest['headers'], name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** `20260101T000000Z` → epoch ms, or NaN. */
function amzTime(s: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '');
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

interface Claim {
  accessKeyId: string;
  scope: { date: string; region: string; service: string };
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  /** Query parameters that are part of the signature (all but X-Amz-Signature). */
  params: Array<[string, string]>;
}

function parseCredential(credential: string): Pick<Claim, 'accessKeyId' | 'scope'> | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, scope: { date, region, service } };
}

/** What the request claims: from its Authorization header, or from its presigned query. */
function claimOf(req: SignedRequest, params: Array<[string, string]>, now: number): Claim | Verdict {
  const auth = headerValue(req.headers, 'authorization');
  const q = new Map(params);
  const presigned = q.has('X-Amz-Algorithm') || q.has('X-Amz-Signature');
  if (auth && presigned)
    return deny(
      400,
      'InvalidArgument',
      'Only one auth mechanism allowed: the Authorization header or the X-Amz-* query parameters',
    );
  if (auth) {
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
        auth.trim(),
      );
    const credential = m && parseCredential(m[1]!);
    if (!m || !credential)
      return deny(
        400,
        'AuthorizationHeaderMalformed',
        'The authorization header is malformed; only AWS4-HMAC-SHA256 is accepted',
      );
    const amzDate = headerValue(req.headers, 'x-amz-date') ?? '';
    const t = amzTime(amzDate);
    if (Number.isNaN(t))
      return deny(403, 'AccessDenied', 'AWS authentication requires a valid x-amz-date header');
    if (Math.abs(now - t) > MAX_SKEW_MS)
      return deny(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large',
      );
    const payloadHash = headerValue(req.headers, 'x-amz-content-sha256');
    if (!payloadHash)
      return deny(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
    return { ...credential, signedHeaders: m[2]!.split(';'), signature: m[3]!, amzDate, payloadHash, params };
  }
  if (presigned) {
    if (q.get('X-Amz-Algorithm') !== ALGORITHM)
      return deny(400, 'AuthorizationQueryParametersError', `X-Amz-Algorithm must be ${ALGORITHM}`);
    const credential = parseCredential(q.get('X-Amz-Credential') ?? '');
    const amzDate = q.get('X-Amz-Date') ?? '';
    const t = amzTime(amzDate);
    const expires = Number(q.get('X-Amz-Expires'));
    const signature = q.get('X-Amz-Signature') ?? '';
    if (!credential || Number.isNaN(t) || !/^[0-9a-f]{64}$/.test(signature) || !q.get('X-Amz-SignedHeaders'))
      return deny(
        400,
        'AuthorizationQueryParametersError',
        'The presigned URL lacks or malforms X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders or X-Amz-Signature',
      );
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS)
      return deny(
        400,
        'AuthorizationQueryParametersError',
        `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_EXPIRES_SECONDS}`,
      );
    if (now > t + expires * 1000) return deny(403, 'AccessDenied', 'Request has expired');
    if (t - now > MAX_SKEW_MS) return deny(403, 'AccessDenied', 'Request is not valid yet');
    return {
      ...credential,
      signedHeaders: q.get('X-Amz-SignedHeaders')!.split(';'),
      signature,
      amzDate,
      payloadHash: q.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
      params: params.filter(([k]) => k !== 'X-Amz-Signature'),
    };
  }
  return deny(403, 'AccessDenied', 'Access Denied: the request is neither signed nor presigned');
}

/** The canonical request SigV4 hashes (exported for tests and for a readable mismatch). */
export function canonicalRequest(req: SignedRequest, claim: Omit<Claim, 'signature'>): string {
  const path = req.url.split('?')[0] ?? '/';
  const headers = claim.signedHeaders
    .map((name) => `${name}:${(headerValue(req.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  return [
    req.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(claim.params),
    headers,
    claim.signedHeaders.join(';'),
    claim.payloadHash,
  ].join('\n');
}

/** Checks a request against the secrets by access key id. `now` is injectable for expiry tests. */
export function verifySigV4(
  req: SignedRequest,
  secrets: ReadonlyMap<string, string>,
  now = Date.now(),
): Verdict {
  const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
  const claim = claimOf(req, parseQuery(query), now);
  if ('ok' in claim) return claim;
  const secret = secrets.get(claim.accessKeyId);
  if (secret === undefined)
    return deny(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  if (claim.scope.service !== 's3' || claim.scope.date !== claim.amzDate.slice(0, 8))
    return deny(
      400,
      'AuthorizationHeaderMalformed',
      'The credential scope must be <date>/<region>/s3/aws4_request for the request date',
    );
  if (!claim.signedHeaders.includes('host'))
    return deny(400, 'AuthorizationHeaderMalformed', 'SignedHeaders must include host');
  const scope = `${claim.scope.date}/${claim.scope.region}/${claim.scope.service}/aws4_request`;
  const toSign = [ALGORITHM, claim.amzDate, scope, sha256(canonicalRequest(req, claim))].join('\n');
  let key = hmac(`AWS4${secret}`, claim.scope.date);
  for (const part of [claim.scope.region, claim.scope.service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(toSign, 'utf8').digest();
  const given = Buffer.from(claim.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return deny(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  return { ok: true, accessKeyId: claim.accessKeyId, payloadHash: claim.payloadHash };
}
