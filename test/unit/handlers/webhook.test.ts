import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startReceiver } from '../../../examples/webhook-receiver.js';
import { resetPlatform } from '../../../lambdas/core/platform.js';
import { webhookSecrets } from '../../../lambdas/core/webhooks/index.js';
import { handler } from '../../../lambdas/triggers/webhook.js';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

const saved = { ...process.env };
const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const message = (jobId: string, receiveCount = 1) =>
  ({
    Records: [
      {
        messageId: `m-${jobId}`,
        receiptHandle: `rh-${jobId}`,
        body: JSON.stringify({
          version: '0',
          id: `ev-${jobId}`,
          source: 'cutline',
          'detail-type': 'Job Succeeded',
          detail: { jobId, status: 'SUCCEEDED' },
        }),
        attributes: { ApproximateReceiveCount: String(receiveCount) },
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:hooks',
      },
    ],
  }) as unknown as SQSEvent;

beforeAll(async () => {
  Object.assign(process.env, {
    CUTLINE_TABLE_NAME: 'table',
    CUTLINE_INGEST_BUCKET: 'ingest',
    CUTLINE_OUTPUTS_BUCKET: 'outputs',
    CUTLINE_WEBHOOK_SECRETS_DIR: await mkdtemp(join(tmpdir(), 'cutline-hook-secrets-')),
    CUTLINE_WEBHOOK_ALLOW_LOOPBACK: 'true',
    CUTLINE_WEBHOOK_RETRY: JSON.stringify({ attempts: 3, baseSeconds: 10 }),
    AWS_REGION: 'us-east-1',
  });
  receiver = await startReceiver({ port: 0, secret: await webhookSecrets().signing('tenant-a') });
});
afterAll(async () => {
  await receiver.close();
  ddb.restore();
  sqs.restore();
  process.env = saved;
  resetPlatform();
});
beforeEach(() => {
  ddb.reset();
  sqs.reset();
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  resetPlatform();
});

describe('webhook Lambda handler, wired from the environment', () => {
  it('posts the event to the job’s callback signed with the job tenant’s secret; another tenant’s is refused there', async () => {
    ddb
      .on(GetCommand)
      .resolves({ Item: { id: 'j1', tenantId: 'tenant-a', callback: `${receiver.url}/hook` } });
    expect(await handler(message('j1'))).toEqual({ batchItemFailures: [] });
    expect(receiver.received.map((e) => e.id)).toEqual(['ev-j1']);
    // Tenant B's job points at tenant A's receiver: signed with B's secret, A's receiver says 401, retried.
    ddb
      .on(GetCommand)
      .resolves({ Item: { id: 'j2', tenantId: 'tenant-b', callback: `${receiver.url}/hook` } });
    expect(await handler(message('j2'))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-j2' }] });
    expect(receiver.rejected.at(-1)).toEqual({ status: 401, reason: 'signature-mismatch' });
    expect(receiver.received.map((e) => e.id)).toEqual(['ev-j1']);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input).toMatchObject({
      ReceiptHandle: 'rh-j2',
      VisibilityTimeout: 10, // CUTLINE_WEBHOOK_RETRY's baseSeconds after the 1st attempt
    });
  });

  it('reads the context-free dependencies itself: a Lambda context as 2nd argument changes nothing', async () => {
    ddb.on(GetCommand).resolves({ Item: { id: 'j3', tenantId: 'tenant-a' } });
    const ctx = { functionName: 'f', getRemainingTimeInMillis: () => 1000 };
    expect(await (handler as (e: SQSEvent, c: unknown) => Promise<unknown>)(message('j3'), ctx)).toEqual({
      batchItemFailures: [],
    });
  });
});
