import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attemptDelivery } from '../../../lambdas/core/webhooks/deliver.js';
import { verifyWebhook, type EventEnvelope } from '../../../lambdas/core/webhooks/signature.js';
import { processBatch, type WebhookDeps } from '../../../lambdas/triggers/webhook.js';

// Quiet the handler's Powertools logger (created when the module loads, hence hoisted).
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

const envelope: EventEnvelope = {
  version: '0',
  id: 'e1',
  'detail-type': 'Job Succeeded',
  source: 'cutline',
  account: '000000000000',
  time: '2026-01-02T03:04:05Z',
  region: 'local',
  resources: [],
  detail: { jobId: 'j1', tenantId: 't1', status: 'SUCCEEDED' },
};

interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback endpoint answering `answer(n)` to the n-th request; `hang` never answers. */
async function endpoint(answer: (n: number) => number | 'hang' | { status: number; location: string }) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const a = answer(hits.length);
      if (a === 'hang') return;
      if (typeof a === 'number') res.writeHead(a).end();
      else res.writeHead(a.status, { location: a.location }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
const dev = { policy: { allowLoopback: true } };

describe('attemptDelivery', () => {
  it('refuses URLs that are not http(s), or loopback without the opt-in, without connecting', async () => {
    const ep = await endpoint(() => 204);
    closers.push(ep.close);
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'javascript:alert(1)', 'not a url'])
      expect(await attemptDelivery(url, envelope, ['k'], dev)).toMatchObject({ ok: false, retry: false });
    expect(await attemptDelivery(ep.url, envelope, ['k'], { policy: { allowLoopback: false } })).toEqual({
      ok: false,
      retry: false,
      reason: expect.stringMatching(/127\.0\.0\.1 is loopback/),
    });
    expect(ep.hits).toHaveLength(0);
  });

  it('POSTs the envelope as JSON, signed with every secret given (newest first)', async () => {
    const ep = await endpoint(() => 204);
    closers.push(ep.close);
    expect(await attemptDelivery(ep.url, envelope, ['new', 'old'], dev)).toEqual({ ok: true, status: 204 });
    const [hit] = ep.hits;
    expect(hit!.method).toBe('POST');
    expect(hit!.url).toBe('/hook');
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hit!.body)).toEqual(envelope);
    expect(String(hit!.headers['cutline-signature'])).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    for (const secret of ['new', 'old'])
      expect(verifyWebhook({ body: hit!.body, headers: hit!.headers, secret }).ok).toBe(true);
    expect(verifyWebhook({ body: hit!.body, headers: hit!.headers, secret: 'other' }).ok).toBe(false);
  });

  it('connects to the address it vetted (one lookup), keeping the name in the Host header', async () => {
    const ep = await endpoint(() => 200);
    closers.push(ep.close);
    let lookups = 0;
    const resolve = async (host: string) => {
      lookups++;
      expect(host).toBe('hooks.example.test');
      return [{ address: '127.0.0.1', family: 4 as const }];
    };
    const r = await attemptDelivery(`http://hooks.example.test:${ep.port}/x`, envelope, ['k'], {
      ...dev,
      resolve,
    });
    expect(r).toEqual({ ok: true, status: 200 });
    expect(lookups).toBe(1);
    expect(ep.hits[0]!.headers.host).toBe(`hooks.example.test:${ep.port}`);
  });

  it('does not follow redirects: a 3xx is a failed attempt and the Location is never contacted', async () => {
    const other = await endpoint(() => 204);
    closers.push(other.close);
    const ep = await endpoint(() => ({ status: 307, location: other.url }));
    closers.push(ep.close);
    expect(await attemptDelivery(ep.url, envelope, ['k'], dev)).toEqual({
      ok: false,
      retry: true,
      reason: 'HTTP 307',
      status: 307,
    });
    expect(other.hits).toHaveLength(0);
  });

  it('5xx, a refused connection and a timeout are retryable failures', async () => {
    const ep = await endpoint((n) => (n === 1 ? 503 : 'hang'));
    closers.push(ep.close);
    expect(await attemptDelivery(ep.url, envelope, ['k'], dev)).toMatchObject({
      ok: false,
      retry: true,
      status: 503,
    });
    const t0 = performance.now();
    expect(await attemptDelivery(ep.url, envelope, ['k'], { ...dev, timeoutMs: 100 })).toEqual({
      ok: false,
      retry: true,
      reason: 'timed out',
    });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await attemptDelivery('http://127.0.0.1:9/', envelope, ['k'], dev)).toMatchObject({
      ok: false,
      retry: true,
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});

describe.skipIf(!hasOpenssl())('https delivery to the pinned address', () => {
  it('verifies the certificate against the host name, not the address it connects to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-hook-tls-'));
    const [key, crt] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        crt,
        '-days',
        '1',
        '-subj',
        '/CN=hooks.test',
        '-addext',
        'subjectAltName=DNS:hooks.test',
      ],
      { stdio: 'ignore' },
    );
    const ca = await readFile(crt, 'utf8');
    let hits = 0;
    const tls = createHttpsServer({ key: await readFile(key), cert: ca }, (req, res) => {
      hits++;
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          tls.closeAllConnections();
          tls.close(() => r());
        }),
    );
    const port = (tls.address() as AddressInfo).port;
    const resolve = async () => [{ address: '127.0.0.1', family: 4 as const }];
    expect(
      await attemptDelivery(`https://hooks.test:${port}/x`, envelope, ['k'], { ...dev, resolve, ca }),
    ).toEqual({
      ok: true,
      status: 204,
    });
    // Same address, a name the certificate does not cover: TLS refuses before anything is posted.
    const wrong = await attemptDelivery(`https://evil.test:${port}/x`, envelope, ['k'], {
      ...dev,
      resolve,
      ca,
    });
    expect(wrong).toMatchObject({
      ok: false,
      retry: true,
      reason: expect.stringMatching(/altnames|certificate/i),
    });
    expect(hits).toBe(1);
  });
});

describe('the delivery Lambda (SQS batch → callbacks)', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());
  beforeEach(() => {
    sqs.reset();
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
  });
  const ARN = 'arn:aws:sqs:eu-west-1:123456789012:Cutline-WebhookQueue-abc';
  const record = (id: string, body: unknown, receiveCount: number) => ({
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: ARN,
    awsRegion: 'eu-west-1',
  });
  const batch = (...records: ReturnType<typeof record>[]) => ({ Records: records }) as unknown as SQSEvent;

  it('delivers, retries with the schedule’s visibility backoff, dead-letters on the last attempt, never retries a refused target', async () => {
    const ok = await endpoint(() => 204);
    const down = await endpoint(() => 500);
    closers.push(ok.close, down.close);
    const callbacks: Record<string, string> = {
      j1: ok.url,
      j2: down.url,
      j3: down.url,
      j4: 'http://169.254.169.254/latest/meta-data/',
    };
    const secretsAsked: string[] = [];
    const deps: WebhookDeps = {
      callbackFor: async (jobId) =>
        callbacks[jobId] ? { url: callbacks[jobId]!, tenantId: `tenant-of-${jobId}` } : undefined,
      secretsFor: async (t) => {
        secretsAsked.push(t);
        return [`secret-${t}`];
      },
      attempt: dev,
      schedule: { attempts: 5, baseSeconds: 30, maxSeconds: 3600 },
    };
    const ev = (jobId?: string) => ({ ...envelope, detail: { ...envelope.detail, jobId } });
    const res = await processBatch(
      batch(
        record('m1', ev('j1'), 1),
        record('m2', ev('j2'), 3),
        record('m3', ev('j3'), 5),
        record('m4', ev('j4'), 1),
        record('m5', ev('none'), 1),
        record('m6', ev(undefined), 1),
        record('m7', 'not json', 1),
      ),
      deps,
    );
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] });
    expect(ok.hits).toHaveLength(1);
    expect(
      verifyWebhook({ body: ok.hits[0]!.body, headers: ok.hits[0]!.headers, secret: 'secret-tenant-of-j1' })
        .ok,
    ).toBe(true);
    expect(down.hits).toHaveLength(2);
    // Only m2 is put back with a delay: the 3rd attempt failed → 30 s × 2² = 120 s. m3 was the 5th (last):
    // left to the queue's redrive (maxReceiveCount) → the dead-letter queue.
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Cutline-WebhookQueue-abc',
        ReceiptHandle: 'rh-m2',
        VisibilityTimeout: 120,
      },
    ]);
    expect(secretsAsked.sort()).toEqual(['tenant-of-j1', 'tenant-of-j2', 'tenant-of-j3', 'tenant-of-j4']);
  });

  it('delivers a batch’s messages at once: a receiver that answers only when all three are in gets them all', async () => {
    const waiting: Array<() => void> = [];
    const barrier = createServer((req, res) => {
      req.resume();
      waiting.push(() => res.writeHead(204).end());
      if (waiting.length === 3) for (const release of waiting) release();
    });
    await new Promise<void>((r) => barrier.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          barrier.closeAllConnections();
          barrier.close(() => r());
        }),
    );
    const url = `http://127.0.0.1:${(barrier.address() as AddressInfo).port}/`;
    const deps: WebhookDeps = {
      callbackFor: async () => ({ url, tenantId: 't' }),
      secretsFor: async () => ['k'],
      // One at a time, the first would wait for the others until this timeout, and fail.
      attempt: { ...dev, timeoutMs: 5000 },
      schedule: { attempts: 3, baseSeconds: 1, maxSeconds: 1 },
    };
    const ev = (jobId: string) => ({ ...envelope, detail: { jobId } });
    expect(
      await processBatch(
        batch(record('x', ev('1'), 1), record('y', ev('2'), 1), record('z', ev('3'), 1)),
        deps,
      ),
    ).toEqual({ batchItemFailures: [] });
    expect(waiting).toHaveLength(3);
  });

  it('Job Progress gets a few short retries, then is dropped, never dead-lettered; the lookup sees the type', async () => {
    const down = await endpoint(() => 503);
    closers.push(down.close);
    const asked: string[] = [];
    const deps: WebhookDeps = {
      callbackFor: async (_jobId, detailType) => {
        asked.push(detailType);
        return { url: down.url, tenantId: 't' };
      },
      secretsFor: async () => ['k'],
      attempt: dev,
      schedule: { attempts: 14, baseSeconds: 30, maxSeconds: 3600 },
    };
    const progress = { ...envelope, 'detail-type': 'Job Progress', detail: { jobId: 'p1', progress: 40 } };
    const res = await processBatch(
      batch(record('p-first', progress, 1), record('p-last', progress, 3)),
      deps,
    );
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: 'p-first' }] });
    expect(asked).toEqual(['Job Progress', 'Job Progress']);
    expect(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.VisibilityTimeout),
    ).toEqual([30]);
  });

  it('an error looking the job up returns just that message to the queue', async () => {
    const deps: WebhookDeps = {
      callbackFor: async (jobId) => {
        if (jobId === 'bad') throw new Error('throttled');
        return undefined;
      },
      secretsFor: async () => ['k'],
      attempt: dev,
      schedule: { attempts: 3, baseSeconds: 1, maxSeconds: 1 },
    };
    const ev = (jobId: string) => ({ ...envelope, detail: { jobId } });
    expect(await processBatch(batch(record('a', ev('bad'), 1), record('b', ev('fine'), 1)), deps)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'a' }],
    });
  });
});
