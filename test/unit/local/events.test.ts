import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startReceiver } from '../../../examples/webhook-receiver.js';
import { signWebhook, verifyWebhook } from '../../../lambdas/core/webhook-signature.js';
import { LocalEventBus } from '../../../local/events/bus.js';
import { matches } from '../../../local/events/pattern.js';
import { Throttle } from '../../../local/api-server.js';

const event = {
  source: 'cutline',
  'detail-type': 'Job Succeeded',
  detail: {
    status: 'SUCCEEDED',
    progress: 100,
    tenantId: 'acme-1',
    outputs: [{ kind: 'video' }],
    error: null,
  },
};

describe('EventBridge patterns', () => {
  it.each([
    [{ source: ['cutline'] }, true],
    [{ source: ['other'] }, false],
    [{ 'detail-type': [{ prefix: 'Job ' }] }, true],
    [{ 'detail-type': [{ suffix: 'Failed' }] }, false],
    [{ detail: { status: [{ 'anything-but': ['FAILED', 'CANCELLED'] }] } }, true],
    [{ detail: { status: [{ 'anything-but': { prefix: 'SUCC' } }] } }, false],
    [{ detail: { tenantId: [{ prefix: 'acme-' }] } }, true],
    [{ detail: { callback: [{ exists: false }] } }, true],
    [{ detail: { callback: [{ exists: true }] } }, false],
    [{ detail: { progress: [{ numeric: ['>', 0, '<=', 100] }] } }, true],
    [{ detail: { progress: [{ numeric: ['<', 50] }] } }, false],
    [{ detail: { status: [{ 'equals-ignore-case': 'succeeded' }] } }, true],
    [{ detail: { outputs: { kind: ['video'] } } }, false],
    [{ detail: { error: [null] } }, true],
  ])('%j → %s', (pattern, expected) => {
    expect(matches(pattern as never, event)).toBe(expected);
  });
});

describe('webhook signatures', () => {
  it('verify the body and timestamp, reject tampering, a wrong secret and old timestamps', () => {
    const body = JSON.stringify(event);
    const headers = signWebhook(body, 's3cret');
    expect(verifyWebhook({ body, headers, secret: 's3cret' })).toEqual({ ok: true });
    expect(verifyWebhook({ body: `${body} `, headers, secret: 's3cret' }).ok).toBe(false);
    expect(verifyWebhook({ body, headers, secret: 'other' }).ok).toBe(false);
    const old = signWebhook(body, 's3cret', Math.floor(Date.now() / 1000) - 3600);
    expect(verifyWebhook({ body, headers: old, secret: 's3cret' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/tolerance/),
    });
    expect(verifyWebhook({ body, headers: {}, secret: 's3cret' }).ok).toBe(false);
  });

  it('the example receiver accepts a signed event once and rejects its replay', async () => {
    const r = await startReceiver({ port: 0, secret: 'k' });
    try {
      const body = JSON.stringify(event);
      const headers = { 'content-type': 'application/json', ...signWebhook(body, 'k') };
      expect((await fetch(r.url, { method: 'POST', headers, body })).status).toBe(204);
      expect((await fetch(r.url, { method: 'POST', headers, body })).status).toBe(401);
      expect(
        (await fetch(r.url, { method: 'POST', headers: { ...headers, 'cutline-signature': 'v1=00' }, body }))
          .status,
      ).toBe(401);
      expect(r.received).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});

describe('the local bus', () => {
  it('logs every event, delivers matching subscribers signed, retries failures with backoff and logs give-ups', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-bus-'));
    const receiver = await startReceiver({ port: 0, secret: 'bus-secret' });
    let flakyCalls = 0;
    const flaky = createServer((_req, res) => res.writeHead(++flakyCalls <= 2 ? 500 : 204).end());
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    const flakyUrl = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    const bus = new LocalEventBus({
      logFile: join(dir, 'events.jsonl'),
      defaultWebhookSecret: 'bus-secret',
      retry: { attempts: 3, baseDelayMs: 20 },
      subscribers: [
        {
          name: 'succeeded',
          pattern: { 'detail-type': ['Job Succeeded'] },
          target: { type: 'webhook', url: receiver.url },
        },
        {
          name: 'failed-only',
          pattern: { 'detail-type': ['Job Failed'] },
          target: { type: 'webhook', url: receiver.url },
        },
        { name: 'flaky', pattern: { source: ['cutline'] }, target: { type: 'webhook', url: flakyUrl } },
        {
          name: 'dead',
          pattern: { source: ['cutline'] },
          target: { type: 'webhook', url: 'http://127.0.0.1:9/' },
        },
      ],
    });
    try {
      const ids = await bus.put([
        { Source: 'cutline', DetailType: 'Job Succeeded', Detail: JSON.stringify({ jobId: 'j1' }) },
      ]);
      await bus.drain();
      expect(receiver.received.map((e) => e['detail-type'])).toEqual(['Job Succeeded']);
      expect(flakyCalls).toBe(3);
      const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines[0]).toMatchObject({
        id: ids[0],
        source: 'cutline',
        'detail-type': 'Job Succeeded',
        detail: { jobId: 'j1' },
      });
      expect(lines.filter((l) => l['delivery-failed'])).toEqual([
        { 'delivery-failed': expect.objectContaining({ target: 'dead', eventId: ids[0] }) },
      ]);
    } finally {
      await receiver.close();
      flaky.close();
    }
  });
});

describe('the usage-plan throttle', () => {
  it('allows the burst, then refuses with a wait until tokens refill', () => {
    const t = new Throttle(2, 3);
    expect([t.take('k', 0), t.take('k', 0), t.take('k', 0)]).toEqual([0, 0, 0]);
    expect(t.take('k', 0)).toBeGreaterThanOrEqual(1);
    expect(t.take('other', 0)).toBe(0);
    expect(t.take('k', 600)).toBe(0);
  });
});
