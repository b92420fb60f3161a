import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../../examples/webhook-receiver.js';
import { signWebhook } from '../../../lambdas/core/webhooks/signature.js';

const SECRET = 'receiver-secret';
let r: Receiver;

const event = (id: string) =>
  JSON.stringify({
    version: '0',
    id,
    'detail-type': 'Job Succeeded',
    source: 'cutline',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'local',
    resources: [],
    detail: { jobId: `job-${id}`, status: 'SUCCEEDED' },
  });

const post = (body: string, headers: Record<string, string>) =>
  fetch(`${r.url}/hook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  r = await startReceiver({ port: 0, secret: SECRET, toleranceSeconds: 60 });
});
afterAll(() => r.close());

describe('the example webhook receiver', () => {
  it('accepts a fresh, correctly signed event', async () => {
    const body = event('e1');
    expect((await post(body, signWebhook(body, SECRET))).status).toBe(204);
    expect(r.received.map((e) => e.id)).toEqual(['e1']);
  });

  it('rejects a replay of the same signed request within the tolerance (401 replayed-signature)', async () => {
    const body = event('e2');
    const headers = signWebhook(body, SECRET);
    expect((await post(body, headers)).status).toBe(204);
    const again = await post(body, headers);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: 'replayed-signature' });
    expect(r.received.filter((e) => e.id === 'e2')).toHaveLength(1);
  });

  it('a replay re-spelled (upper-case hex, padding, an extra or reordered value) is still a replay', async () => {
    const body = event('e6');
    const headers = signWebhook(body, SECRET);
    expect((await post(body, headers)).status).toBe(204);
    const sig = headers['cutline-signature'];
    const hex = sig.slice(3);
    const respelled = [
      `v1=${hex.toUpperCase()}`,
      `  ${sig}  `,
      ` v1=${hex.slice(0, 32).toUpperCase()}${hex.slice(32)} `,
      `${sig},v1=${'0'.repeat(64)}`,
      `v1=${'0'.repeat(64)}, ${sig}`,
    ];
    for (const s of respelled) {
      const res = await post(body, { ...headers, 'cutline-signature': s });
      expect([s, res.status, await res.json()]).toEqual([s, 401, { error: 'replayed-signature' }]);
    }
    expect(r.received.filter((e) => e.id === 'e6')).toHaveLength(1);
  });

  it('rolls over: with [new, old] configured, either signature verifies; a header with both is one delivery', async () => {
    const two = await startReceiver({ port: 0, secret: ['new-secret', 'old-secret'] });
    try {
      const at = (url: string, body: string, h: Record<string, string>) =>
        fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...h } });
      const a = event('r1');
      expect((await at(two.url, a, signWebhook(a, 'old-secret'))).status).toBe(204);
      const b = event('r2');
      expect((await at(two.url, b, signWebhook(b, 'new-secret'))).status).toBe(204);
      const c = event('r3');
      expect((await at(two.url, c, signWebhook(c, 'another'))).status).toBe(401);
      expect(two.received.map((e) => e.id)).toEqual(['r1', 'r2']);
    } finally {
      await two.close();
    }
  });

  it('rejects timestamps older (or newer) than the tolerance, even when the signature is right for them', async () => {
    const body = event('e3');
    for (const ts of [now() - 61, now() - 3600, now() + 120]) {
      const res = await post(body, signWebhook(body, SECRET, ts));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'timestamp-outside-tolerance' });
    }
    // Just inside the window is fine.
    expect((await post(body, signWebhook(body, SECRET, now() - 50))).status).toBe(204);
  });

  it('rejects a wrong secret, a tampered body, a restamped signature and missing headers', async () => {
    const body = event('e4');
    const good = signWebhook(body, SECRET);
    const cases: Array<[string, Record<string, string>, string]> = [
      [body, signWebhook(body, 'wrong'), 'signature-mismatch'],
      [body.replace('SUCCEEDED', 'FAILED'), good, 'signature-mismatch'],
      [body, { ...good, 'cutline-timestamp': String(now() - 1) }, 'signature-mismatch'],
      [body, { 'cutline-timestamp': good['cutline-timestamp'] }, 'missing-signature'],
      [body, { 'cutline-signature': good['cutline-signature'] }, 'missing-timestamp'],
    ];
    for (const [b, h, reason] of cases) {
      const res = await post(b, h);
      expect([res.status, await res.json()]).toEqual([401, { error: reason }]);
    }
    expect(r.received.some((e) => e.id === 'e4')).toBe(false);
  });

  it('a retried delivery (same event, signed anew) is acknowledged but has exactly one effect', async () => {
    const body = event('e5');
    expect((await post(body, signWebhook(body, SECRET, now() - 2))).status).toBe(204);
    expect((await post(body, signWebhook(body, SECRET, now() - 1))).status).toBe(204);
    expect((await post(body, signWebhook(body, SECRET))).status).toBe(204);
    expect(r.received.filter((e) => e.id === 'e5')).toHaveLength(1);
    expect(r.duplicates).toEqual(['e5', 'e5']);
  });
});
