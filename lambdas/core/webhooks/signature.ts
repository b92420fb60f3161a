import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (ARCHITECTURE §2.4): every delivery carries
 *
 *   cutline-timestamp: <unix seconds>
 *   cutline-signature: v1=<hex HMAC-SHA256(secret, `${timestamp}.${body}`)>
 *
 * The timestamp is inside the MAC, so a receiver that bounds its age (and remembers the signatures it has
 * accepted within that window) rejects replays. `cutline-signature` may carry several comma-separated
 * `v1=` values (room for secret rotation); a receiver accepts the request when any of them verifies.
 */

/** The EventBridge event envelope that webhooks deliver, on AWS and locally alike. */
export interface EventEnvelope<D = Record<string, unknown>> {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

export const TIMESTAMP_HEADER = 'cutline-timestamp';
export const SIGNATURE_HEADER = 'cutline-signature';
export const SIGNATURE_SCHEME = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 300;

// A type alias, not an interface, so it is assignable to header records and HeadersInit.
export type WebhookSignatureHeaders = {
  'cutline-timestamp': string;
  'cutline-signature': string;
};

const mac = (secret: string, timestamp: number, body: string): Buffer =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();

/** The headers to send with `body` (the exact bytes posted), signed with `secret` at `timestamp`. */
export function signWebhook(
  body: string,
  secret: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): WebhookSignatureHeaders {
  if (!secret) throw new Error('signWebhook: the secret is empty');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new Error(`signWebhook: the timestamp must be whole unix seconds, got ${timestamp}`);
  return {
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: `${SIGNATURE_SCHEME}=${mac(secret, timestamp, body).toString('hex')}`,
  } as WebhookSignatureHeaders;
}

export type VerifyFailureReason =
  | 'missing-timestamp'
  | 'missing-signature'
  | 'malformed-timestamp'
  | 'malformed-signature'
  | 'timestamp-outside-tolerance'
  | 'signature-mismatch';

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: VerifyFailureReason };

/** Node's `req.headers`, a fetch `Headers`, or a plain record (names are matched case-insensitively). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | string[] | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string | string[] | undefined>;
  if (name in rec) return rec[name];
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : rec[key];
}

/**
 * Checks a delivery: both headers present and well formed, the timestamp within `toleranceSeconds` of
 * `now` (either side, in unix seconds), and an HMAC that matches under `secret` (or any of several, while
 * rotating). The comparison is constant-time. Replays inside the window are the receiver's to catch: keep
 * the accepted signatures for `toleranceSeconds` and refuse a repeat (examples/webhook-receiver.ts does).
 */
export function verifyWebhook(opts: {
  body: string;
  headers: HeaderSource;
  secret: string | readonly string[];
  toleranceSeconds?: number;
  now?: number;
}): VerifyResult {
  const ts = header(opts.headers, TIMESTAMP_HEADER);
  const sig = header(opts.headers, SIGNATURE_HEADER);
  if (ts === undefined || ts === '') return { ok: false, reason: 'missing-timestamp' };
  if (sig === undefined || sig === '') return { ok: false, reason: 'missing-signature' };
  if (typeof ts !== 'string' || !/^\d{1,12}$/.test(ts.trim()))
    return { ok: false, reason: 'malformed-timestamp' };
  if (typeof sig !== 'string') return { ok: false, reason: 'malformed-signature' };

  const given: Buffer[] = [];
  for (const part of sig.split(',')) {
    const m = /^\s*([a-z0-9]+)=([0-9a-fA-F]*)\s*$/.exec(part);
    if (!m) return { ok: false, reason: 'malformed-signature' };
    if (m[1] !== SIGNATURE_SCHEME) continue; // a scheme from the future: ignore, as long as one v1 remains
    if (m[2]!.length !== 64) return { ok: false, reason: 'malformed-signature' };
    given.push(Buffer.from(m[2]!, 'hex'));
  }
  if (given.length === 0) return { ok: false, reason: 'malformed-signature' };

  const timestamp = Number(ts.trim());
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    return { ok: false, reason: 'timestamp-outside-tolerance' };

  const secrets = (typeof opts.secret === 'string' ? [opts.secret] : opts.secret).filter(Boolean);
  let ok = false;
  // Compare every candidate with every secret, without an early exit, so timing reveals nothing.
  for (const secret of secrets) {
    const expected = mac(secret, timestamp, opts.body);
    for (const g of given) ok = timingSafeEqual(g, expected) || ok;
  }
  return ok ? { ok: true, timestamp } : { ok: false, reason: 'signature-mismatch' };
}
