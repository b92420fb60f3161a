import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetQuotaCache } from '../../../lambdas/core/usage/index.js';
import { handler } from '../../../lambdas/api/renders.js';
import { resetPlatform } from '../../../lambdas/core/platform.js';

process.env.CUTLINE_TABLE_NAME = 'table';
process.env.CUTLINE_INGEST_BUCKET = 'ingest';
process.env.CUTLINE_OUTPUTS_BUCKET = 'outputs';
process.env.CUTLINE_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:render';
process.env.CUTLINE_EVENT_BUS_NAME = 'bus';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';

const ddb = mockClient(DynamoDBDocumentClient);
mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const events = mockClient(EventBridgeClient);
// Submit reads each source's size (HeadObject: ContentLength) to refuse one over maxSourceBytes.
mockClient(S3Client).on(HeadObjectCommand).resolves({ ContentLength: 1000 });

const edit = {
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src: 'clip.mp4' }, start: 0, length: 2 }] }] },
  output: { format: 'mp4', resolution: 'sd' },
};

function event(
  method: string,
  resource: string,
  opts: Partial<APIGatewayProxyEvent> & { tenant?: string | null } = {},
): APIGatewayProxyEvent {
  const { tenant = 'tenant-a', ...rest } = opts;
  return {
    httpMethod: method,
    resource,
    path: resource,
    headers: {},
    body: null,
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { identity: { apiKeyId: tenant ?? undefined } } as APIGatewayProxyEvent['requestContext'],
    ...rest,
  } as APIGatewayProxyEvent;
}

const call = async (e: APIGatewayProxyEvent) => {
  const res = await handler(e, {} as Context);
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers ?? {} };
};

const storedJob = (over: Record<string, unknown> = {}) => ({
  PK: 'JOB#j1',
  SK: 'META',
  id: 'j1',
  tenantId: 'tenant-a',
  type: 'render',
  status: 'RUNNING',
  progress: 40,
  request: edit,
  executionArn: 'arn:exec',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  timings: { queuedAt: '2026-01-01T00:00:00.000Z' },
  ...over,
});

beforeEach(() => {
  resetQuotaCache();
  ddb.reset();
  sfn.reset();
  events.reset();
  resetPlatform();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
  // No tenant quota (GetItem TENANT#…/QUOTA finds nothing) unless a test says otherwise.
  ddb.on(GetCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
});

describe('POST /v1/renders', () => {
  it('queues a valid edit, starts the execution named after the job and answers 202', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({ Attributes: storedJob({ status: 'QUEUED' }) });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:1' });
    const res = await call(event('POST', '/v1/renders', { body: JSON.stringify(edit) }));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: 'QUEUED',
      progress: 0,
      links: { self: `/v1/renders/${res.body.id}` },
    });
    const put = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(put).toHaveLength(1);
    expect(put[0]!.Item).toMatchObject({
      PK: `JOB#${res.body.id}`,
      SK: 'META',
      GSI1PK: 'TENANT#tenant-a',
      GSI2PK: 'STATUS#QUEUED',
    });
    expect(put[0]!.ConditionExpression).toBe('attribute_not_exists(PK)');
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).toBe(res.body.id);
    expect(JSON.parse(start.input!)).toEqual({ jobId: res.body.id, tenantId: 'tenant-a' });
  });

  it('answers 400 with the JSON path of the problem and queues nothing', async () => {
    const bad = { ...edit, output: { format: 'mp4', fps: 7 } };
    const res = await call(event('POST', '/v1/renders', { body: JSON.stringify(bad) }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details[0].path).toBe('output.fps');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('refuses sources outside the tenant before queueing; bad JSON is 400, a huge body 413, no key 403', async () => {
    const foreign = {
      ...edit,
      timeline: {
        tracks: [
          {
            clips: [
              { asset: { type: 'video', src: 's3://ingest/inputs/tenant-b/x.mp4' }, start: 0, length: 1 },
            ],
          },
        ],
      },
    };
    const r1 = await call(event('POST', '/v1/renders', { body: JSON.stringify(foreign) }));
    expect([r1.status, r1.body.error.code, r1.body.error.details[0].path]).toEqual([
      400,
      'SOURCE_REFUSED',
      'timeline.tracks[0].clips[0].asset.src',
    ]);
    const r2 = await call(event('POST', '/v1/renders', { body: '{"timeline":' }));
    expect([r2.status, r2.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const r3 = await call(
      event('POST', '/v1/renders', { body: JSON.stringify({ ...edit, pad: 'x'.repeat(1_100_000) }) }),
    );
    expect(r3.status).toBe(413);
    const r4 = await call(event('POST', '/v1/renders', { body: JSON.stringify(edit), tenant: null }));
    expect(r4.status).toBe(403);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('the same Idempotency-Key returns the earlier job and starts nothing', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    ddb
      .on(GetCommand, { Key: { PK: 'IDEMP#tenant-a#order-7', SK: 'META' } })
      .resolves({ Item: { jobId: 'j1' } });
    ddb
      .on(GetCommand, { Key: { PK: 'JOB#j1', SK: 'META' } })
      .resolves({ Item: storedJob({ status: 'QUEUED' }) });
    const res = await call(
      event('POST', '/v1/renders', { body: JSON.stringify(edit), headers: { 'Idempotency-Key': 'order-7' } }),
    );
    expect(res.status).toBe(202);
    expect(res.body.id).toBe('j1');
    expect(res.headers['idempotent-replay']).toBe('true');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('a pipeline that cannot start marks the job FAILED and answers 503, never a stuck QUEUED job', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({ Attributes: storedJob({ status: 'FAILED' }) });
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));
    const res = await call(event('POST', '/v1/renders', { body: JSON.stringify(edit) }));
    expect(res.status).toBe(503);
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(Object.values(update.ExpressionAttributeValues!)).toContain('FAILED');
  });
});

describe('quotas and the quick path', () => {
  it('a used-up quota is 429 QUOTA_EXCEEDED with Retry-After, and nothing is queued', async () => {
    ddb
      .on(GetCommand, { Key: { PK: 'TENANT#tenant-a', SK: 'QUOTA' } })
      .resolves({ Item: { quota: { renderMinutesPerMonth: 1 } } });
    ddb.on(QueryCommand).resolves({
      Items: [
        { renderedSeconds: 45, chunkSeconds: 10, bytesStored: 1, secondsByTier: {} },
        { renderedSeconds: 15, chunkSeconds: 1, bytesStored: 1, secondsByTier: {} },
      ],
    });
    const res = await call(event('POST', '/v1/renders', { body: JSON.stringify(edit) }));
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(res.body.error.message).toContain('render minutes');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const q = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(q.ExpressionAttributeValues![':pk']).toBe('USAGE#tenant-a');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('?wait answers 200 once the job record turns terminal, with presigned URLs; a bad wait is 400', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({ Attributes: storedJob({ status: 'QUEUED' }) });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:1' });
    let reads = 0;
    ddb.on(GetCommand).callsFake((input: { Key: { PK: string } }) => {
      if (!input.Key.PK.startsWith('JOB#')) return {};
      reads++;
      const id = input.Key.PK.slice(4);
      return reads < 3
        ? { Item: storedJob({ id, PK: input.Key.PK }) }
        : {
            Item: storedJob({
              id,
              PK: input.Key.PK,
              status: 'SUCCEEDED',
              outputs: [{ kind: 'video', key: `outputs/tenant-a/${id}/output.mp4`, bytes: 10 }],
            }),
          };
    });
    const res = await call(
      event('POST', '/v1/renders', { body: JSON.stringify(edit), queryStringParameters: { wait: '5' } }),
    );
    expect(res.status).toBe(200);
    expect(reads).toBe(3);
    expect(res.body.status).toBe('SUCCEEDED');
    expect(res.body.outputs[0].url).toMatch(/X-Amz-Signature=/);
    expect(res.body.estimate).toMatchObject({ complete: true, plan: { target: 'lambda' } });
    const bad = await call(
      event('POST', '/v1/renders', { body: JSON.stringify(edit), queryStringParameters: { wait: '26' } }),
    );
    expect([bad.status, bad.body.error.details[0].path]).toEqual([400, 'query.wait']);
  });
});

describe('GET and cancel', () => {
  it("another tenant's job is 404; the owner sees it with presigned output URLs", async () => {
    ddb.on(GetCommand).resolves({
      Item: storedJob({
        status: 'SUCCEEDED',
        outputs: [{ kind: 'video', key: 'outputs/tenant-a/j1/output.mp4', bytes: 10 }],
      }),
    });
    const other = await call(
      event('GET', '/v1/renders/{id}', { pathParameters: { id: 'j1' }, tenant: 'tenant-b' }),
    );
    expect(other.status).toBe(404);
    const mine = await call(event('GET', '/v1/renders/{id}', { pathParameters: { id: 'j1' } }));
    expect(mine.status).toBe(200);
    expect(mine.body.outputs[0].url).toMatch(
      /^https:\/\/.*outputs\/tenant-a\/j1\/output\.mp4\?.*X-Amz-Signature=/,
    );
  });

  it('cancel stops the execution, marks CANCELLED and emits Job Cancelled; an ended job is 409', async () => {
    ddb.on(GetCommand).resolves({ Item: storedJob() });
    ddb.on(UpdateCommand).resolves({ Attributes: storedJob({ status: 'CANCELLED' }) });
    sfn.on(StopExecutionCommand).resolves({});
    const res = await call(event('POST', '/v1/renders/{id}/cancel', { pathParameters: { id: 'j1' } }));
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('CANCELLED');
    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input.executionArn).toBe('arn:exec');
    const ev = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect([ev.Source, ev.DetailType, JSON.parse(ev.Detail!).status]).toEqual([
      'cutline',
      'Job Cancelled',
      'CANCELLED',
    ]);

    ddb.on(GetCommand).resolves({ Item: storedJob({ status: 'SUCCEEDED' }) });
    const again = await call(event('POST', '/v1/renders/{id}/cancel', { pathParameters: { id: 'j1' } }));
    expect(again.status).toBe(409);
  });

  it('a list item carries its title (template name, else derived from the edit, else the kind), its failure and a presigned thumbnail (its thumbnail output before its poster)', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        storedJob({
          id: 'j2',
          status: 'SUCCEEDED',
          title: 'greeting',
          outputs: [
            { kind: 'video', key: 'outputs/tenant-a/j2/output.mp4', bytes: 10 },
            { kind: 'poster', key: 'outputs/tenant-a/j2/poster.jpg', bytes: 5, width: 64, height: 36 },
          ],
        }),
        storedJob({ status: 'FAILED', error: { code: 'SOURCE_UNREACHABLE', message: 'clip.mp4: 404' } }),
        storedJob({
          id: 'j3',
          status: 'SUCCEEDED',
          outputs: [
            { kind: 'poster', key: 'outputs/tenant-a/j3/poster.jpg', bytes: 90_000 },
            { kind: 'thumbnail', key: 'outputs/tenant-a/j3/thumb.jpg', bytes: 4_000 },
          ],
        }),
        storedJob({
          id: 'j4',
          request: {
            ...edit,
            timeline: { tracks: [{ clips: [{ asset: { type: 'video', src: 'alias://a' } }] }] },
          },
        }),
      ],
    });
    const res = await call(event('GET', '/v1/renders'));
    const [named, failed, both, nameless] = res.body.renders;
    expect(named.title).toBe('greeting');
    expect(named.thumbnail.url).toMatch(
      /^https:\/\/.*outputs\/tenant-a\/j2\/poster\.jpg\?.*X-Amz-Signature=/,
    );
    expect([named.thumbnail.width, named.thumbnail.height]).toEqual([64, 36]);
    // No name given: the edit's first media file's name; nothing recognisable: the kind.
    expect(failed.title).toBe('clip.mp4');
    expect(nameless.title).toBe('Render');
    expect(failed.thumbnail).toBeUndefined();
    expect(failed.error).toEqual({ code: 'SOURCE_UNREACHABLE', message: 'clip.mp4: 404' });
    // The scaled-down thumbnail is preferred to the full-size poster.
    expect(both.thumbnail.url).toMatch(/outputs\/tenant-a\/j3\/thumb\.jpg\?/);
  });

  it('lists the tenant’s jobs newest first with a cursor, and validates the query', async () => {
    ddb.on(QueryCommand).resolves({ Items: [storedJob()], LastEvaluatedKey: { PK: 'JOB#j1', SK: 'META' } });
    const res = await call(
      event('GET', '/v1/renders', { queryStringParameters: { status: 'running', limit: '1' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body.renders).toHaveLength(1);
    const q = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    // The status is part of the key (the tenant's partition of GSI3), never a filter after the limit.
    expect(q).toMatchObject({ IndexName: 'GSI3', ScanIndexForward: false, Limit: 1 });
    expect(q.ExpressionAttributeValues).toEqual({ ':t': 'TENANT#tenant-a#STATUS#RUNNING' });
    expect(q.FilterExpression).toBeUndefined();
    expect(typeof res.body.cursor).toBe('string');
    const bad = await call(event('GET', '/v1/renders', { queryStringParameters: { limit: '1000' } }));
    expect([bad.status, bad.body.error.details[0].path]).toEqual([400, 'query.limit']);
  });
});
