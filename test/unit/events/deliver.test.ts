import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startReceiver, type Receiver } from '../../../examples/webhook-receiver.js';
import { resetPlatform } from '../../../lambdas/core/platform.js';
import { verifyWebhook, type EventEnvelope } from '../../../lambdas/core/webhooks/signature.js';
import {
  deliverWebhook,
  handler,
  WebhookDeliveryError,
  WebhookUrlError,
} from '../../../lambdas/triggers/webhook.js';

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

describe('deliverWebhook', () => {
  it('refuses URLs that are not http(s) without trying', async () => {
    let calls = 0;
    const fetchImpl = (async () => {
      calls++;
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'javascript:alert(1)', 'not a url', ''])
      await expect(deliverWebhook(url, envelope, 'k', { fetchImpl })).rejects.toBeInstanceOf(WebhookUrlError);
    expect(calls).toBe(0);
  });

  it('posts signed JSON through the given fetch, re-signing every attempt, with doubling waits', async () => {
    const seen: Array<{ at: number; init: RequestInit }> = [];
    const fetchImpl = (async (_url: string | URL | Request, init?: RequestInit) => {
      seen.push({ at: performance.now(), init: init! });
      if (seen.length === 1) throw new TypeError('fetch failed');
      return new Response(null, { status: seen.length < 3 ? 502 : 200 });
    }) as typeof fetch;
    const failed: string[] = [];
    const res = await deliverWebhook('https://hooks.example.com/x', envelope, 'k', {
      attempts: 5,
      baseDelayMs: 30,
      fetchImpl,
      onAttemptFailed: (n, e) => failed.push(`${n}:${e}`),
    });
    expect(res).toEqual({ attempts: 3, status: 200 });
    expect(failed).toEqual(['1:fetch failed', '2:HTTP 502']);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(25);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(55);
    for (const { init } of seen) {
      expect(init.method).toBe('POST');
      expect(init.redirect).toBe('manual');
      expect(init.signal).toBeInstanceOf(AbortSignal);
      const headers = init.headers as Record<string, string>;
      expect(headers['content-type']).toBe('application/json');
      expect(JSON.parse(init.body as string)).toEqual(envelope);
      expect(verifyWebhook({ body: init.body as string, headers, secret: 'k' }).ok).toBe(true);
    }
  });

  it('gives up after the last attempt with the last error, and caps the wait', async () => {
    const fetchImpl = (async () => new Response('no', { status: 410 })) as typeof fetch;
    const t0 = performance.now();
    const err = await deliverWebhook('http://x.test/', envelope, 'k', {
      attempts: 3,
      baseDelayMs: 1000,
      maxDelayMs: 10,
      fetchImpl,
    }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(err).toBeInstanceOf(WebhookDeliveryError);
    expect(err).toMatchObject({
      attempts: 3,
      status: 410,
      message: expect.stringMatching(/after 3 attempts: HTTP 410/),
    });
  });

  it('times an attempt out', async () => {
    const fetchImpl = ((_u: string | URL | Request, init?: RequestInit) =>
      new Promise((_resolve, reject) =>
        init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)),
      )) as typeof fetch;
    await expect(
      deliverWebhook('http://x.test/', envelope, 'k', { attempts: 1, timeoutMs: 20, fetchImpl }),
    ).rejects.toThrow(/timed out/);
  });
});

describe('webhook Lambda handler (EventBridge → callback)', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  let receiver: Receiver;
  const saved = { ...process.env };
  const event = (jobId?: string) =>
    ({ ...envelope, detail: { ...envelope.detail, jobId } }) as unknown as EventBridgeEvent<
      string,
      { jobId: string }
    >;

  beforeAll(async () => {
    Object.assign(process.env, {
      CUTLINE_TABLE_NAME: 'table',
      CUTLINE_INGEST_BUCKET: 'ingest',
      CUTLINE_OUTPUTS_BUCKET: 'outputs',
      CUTLINE_WEBHOOK_SECRET: 'hook-secret',
      AWS_REGION: 'us-east-1',
    });
    receiver = await startReceiver({ port: 0, secret: 'hook-secret' });
  });
  afterAll(async () => {
    await receiver.close();
    ddb.restore();
    process.env = saved;
    resetPlatform();
  });
  beforeEach(() => {
    ddb.reset();
    resetPlatform();
  });

  it('posts the envelope, signed with CUTLINE_WEBHOOK_SECRET, to the job’s callback', async () => {
    ddb.on(GetCommand).resolves({ Item: { id: 'j1', tenantId: 't1', callback: `${receiver.url}/hook` } });
    expect(await handler(event('j1'))).toEqual({ delivered: true });
    expect(receiver.received.at(-1)).toEqual(event('j1'));
  });

  it('skips events without a job or a callback, drops a non-http callback, and throws on failure so Lambda retries', async () => {
    expect(await handler(event(undefined))).toEqual({ delivered: false });
    ddb.on(GetCommand).resolves({});
    expect(await handler(event('gone'))).toEqual({ delivered: false });
    ddb.on(GetCommand).resolves({ Item: { id: 'j2', tenantId: 't1' } });
    expect(await handler(event('j2'))).toEqual({ delivered: false });
    ddb.on(GetCommand).resolves({ Item: { id: 'j3', tenantId: 't1', callback: 'file:///etc/passwd' } });
    expect(await handler(event('j3'))).toEqual({ delivered: false });
    ddb.on(GetCommand).resolves({ Item: { id: 'j4', tenantId: 't1', callback: 'http://127.0.0.1:9/' } });
    await expect(handler(event('j4'))).rejects.toBeInstanceOf(WebhookDeliveryError);
    delete process.env.CUTLINE_WEBHOOK_SECRET;
    ddb.on(GetCommand).resolves({ Item: { id: 'j1', tenantId: 't1', callback: `${receiver.url}/hook` } });
    await expect(handler(event('j1'))).rejects.toThrow(/CUTLINE_WEBHOOK_SECRET/);
    process.env.CUTLINE_WEBHOOK_SECRET = 'hook-secret';
  });
});
