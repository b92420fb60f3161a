import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../../examples/webhook-receiver.js';
import { osResolve } from '../../../lambdas/core/net/fetch.js';
import { verifyWebhook } from '../../../lambdas/core/webhooks/signature.js';
import type { DeliveryFailure } from '../../../local/event-bus.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { api, SECOND_TENANT, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

/**
 * Webhooks on the real local platform: SSRF vetting at submit and at delivery, per-tenant secrets and
 * their rotation over the API, and the retry schedule (shrunk by setting to tens of milliseconds) ending
 * in the dead-letter file. Every receiver is on loopback; every render is a half-second title.
 */
const edit = (callback: string) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'hook' }, start: 0, length: 0.5 }] }] },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
  callback,
});

interface Hit {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback endpoint: `answer(n, hit)` gives the status of the n-th request (1-based). */
async function endpoint(answer: (n: number, hit: Hit) => number | Promise<number>) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(hit);
      void Promise.resolve(answer(hits.length, hit)).then((status) => res.writeHead(status).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Forwards a hit to a receiver as it came (same body and signature headers); answers its status. */
const forward = async (to: Receiver, hit: Hit) =>
  (
    await fetch(`${to.url}/hook`, {
      method: 'POST',
      body: hit.body,
      headers: {
        'content-type': 'application/json',
        'cutline-timestamp': String(hit.headers['cutline-timestamp']),
        'cutline-signature': String(hit.headers['cutline-signature']),
      },
    })
  ).status;

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function render(call: Api, callback: string): Promise<string> {
  const res = await call('POST', '/v1/renders', edit(callback));
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const { job } = await waitForJob(call, res.body.id, 90_000);
  expect(job.status).toBe('SUCCEEDED');
  return job.id;
}

const jobOf = (f: { event?: { detail?: { jobId?: string } } }) => f.event?.detail?.jobId;

// Its own block, first: a start (even a refused one) points this process's environment at itself.
describe('subscribers.json', () => {
  it('by default refuses to start with a loopback subscriber in subscribers.json, naming it (fargate.test.ts opts in)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cutline-subs-'));
    await writeFile(
      join(dataDir, 'subscribers.json'),
      JSON.stringify([
        {
          name: 'ops',
          pattern: { source: ['cutline'] },
          target: { type: 'webhook', url: 'http://127.0.0.1:8787/' },
        },
      ]),
    );
    await expect(startTestPlatform({ dataDir })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/subscribers\.json: subscriber "ops": .*127\.0\.0\.1 is loopback/),
    });
  });
});

describe('the default platform (no opt-in): loopback and private callbacks are refused', () => {
  let platform: LocalPlatform;
  let call: Api;
  const failures: DeliveryFailure[] = [];
  let target: Awaited<ReturnType<typeof endpoint>>;

  beforeAll(async () => {
    target = await endpoint(() => 204);
    platform = await startTestPlatform({
      // A name this test controls, pointing at loopback (DNS rebinding's end state).
      webhookResolve: async (host) =>
        host === 'hooks.cutline.test' ? [{ address: '127.0.0.1', family: 4 }] : osResolve(host),
      webhookRetry: { attempts: 3, baseSeconds: 0.05, maxSeconds: 0.2 },
    });
    platform.bus.on('delivery-failed', (f) => failures.push(f));
    call = api(platform);
  });
  afterAll(async () => {
    await platform?.close();
    await target?.close();
  });

  it('refuses at submit (400, path callback) every literal notation of loopback, private, metadata and CGNAT, bad schemes and credentials', async () => {
    const p = target.port;
    const refused = [
      `http://127.0.0.1:${p}/hook`,
      `http://127.1:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://0x7f.0.0.1:${p}/`,
      `http://2130706433:${p}/`,
      `http://017700000001:${p}/`,
      `http://0177.0.0.1:${p}/`,
      `http://[::1]:${p}/`,
      `http://[0:0:0:0:0:0:0:1]:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::ffff:7f00:1]:${p}/`,
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://[fd00:ec2::254]/',
      'http://10.0.0.1/',
      'http://192.168.0.1/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'https://user:pass@hooks.example.com/',
    ];
    for (const callback of refused) {
      const res = await call('POST', '/v1/renders', edit(callback));
      expect([callback, res.status, res.body.error.code]).toEqual([callback, 400, 'VALIDATION_FAILED']);
      expect(res.body.error.details).toEqual([{ path: 'callback', message: expect.any(String) }]);
      // /v1/validate gives the very same answer.
      expect((await call('POST', '/v1/validate', edit(callback))).body.error.details[0].path).toBe(
        'callback',
      );
    }
    const lo = await call('POST', '/v1/renders', edit(`http://127.0.0.1:${p}/`));
    expect(lo.body.error.details[0].message).toMatch(/loopback.*CUTLINE_WEBHOOK_ALLOW_LOOPBACK=true/);
    for (const callback of ['ftp://example.com/x', 'file:///etc/passwd']) {
      const res = await call('POST', '/v1/renders', edit(callback));
      expect([res.status, res.body.error.details[0].path]).toEqual([400, 'callback']);
    }
    expect((await call('GET', '/v1/renders?limit=100')).body.renders).toEqual([]); // nothing was written
    expect(target.hits).toHaveLength(0);
  });

  it('fails at delivery, with a recorded reason, names that resolve to loopback: localhost and a controlled name', async () => {
    const a = await render(call, `http://localhost:${target.port}/hook`);
    const b = await render(call, `http://hooks.cutline.test:${target.port}/hook`);
    const fa = await until('localhost refusal', () =>
      failures.find((f) => f.subscriber === 'callback' && f.target.includes('localhost')),
    );
    const fb = await until('name refusal', () =>
      failures.find((f) => f.target.includes('hooks.cutline.test')),
    );
    expect(fa).toMatchObject({
      outcome: 'refused',
      attempts: 1,
      error: expect.stringMatching(/^localhost resolves to .* is loopback/),
    });
    expect(fb).toMatchObject({
      outcome: 'refused',
      attempts: 1,
      error: expect.stringMatching(/^hooks\.cutline\.test resolves to 127\.0\.0\.1 is loopback/),
    });
    const log = (await readFile(join(platform.dataDir, 'events.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const recorded = log
      .filter((l) => l['delivery-failed']?.outcome === 'refused')
      .map((l) => l['delivery-failed'].eventId);
    const ids = log
      .filter((l) => l['detail-type'] === 'Job Succeeded' && [a, b].includes(l.detail.jobId))
      .map((l) => l.id);
    expect(recorded.sort()).toEqual(ids.sort());
    expect(target.hits).toHaveLength(0);
    expect(platform.bus.deadLetters).toBe(0);
  });
});

describe('with the development opt-in: per-tenant secrets, rotation, retries and the dead-letter file', () => {
  let platform: LocalPlatform;
  let a: Api;
  let b: Api;
  const logLines: string[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    platform = await startTestPlatform({
      allowLocalWebhooks: true,
      webhookRetry: { attempts: 4, baseSeconds: 0.05, maxSeconds: 0.2 },
      log: (l) => logLines.push(l),
    });
    a = api(platform);
    b = api(platform, SECOND_TENANT.value);
  });
  afterAll(async () => {
    await platform?.close();
    for (const c of closers) await c();
  });

  it('still refuses private, metadata and CGNAT literals at submit; loopback is accepted', async () => {
    for (const callback of [
      'http://169.254.169.254/',
      'http://10.1.1.1/',
      'http://100.100.0.1/',
      'http://[::ffff:127.0.0.1]/',
    ])
      expect((await a('POST', '/v1/validate', edit(callback))).status).toBe(400);
    expect((await a('POST', '/v1/validate', edit('http://127.0.0.1:9/'))).status).toBe(200);
  });

  it('tenant A’s receiver accepts A’s events and rejects tenant B’s (signed with B’s own secret)', async () => {
    const receiverA = await startReceiver({
      port: 0,
      secret: await platform.webhookSecretsOf(platform.apiKeyId),
    });
    closers.push(receiverA.close);
    const jobA = await render(a, `${receiverA.url}/hook`);
    const jobB = await render(b, `${receiverA.url}/hook`);
    await until('A delivered', () => receiverA.received.some((e) => e.detail.jobId === jobA));
    const dead = join(platform.dataDir, 'webhook-dead-letters.jsonl');
    await until('B dead-lettered', () => platform.bus.deadLetters >= 1);
    const lines = (await readFile(dead, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const line = lines.find((l) => jobOf(l) === jobB);
    expect(line).toMatchObject({ outcome: 'dead-letter', attempts: 4, error: 'HTTP 401' });
    expect(receiverA.rejected.filter((r) => r.reason === 'signature-mismatch')).toHaveLength(4);
    expect(receiverA.received.map((e) => e.detail.jobId)).toEqual([jobA]);
    const secretsB = await platform.webhookSecretsOf(SECOND_TENANT.id);
    expect(secretsB[0]).not.toBe((await platform.webhookSecretsOf(platform.apiKeyId))[0]);
  });

  it('a receiver answering 503 twice, then 200, gets the event exactly once, on the schedule', async () => {
    const receiver = await startReceiver({
      port: 0,
      secret: await platform.webhookSecretsOf(platform.apiKeyId),
    });
    closers.push(receiver.close);
    const at: number[] = [];
    const flaky = await endpoint((n, hit) => {
      at.push(performance.now());
      return n <= 2 ? 503 : forward(receiver, hit);
    });
    closers.push(flaky.close);
    const job = await render(a, flaky.url);
    await until('delivered', () => receiver.received.some((e) => e.detail.jobId === job));
    await new Promise((r) => setTimeout(r, 500)); // nothing more arrives after success
    expect(flaky.hits).toHaveLength(3);
    expect(receiver.received.filter((e) => e.detail.jobId === job)).toHaveLength(1);
    expect(receiver.duplicates).toEqual([]);
    // 50 ms after the 1st failure, 100 ms after the 2nd (the setting shrinks hours to this).
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(45);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(95);
  });

  it('a receiver that never recovers lands in the dead-letter file; the alarm fires once', async () => {
    const down = await endpoint(() => 500);
    closers.push(down.close);
    const before = platform.bus.deadLetters;
    const job = await render(a, down.url);
    await until('dead-lettered', () => platform.bus.deadLetters > before);
    expect(down.hits).toHaveLength(4);
    const lines = (await readFile(join(platform.dataDir, 'webhook-dead-letters.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => jobOf(l) === job)).toMatchObject({
      outcome: 'dead-letter',
      subscriber: 'callback',
      target: down.url,
      attempts: 4,
      error: 'HTTP 500',
      event: { 'detail-type': 'Job Succeeded', detail: { jobId: job } },
    });
    expect(logLines.filter((l) => l.startsWith('ALARM webhook dead letters > 0'))).toHaveLength(1);
  });

  it('rotation over the API: masked GET, the new secret once, both sign during the grace period', async () => {
    const before = await a('GET', '/v1/webhooks/secret');
    expect(before.status).toBe(200);
    const [old] = await platform.webhookSecretsOf(platform.apiKeyId);
    expect(before.body).toEqual({
      id: expect.stringMatching(/^whsec_[0-9a-f]{12}$/),
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(before.body)).not.toContain(old);
    expect(before.headers.get('cache-control')).toBe('no-store');

    const rotated = await a('POST', '/v1/webhooks/secret/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({
      id: expect.stringMatching(/^whsec_/),
      secret: expect.stringMatching(/^[0-9a-f]{64}$/),
      createdAt: expect.any(String),
      previous: { id: before.body.id, createdAt: before.body.createdAt, expiresAt: expect.any(String) },
    });
    expect(Date.parse(rotated.body.previous.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const after = await a('GET', '/v1/webhooks/secret');
    expect(after.body).toEqual({
      id: rotated.body.id,
      createdAt: rotated.body.createdAt,
      previous: rotated.body.previous,
    });
    expect(JSON.stringify(after.body)).not.toContain(rotated.body.secret);
    // Tenant B sees its own secret, not A's.
    expect((await b('GET', '/v1/webhooks/secret')).body.id).not.toBe(rotated.body.id);
    // A second rotation right away is refused until the interval has passed.
    const again = await a('POST', '/v1/webhooks/secret/rotate');
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);

    // One delivery carries both signatures: a receiver on the new secret and one still on the old accept it.
    const onNew = await startReceiver({ port: 0, secret: rotated.body.secret });
    const onOld = await startReceiver({ port: 0, secret: old! });
    closers.push(onNew.close, onOld.close);
    const both = await endpoint(async (_n, hit) => {
      const [x, y] = [await forward(onNew, hit), await forward(onOld, hit)];
      return x === 204 && y === 204 ? 204 : 500;
    });
    closers.push(both.close);
    const job = await render(a, both.url);
    await until('delivered to both', () => onNew.received.length && onOld.received.length);
    expect(both.hits).toHaveLength(1);
    expect(String(both.hits[0]!.headers['cutline-signature']).split(',')).toHaveLength(2);
    expect(onNew.received.map((e) => e.detail.jobId)).toEqual([job]);
    expect(onOld.received.map((e) => e.detail.jobId)).toEqual([job]);
    expect(
      verifyWebhook({ body: both.hits[0]!.body, headers: both.hits[0]!.headers, secret: 'guess' }).ok,
    ).toBe(false);
  });
});

describe('restarting the platform', () => {
  it('a callback waiting for its retry is delivered after a restart, exactly once', async () => {
    const opts = {
      allowLocalWebhooks: true,
      webhookRetry: { attempts: 5, baseSeconds: 0.5, maxSeconds: 0.5 },
    };
    let platform = await startTestPlatform(opts);
    const dataDir = platform.dataDir;
    const receiver = await startReceiver({
      port: 0,
      secret: await platform.webhookSecretsOf(platform.apiKeyId),
    });
    let up = false;
    const front = await endpoint((_n, hit) => (up ? forward(receiver, hit) : 503));
    try {
      const job = await render(api(platform), front.url);
      await until('first attempt', () => front.hits.length >= 1);
      await platform.close(); // the retry is still waiting: it stays in the queue file
      expect(receiver.received).toEqual([]);
      up = true;
      platform = await startTestPlatform({ ...opts, dataDir });
      await until('delivered after the restart', () => receiver.received.some((e) => e.detail.jobId === job));
      await platform.bus.drain();
      expect(receiver.received.filter((e) => e.detail.jobId === job)).toHaveLength(1);
      expect(receiver.duplicates).toEqual([]);
    } finally {
      await platform.close();
      await front.close();
      await receiver.close();
    }
  });
});
