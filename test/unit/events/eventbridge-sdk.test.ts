import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventBridgeRequestError,
  handleEventBridgeRequest,
  LocalEventBus,
  type EventEnvelope,
} from '../../../local/event-bus.js';

let dir: string;
let server: Server;
let endpoint: string;
let bus: LocalEventBus;
const targets: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-eb-'));
  bus = new LocalEventBus({ logFile: join(dir, 'events.jsonl'), defaultWebhookSecret: 'k' });
  // The smallest AWS JSON 1.1 host: route on X-Amz-Target, map whole-request errors to 400.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target']);
      targets.push(target);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'AWSEvents.PutEvents')
        return res
          .writeHead(400)
          .end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
      try {
        const body = handleEventBridgeRequest(bus, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end(body);
      } catch (err) {
        if (!(err instanceof EventBridgeRequestError)) throw err;
        res.writeHead(err.statusCode).end(err.toBody());
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await bus.drain();
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

describe('PutEvents through the real SDK against the local bus', () => {
  it('works unchanged with AWS_ENDPOINT_URL_EVENTBRIDGE pointing at the local endpoint', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = endpoint;
    const client = new EventBridgeClient({
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const heard: EventEnvelope[] = [];
      const listener = (e: EventEnvelope) => heard.push(e);
      bus.on('event', listener);
      const res = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'cutline-local',
              Source: 'cutline',
              DetailType: 'Job Succeeded',
              Detail: JSON.stringify({ jobId: 'j1', status: 'SUCCEEDED' }),
              Resources: ['arn:cutline:job/j1'],
              Time: new Date('2026-01-02T03:04:05Z'),
            },
            { Source: 'cutline', DetailType: 'Job Failed', Detail: '{broken' },
          ],
        }),
      );
      bus.off('event', listener);

      expect(targets.at(-1)).toBe('AWSEvents.PutEvents');
      expect(res.FailedEntryCount).toBe(1);
      expect(res.Entries).toEqual([
        { EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      ]);
      expect(heard).toHaveLength(1);
      expect(heard[0]).toMatchObject({
        id: res.Entries![0]!.EventId,
        source: 'cutline',
        'detail-type': 'Job Succeeded',
        time: '2026-01-02T03:04:05Z',
        resources: ['arn:cutline:job/j1'],
        detail: { jobId: 'j1', status: 'SUCCEEDED' },
      });
      const logged = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n');
      expect(JSON.parse(logged.at(-1)!)).toEqual(heard[0]);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
      else process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = saved;
      client.destroy();
    }
  });

  it('answers a request over the limits with the AWS error the SDK raises', async () => {
    const client = new EventBridgeClient({
      region: 'local',
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const Entries = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 't', Detail: '{}' }));
      await expect(client.send(new PutEventsCommand({ Entries }))).rejects.toMatchObject({
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      });
    } finally {
      client.destroy();
    }
  });

  it('rejects a body that is not JSON or has no entries', () => {
    expect(() => handleEventBridgeRequest(bus, '{')).toThrow(EventBridgeRequestError);
    expect(() => handleEventBridgeRequest(bus, '{}')).toThrow(/Entries must be a list/);
    expect(JSON.parse(handleEventBridgeRequest(bus, JSON.stringify({ Entries: [{ Source: 'x' }] })))).toEqual(
      {
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringMatching(/DetailType/) }],
      },
    );
  });
});
