import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../../../examples/webhook-receiver.js';
import { resetPlatform } from '../../../lambdas/core/platform.js';
import { handler } from '../../../lambdas/triggers/webhook.js';

process.env.CUTLINE_TABLE_NAME = 'table';
process.env.CUTLINE_INGEST_BUCKET = 'ingest';
process.env.CUTLINE_OUTPUTS_BUCKET = 'outputs';
process.env.CUTLINE_WEBHOOK_SECRET = 'hook-secret';
process.env.AWS_REGION = 'us-east-1';

const ddb = mockClient(DynamoDBDocumentClient);
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const event = (jobId: string) =>
  ({
    source: 'cutline',
    'detail-type': 'Job Succeeded',
    detail: { jobId, status: 'SUCCEEDED' },
  }) as unknown as EventBridgeEvent<string, { jobId: string }>;

beforeAll(async () => {
  receiver = await startReceiver({ port: 0, secret: 'hook-secret' });
});
afterAll(async () => receiver.close());
beforeEach(() => {
  ddb.reset();
  resetPlatform();
});

describe('webhook delivery (EventBridge → callback)', () => {
  it('posts the event, signed, to the job’s callback', async () => {
    ddb.on(GetCommand).resolves({ Item: { id: 'j1', tenantId: 't', callback: `${receiver.url}/hook` } });
    expect(await handler(event('j1'))).toEqual({ delivered: true });
    expect(receiver.received.at(-1)).toMatchObject({
      'detail-type': 'Job Succeeded',
      detail: { jobId: 'j1' },
    });
  });

  it('does nothing for a job without a callback, and throws on a failing endpoint so Lambda retries', async () => {
    ddb.on(GetCommand).resolves({ Item: { id: 'j2', tenantId: 't' } });
    expect(await handler(event('j2'))).toEqual({ delivered: false });
    ddb
      .on(GetCommand)
      .resolves({ Item: { id: 'j3', tenantId: 't', callback: 'http://127.0.0.1:9/unreachable' } });
    await expect(handler(event('j3'))).rejects.toThrow();
  });
});
