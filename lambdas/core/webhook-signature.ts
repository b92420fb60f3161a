import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the tenant's secret. The timestamp is
 * signed too, so a receiver that checks its age rejects replays.
 */
export function signWebhook(
  body: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'cutline-timestamp': String(timestamp), 'cutline-signature': `v1=${mac}` };
}

export type Verification = { ok: true } | { ok: false; reason: string };

export function verifyWebhook(opts: {
  body: string;
  headers: Record<string, string | string[] | undefined>;
  secret: string;
  toleranceSeconds?: number;
  now?: number;
}): Verification {
  const ts = opts.headers['cutline-timestamp'];
  const sig = opts.headers['cutline-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string')
    return { ok: false, reason: 'missing signature headers' };
  const t = Number(ts);
  if (!Number.isInteger(t)) return { ok: false, reason: 'malformed timestamp' };
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300))
    return { ok: false, reason: 'timestamp outside the tolerance (a replay?)' };
  const expected = Buffer.from(signWebhook(opts.body, opts.secret, t)['cutline-signature']!);
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
