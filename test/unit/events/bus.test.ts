import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../../examples/webhook-receiver.js';
import { verifyWebhook, type EventEnvelope } from '../../../lambdas/core/webhooks/signature.js';
import { LocalEventBus, type DeliveryFailure, type LocalEventBusOptions } from '../../../local/event-bus.js';

const SECRET = 'bus-secret';

interface Hit {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback endpoint whose status for the n-th request (1-based) is `status(n)`. */
async function endpoint(status: (n: number) => number, delayMs = 0) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        at: performance.now(),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const code = status(hits.length);
      setTimeout(() => res.writeHead(code).end(), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let dir: string;
let receiver: Receiver;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-bus-'));
  receiver = await startReceiver({ port: 0, secret: SECRET });
});
afterAll(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  while (closers.length) await closers.pop()!();
  receiver.received.length = 0;
});

let n = 0;
function bus(opts: Partial<LocalEventBusOptions> = {}) {
  const b = new LocalEventBus({
    logFile: join(dir, `events-${++n}.jsonl`),
    defaultWebhookSecret: SECRET,
    retry: { attempts: 3, baseSeconds: 0.02, maxSeconds: 30 },
    // The endpoints here listen on 127.0.0.1: the development opt-in, stated per bus.
    webhookPolicy: { allowLoopback: true },
    ...opts,
  });
  closers.push(() => b.drain());
  return b;
}

const logLines = async (b: LocalEventBus) =>
  (await readFile((b as unknown as { opts: { logFile: string } }).opts.logFile, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const entry = (
  detailType: string,
  detail: Record<string, unknown> = { jobId: 'j1', status: 'SUCCEEDED' },
) => ({
  Source: 'cutline',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

describe('LocalEventBus', () => {
  it('delivers a matching event, signed, to a real receiver; a non-matching subscriber gets nothing', async () => {
    const other = await endpoint(() => 204);
    closers.push(other.close);
    const b = bus({
      subscribers: [
        {
          name: 'done',
          pattern: { 'detail-type': ['Job Succeeded'] },
          target: { type: 'webhook', url: receiver.url },
        },
        {
          name: 'failures',
          pattern: { detail: { status: ['FAILED'] } },
          target: { type: 'webhook', url: other.url },
        },
      ],
    });
    const [res] = b.put([{ ...entry('Job Succeeded'), EventBusName: 'cutline-local' }]);
    await b.drain();

    expect(receiver.received).toHaveLength(1); // the receiver verified the signature, or it would be empty
    expect(receiver.rejected).toEqual([]);
    const got = receiver.received[0]!;
    expect(got).toEqual({
      version: '0',
      id: (res as { EventId: string }).EventId,
      'detail-type': 'Job Succeeded',
      source: 'cutline',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'local',
      resources: [],
      detail: { jobId: 'j1', status: 'SUCCEEDED' },
    });
    expect(got.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(other.hits).toHaveLength(0);
  });

  it('signs with the subscriber’s own secret when it has one', async () => {
    const ep = await endpoint(() => 204);
    closers.push(ep.close);
    const b = bus({
      subscribers: [
        {
          name: 'own',
          pattern: { source: ['cutline'] },
          target: { type: 'webhook', url: ep.url, secret: 'own' },
        },
      ],
    });
    b.put([entry('Job Failed')]);
    await b.drain();
    const hit = ep.hits[0]!;
    expect(hit.headers['content-type']).toBe('application/json');
    expect(verifyWebhook({ body: hit.body, headers: hit.headers, secret: 'own' }).ok).toBe(true);
    expect(verifyWebhook({ body: hit.body, headers: hit.headers, secret: SECRET }).ok).toBe(false);
  });

  it('does not make the publisher wait for delivery', async () => {
    const slow = await endpoint(() => 204, 300);
    closers.push(slow.close);
    const b = bus({
      subscribers: [
        { name: 'slow', pattern: { source: ['cutline'] }, target: { type: 'webhook', url: slow.url } },
      ],
    });
    const t0 = performance.now();
    const [res] = b.put([entry('Job Succeeded')]);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(res).toHaveProperty('EventId');
    // already in the log, not yet delivered
    expect((await logLines(b)).map((l) => l.id)).toEqual([(res as { EventId: string }).EventId]);
    await b.drain();
    expect(slow.hits).toHaveLength(1);
  });

  it('retries a failing endpoint with exponential backoff until it succeeds', async () => {
    const flaky = await endpoint((i) => (i <= 2 ? 500 : 204));
    closers.push(flaky.close);
    const delivered: unknown[] = [];
    const b = bus({
      retry: { attempts: 4, baseSeconds: 0.04, maxSeconds: 30 },
      subscribers: [
        { name: 'flaky', pattern: { source: ['cutline'] }, target: { type: 'webhook', url: flaky.url } },
      ],
    });
    b.on('delivered', (d) => delivered.push(d));
    b.put([entry('Job Succeeded')]);
    await b.drain();

    expect(flaky.hits).toHaveLength(3);
    const [a, c, d] = flaky.hits.map((h) => h.at);
    expect(c! - a!).toBeGreaterThanOrEqual(35); // ~40 ms
    expect(d! - c!).toBeGreaterThanOrEqual(75); // ~80 ms: doubled
    for (const h of flaky.hits)
      expect(verifyWebhook({ body: h.body, headers: h.headers, secret: SECRET }).ok).toBe(true);
    expect(delivered).toEqual([expect.objectContaining({ subscriber: 'flaky', attempts: 3 })]);
    expect((await logLines(b)).filter((l) => l['delivery-failed'])).toEqual([]);
  });

  it('logs an endpoint that always fails as delivery-failed after N attempts, never throwing at the publisher', async () => {
    const dead = await endpoint(() => 503);
    closers.push(dead.close);
    const gone = await endpoint(() => 204);
    await gone.close(); // nothing listens there any more: connection refused
    const failures: DeliveryFailure[] = [];
    const b = bus({
      subscribers: [
        { name: 'dead', pattern: { source: ['cutline'] }, target: { type: 'webhook', url: dead.url } },
        {
          name: 'refused',
          pattern: { source: ['cutline'] },
          target: { type: 'webhook', url: 'http://127.0.0.1:9/' },
        },
      ],
    });
    b.on('delivery-failed', (f) => failures.push(f));
    const [res] = b.put([entry('Job Failed')]);
    await b.drain();

    expect(dead.hits).toHaveLength(3);
    const id = (res as { EventId: string }).EventId;
    const failed = (await logLines(b)).filter((l) => l['delivery-failed']).map((l) => l['delivery-failed']);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          eventId: id,
          subscriber: 'dead',
          target: dead.url,
          attempts: 3,
          error: 'HTTP 503',
        }),
        expect.objectContaining({
          eventId: id,
          subscriber: 'refused',
          attempts: 3,
          detailType: 'Job Failed',
        }),
      ]),
    );
    expect(failed).toHaveLength(2);
    expect(failures.map((f) => f.subscriber).sort()).toEqual(['dead', 'refused']);
  });

  it('writes one JSONL line per event, in order, and refuses invalid entries like PutEvents', async () => {
    const b = bus();
    const results = b.put([
      entry('Job Progress', { jobId: 'j1', progress: 10 }),
      { Source: 'cutline', DetailType: 'Job Progress', Detail: '{not json' },
      { Source: '', DetailType: 'x', Detail: '{}' },
      { Source: 'cutline', DetailType: 'x', Detail: '[1]' },
      entry('Job Progress', { jobId: 'j1', progress: 50 }),
    ]);
    b.put([entry('Job Succeeded')]);
    expect(results.map((r) => ('ErrorCode' in r ? r.ErrorCode : 'ok'))).toEqual([
      'ok',
      'MalformedDetail',
      'InvalidArgument',
      'MalformedDetail',
      'ok',
    ]);
    const lines = await logLines(b);
    expect(lines.map((l) => [l['detail-type'], (l.detail as { progress?: number }).progress])).toEqual([
      ['Job Progress', 10],
      ['Job Progress', 50],
      ['Job Succeeded', undefined],
    ]);
    expect(lines[0]!.id).toBe((results[0] as { EventId: string }).EventId);
  });

  it('delivers to the job’s callback for terminal job events, not for progress', async () => {
    const looked: unknown[] = [];
    const b = bus({
      callbackFor: async (detail) => {
        looked.push(detail.jobId);
        return detail.jobId === 'j1' ? { url: `${receiver.url}/cb`, tenantId: 't1' } : undefined;
      },
      secretsFor: async (tenant) => (tenant === 't1' ? [SECRET] : ['not-this-one']),
    });
    b.put([
      entry('Job Progress', { jobId: 'j1', progress: 40 }),
      entry('Job Succeeded', { jobId: 'j1', status: 'SUCCEEDED' }),
      entry('Job Failed', { jobId: 'j2', status: 'FAILED' }),
    ]);
    await b.drain();
    expect(looked).toEqual(['j1', 'j2']);
    expect(receiver.received.map((e) => [e['detail-type'], e.detail.jobId])).toEqual([
      ['Job Succeeded', 'j1'],
    ]);
  });

  it('calls function targets with a copy, retrying a throwing one', async () => {
    const seen: EventEnvelope[] = [];
    let calls = 0;
    const b = bus({
      subscribers: [
        {
          name: 'fn',
          pattern: { detail: { progress: [{ numeric: ['>=', 50] }] } },
          target: {
            type: 'function',
            fn: async (e) => {
              if (++calls === 1) throw new Error('first call fails');
              e.detail.mutated = true;
              seen.push(e);
            },
          },
        },
      ],
    });
    b.put([entry('Job Progress', { progress: 20 }), entry('Job Progress', { progress: 60 })]);
    await b.drain();
    expect(calls).toBe(2);
    expect(seen.map((e) => e.detail.progress)).toEqual([60]);
    expect((await logLines(b)).every((l) => !('mutated' in ((l.detail as object) ?? {})))).toBe(true);
  });

  it('lets tests and the CLI watch events, and subscribers come and go at runtime', async () => {
    const b = bus();
    const heard: string[] = [];
    b.on('event', (e) => heard.push(e['detail-type']));
    const ac = new AbortController();
    const iterated: string[] = [];
    const loop = (async () => {
      for await (const e of b.events({ signal: ac.signal })) {
        iterated.push(e['detail-type']);
        if (iterated.length === 2) ac.abort();
      }
    })();
    await new Promise((r) => setImmediate(r));

    const got: string[] = [];
    const off = b.subscribe({
      name: 'rt',
      pattern: { source: ['cutline'] },
      target: { type: 'function', fn: async (e) => void got.push(e['detail-type']) },
    });
    b.put([entry('Job Progress')]);
    off();
    b.put([entry('Job Succeeded')]);
    await b.drain();
    await loop;
    expect(heard).toEqual(['Job Progress', 'Job Succeeded']);
    expect(iterated).toEqual(['Job Progress', 'Job Succeeded']);
    expect(got).toEqual(['Job Progress']);
  });

  it('refuses a retry schedule that cannot work (no attempt, negative waits) when it is built', () => {
    for (const retry of [
      { attempts: 0, baseSeconds: 1, maxSeconds: 1 },
      { attempts: 3, baseSeconds: -1, maxSeconds: 1 },
      { attempts: 1.5, baseSeconds: 1, maxSeconds: 1 },
    ])
      expect(() => bus({ retry })).toThrow();
  });

  it('checks subscribers when they are added', () => {
    const b = bus();
    expect(() =>
      b.subscribe({
        name: 'bad',
        pattern: { source: 'cutline' } as never,
        target: { type: 'webhook', url: receiver.url },
      }),
    ).toThrow(/subscriber "bad": invalid event pattern at pattern\.source/);
    expect(() =>
      b.subscribe({
        name: 'ftp',
        pattern: { source: ['cutline'] },
        target: { type: 'webhook', url: 'ftp://x/y' },
      }),
    ).toThrow(/subscriber "ftp": webhook URL "ftp:\/\/x\/y": must be http\(s\)/);
    expect(() =>
      bus({ subscribers: [{ name: 'x', pattern: {}, target: { type: 'webhook', url: receiver.url } }] }),
    ).toThrow(/empty object/);
    expect(() =>
      b.subscribe({
        name: 'callback',
        pattern: { source: ['cutline'] },
        target: { type: 'webhook', url: receiver.url },
      }),
    ).toThrow(/"callback" is reserved/);
  });

  it('is strict by default: loopback subscribers are refused when added, callbacks to loopback names fail at delivery', async () => {
    const ep = await endpoint(() => 204);
    closers.push(ep.close);
    const strict = (o: Partial<LocalEventBusOptions> = {}) => bus({ webhookPolicy: undefined, ...o });
    for (const url of ['http://127.0.0.1:8787/', 'http://[::1]/', 'http://0x7f.0.0.1/', 'http://2130706433/'])
      expect(() =>
        strict({
          subscribers: [{ name: 'lo', pattern: { source: ['cutline'] }, target: { type: 'webhook', url } }],
        }),
      ).toThrow(/subscriber "lo": .*loopback; webhooks go to public addresses only/);
    const port = new URL(ep.url).port;
    const failures: DeliveryFailure[] = [];
    const b = strict({
      // A name this test controls resolves to loopback; `localhost` does by itself.
      resolve: async (host) =>
        host === 'hooks.example.test'
          ? [{ address: '127.0.0.1', family: 4 }]
          : [{ address: '::1', family: 6 }],
      callbackFor: async (d) => ({ url: String(d.url), tenantId: 't1' }),
      secretsFor: async () => [SECRET],
    });
    b.on('delivery-failed', (f) => failures.push(f));
    b.put([
      entry('Job Succeeded', { jobId: 'a', url: `http://hooks.example.test:${port}/hook` }),
      entry('Job Succeeded', { jobId: 'b', url: `http://localhost:${port}/hook` }),
    ]);
    await b.drain();
    expect(ep.hits).toHaveLength(0);
    expect(failures.map((f) => [f.outcome, f.attempts, f.error]).sort()).toEqual([
      ['refused', 1, expect.stringMatching(/^hooks\.example\.test resolves to 127\.0\.0\.1 is loopback/)],
      ['refused', 1, expect.stringMatching(/^localhost resolves to ::1 is loopback/)],
    ]);
    expect(b.deadLetters).toBe(0); // refused, not dead-lettered: no retry can fix it
  });

  it('signs each job callback with its tenant’s secrets (both while rotating), read per attempt', async () => {
    const ep = await endpoint((i) => (i === 1 ? 500 : 204));
    closers.push(ep.close);
    let rotated = false;
    const b = bus({
      callbackFor: async () => ({ url: ep.url, tenantId: 'tenant-a' }),
      secretsFor: async (t) => {
        expect(t).toBe('tenant-a');
        const secrets = rotated ? ['a-new', 'a-old'] : ['a-old'];
        rotated = true;
        return secrets;
      },
    });
    b.put([entry('Job Succeeded')]);
    await b.drain();
    expect(ep.hits).toHaveLength(2);
    const [first, second] = ep.hits;
    expect(verifyWebhook({ body: first!.body, headers: first!.headers, secret: 'a-old' }).ok).toBe(true);
    expect(verifyWebhook({ body: first!.body, headers: first!.headers, secret: 'a-new' }).ok).toBe(false);
    expect(String(second!.headers['cutline-signature']).split(',')).toHaveLength(2);
    for (const secret of ['a-new', 'a-old'])
      expect(verifyWebhook({ body: second!.body, headers: second!.headers, secret }).ok).toBe(true);
    expect(verifyWebhook({ body: second!.body, headers: second!.headers, secret: SECRET }).ok).toBe(false);
  });

  it('dead-letters an event whose retries ran out: a 0600 dead-letter line, the count, one alarm', async () => {
    const dead = await endpoint(() => 502);
    closers.push(dead.close);
    const alarms: string[] = [];
    const deadLetterFile = join(dir, `dlq-${++n}.jsonl`);
    const b = bus({
      deadLetterFile,
      onAlarm: (m) => alarms.push(m),
      subscribers: [
        { name: 'dead', pattern: { source: ['cutline'] }, target: { type: 'webhook', url: dead.url } },
      ],
    });
    const [r1] = b.put([entry('Job Failed')]);
    await b.drain();
    b.put([entry('Job Failed')]);
    await b.drain();
    expect(dead.hits).toHaveLength(6); // 3 attempts each
    expect(b.deadLetters).toBe(2);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatch(/ALARM webhook dead letters > 0: dead/);
    const lines = (await readFile(deadLetterFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      eventId: (r1 as { EventId: string }).EventId,
      outcome: 'dead-letter',
      attempts: 3,
      error: 'HTTP 502',
      event: { 'detail-type': 'Job Failed' },
    });
    expect((await stat(deadLetterFile)).mode & 0o777).toBe(0o600);
  });

  it('close() ends a long wait between retries at once, recording the delivery as stopped', async () => {
    const dead = await endpoint(() => 503);
    closers.push(dead.close);
    const failures: DeliveryFailure[] = [];
    const b = bus({
      retry: { attempts: 5, baseSeconds: 3600, maxSeconds: 3600 },
      subscribers: [
        { name: 'dead', pattern: { source: ['cutline'] }, target: { type: 'webhook', url: dead.url } },
      ],
    });
    b.on('delivery-failed', (f) => failures.push(f));
    b.put([entry('Job Failed')]);
    while (dead.hits.length === 0) await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    await b.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(failures).toEqual([expect.objectContaining({ outcome: 'stopped', attempts: 1 })]);
    expect(b.deadLetters).toBe(0);
  });

  it('a delivery waiting for its retry survives a restart: the next bus resumes it from the queue file, once', async () => {
    let up = false;
    const ep = await endpoint(() => (up ? 204 : 503));
    closers.push(ep.close);
    const queueFile = join(dir, `queue-${++n}.jsonl`);
    const subscribers = [
      { name: 'ops', pattern: { source: ['cutline'] }, target: { type: 'webhook' as const, url: ep.url } },
    ];
    const retry = { attempts: 4, baseSeconds: 0.3, maxSeconds: 0.3 };
    const first = bus({ queueFile, subscribers, retry });
    const [res] = first.put([entry('Job Failed')]);
    while (ep.hits.length === 0) await new Promise((r) => setTimeout(r, 10));
    await first.close();
    expect((await stat(queueFile)).mode & 0o777).toBe(0o600);

    up = true;
    const delivered: unknown[] = [];
    const second = bus({ queueFile, subscribers, retry });
    second.on('delivered', (d) => delivered.push(d));
    expect(second.resume()).toBe(1);
    await second.drain();
    expect(ep.hits).toHaveLength(2);
    expect(JSON.parse(ep.hits[1]!.body).id).toBe((res as { EventId: string }).EventId);
    expect(verifyWebhook({ body: ep.hits[1]!.body, headers: ep.hits[1]!.headers, secret: SECRET }).ok).toBe(
      true,
    );
    expect(delivered).toEqual([expect.objectContaining({ subscriber: 'ops', attempts: 2 })]);
    // Done: a third start finds nothing to resume.
    expect(bus({ queueFile, subscribers, retry }).resume()).toBe(0);
  });
});
