import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../../lambdas/core/webhooks/signature.js';

const body = JSON.stringify({ 'detail-type': 'Job Succeeded', detail: { jobId: 'j1', note: 'héllo' } });
const T = 1_767_225_600; // 2026-01-01T00:00:00Z

describe('webhook signatures', () => {
  it('signs HMAC-SHA256 of `${timestamp}.${body}`, hex, as v1=', () => {
    const h = signWebhook(body, 's3cret', T);
    const hex = createHmac('sha256', 's3cret').update(`${T}.${body}`).digest('hex');
    expect(h).toEqual({ 'cutline-timestamp': String(T), 'cutline-signature': `v1=${hex}` });
    expect(Number(signWebhook(body, 's3cret')['cutline-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
  });

  it('round-trips, and reports the signed timestamp', () => {
    const headers = signWebhook(body, 's3cret', T);
    expect(verifyWebhook({ body, headers, secret: 's3cret', now: T + 10 })).toEqual({
      ok: true,
      timestamp: T,
    });
    // the real clock, default tolerance
    expect(verifyWebhook({ body, headers: signWebhook(body, 's3cret'), secret: 's3cret' }).ok).toBe(true);
  });

  it('rejects a tampered body and a wrong secret', () => {
    const headers = signWebhook(body, 's3cret', T);
    const tampered = body.replace('j1', 'j2');
    expect(verifyWebhook({ body: tampered, headers, secret: 's3cret', now: T })).toEqual({
      ok: false,
      reason: 'signature-mismatch',
    });
    expect(verifyWebhook({ body: `${body} `, headers, secret: 's3cret', now: T }).ok).toBe(false);
    expect(verifyWebhook({ body, headers, secret: 'other', now: T })).toEqual({
      ok: false,
      reason: 'signature-mismatch',
    });
  });

  it('rejects a changed timestamp (it is signed) and timestamps outside the tolerance either side', () => {
    const headers = signWebhook(body, 's3cret', T);
    const moved = { ...headers, 'cutline-timestamp': String(T + 1) };
    expect(verifyWebhook({ body, headers: moved, secret: 's3cret', now: T })).toMatchObject({
      reason: 'signature-mismatch',
    });
    const old = { body, headers, secret: 's3cret' };
    expect(verifyWebhook({ ...old, now: T + 300 }).ok).toBe(true);
    expect(verifyWebhook({ ...old, now: T + 301 })).toEqual({
      ok: false,
      reason: 'timestamp-outside-tolerance',
    });
    expect(verifyWebhook({ ...old, now: T - 301 })).toEqual({
      ok: false,
      reason: 'timestamp-outside-tolerance',
    });
    expect(verifyWebhook({ ...old, now: T + 3600, toleranceSeconds: 3600 }).ok).toBe(true);
    expect(verifyWebhook({ ...old, now: T + 11, toleranceSeconds: 10 }).ok).toBe(false);
  });

  it('rejects missing and malformed headers', () => {
    const good = signWebhook(body, 's3cret', T);
    const check = (headers: Record<string, string | string[] | undefined>) =>
      verifyWebhook({ body, headers, secret: 's3cret', now: T });
    expect(check({})).toEqual({ ok: false, reason: 'missing-timestamp' });
    expect(check({ 'cutline-timestamp': good['cutline-timestamp'] })).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
    for (const ts of ['soon', '1.5', '-5', '1e9', ''])
      expect(check({ ...good, 'cutline-timestamp': ts }).ok).toBe(false);
    expect(check({ ...good, 'cutline-timestamp': 'soon' })).toMatchObject({ reason: 'malformed-timestamp' });
    expect(check({ ...good, 'cutline-timestamp': [String(T), String(T)] })).toMatchObject({
      reason: 'malformed-timestamp',
    });
    for (const sig of [
      'v1=00',
      'v1=',
      good['cutline-signature'].slice(3),
      'v1=' + 'z'.repeat(64),
      'v2=' + 'a'.repeat(64),
    ])
      expect(check({ ...good, 'cutline-signature': sig })).toMatchObject({ reason: 'malformed-signature' });
  });

  it('reads fetch Headers and mixed-case names, and accepts any of several signatures or secrets', () => {
    const good = signWebhook(body, 'new', T);
    expect(verifyWebhook({ body, headers: new Headers(good), secret: 'new', now: T }).ok).toBe(true);
    expect(
      verifyWebhook({
        body,
        headers: {
          'Cutline-Timestamp': good['cutline-timestamp'],
          'CUTLINE-SIGNATURE': good['cutline-signature'],
        },
        secret: 'new',
        now: T,
      }).ok,
    ).toBe(true);
    // a sender signing with old and new secrets during rotation; a receiver knowing either accepts
    const both = `${signWebhook(body, 'old', T)['cutline-signature']},${good['cutline-signature']}`;
    const headers = { ...good, 'cutline-signature': both };
    expect(verifyWebhook({ body, headers, secret: 'old', now: T }).ok).toBe(true);
    expect(verifyWebhook({ body, headers: good, secret: ['old', 'new'], now: T }).ok).toBe(true);
    expect(verifyWebhook({ body, headers: good, secret: ['old', 'other'], now: T }).ok).toBe(false);
    expect(verifyWebhook({ body, headers: good, secret: [], now: T }).ok).toBe(false);
  });

  it('refuses to sign with an empty secret or a fractional timestamp', () => {
    expect(() => signWebhook(body, '')).toThrow(/secret is empty/);
    expect(() => signWebhook(body, 'k', 1.5)).toThrow(/whole unix seconds/);
  });
});
