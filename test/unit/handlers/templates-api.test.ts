import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DeleteCommandInput,
  type PutCommandInput,
  type QueryCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../lambdas/api/templates.js';
import { resetPlatform } from '../../../lambdas/core/platform.js';

process.env.CUTLINE_TABLE_NAME = 'table';
process.env.CUTLINE_INGEST_BUCKET = 'ingest';
process.env.CUTLINE_OUTPUTS_BUCKET = 'outputs';
process.env.CUTLINE_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:render';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';

const ddb = mockClient(DynamoDBDocumentClient);
mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);

/** Just enough of the single table: conditional put/delete, get, query by PK (SK order) and SET updates. */
let table: Map<string, Record<string, unknown>>;
const id = (k: Record<string, unknown>) => `${String(k.PK)}|${String(k.SK)}`;
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });
const checkCondition = (condition: string | undefined, exists: boolean) => {
  if (condition?.startsWith('attribute_not_exists(PK)') && exists) throw conditionFailed();
  if (condition?.startsWith('attribute_exists(PK)') && !exists) throw conditionFailed();
};

function fakeTable() {
  table = new Map();
  ddb.on(PutCommand).callsFake((input: PutCommandInput) => {
    checkCondition(input.ConditionExpression, table.has(id(input.Item!)));
    table.set(id(input.Item!), structuredClone(input.Item!));
    return {};
  });
  ddb
    .on(GetCommand)
    .callsFake((input: { Key: Record<string, unknown> }) => ({ Item: table.get(id(input.Key)) }));
  ddb.on(DeleteCommand).callsFake((input: DeleteCommandInput) => {
    checkCondition(input.ConditionExpression, table.has(id(input.Key!)));
    table.delete(id(input.Key!));
    return {};
  });
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    if (input.IndexName || input.KeyConditionExpression !== 'PK = :p') throw new Error('unexpected query');
    const start = input.ExclusiveStartKey;
    const all = [...table.values()]
      .filter((i) => i.PK === input.ExpressionAttributeValues![':p'])
      .sort((a, b) => String(a.SK).localeCompare(String(b.SK)))
      .filter((i) => !start || String(i.SK) > String(start.SK));
    const items = all.slice(0, input.Limit);
    const last = items.at(-1);
    return {
      Items: items,
      ...(all.length > items.length && last ? { LastEvaluatedKey: { PK: last.PK, SK: last.SK } } : {}),
    };
  });
  ddb.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    const item = table.get(id(input.Key!));
    if (!item) throw conditionFailed();
    for (const [, n, v] of input.UpdateExpression!.matchAll(/(#\w+) = (:\w+)/g)) {
      item[input.ExpressionAttributeNames![n!]!] = input.ExpressionAttributeValues![v!];
    }
    return { Attributes: item };
  });
}

function event(
  method: string,
  resource: string,
  opts: {
    body?: unknown;
    id?: string;
    tenant?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    resource,
    path: resource,
    headers: opts.headers ?? {},
    body:
      opts.body === undefined ? null : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    isBase64Encoded: false,
    pathParameters: opts.id === undefined ? null : { id: opts.id },
    queryStringParameters: opts.query ?? null,
    requestContext: { identity: { apiKeyId: opts.tenant ?? 'tenant-a' } },
  } as unknown as APIGatewayProxyEvent;
}

const call = async (e: APIGatewayProxyEvent) => {
  const res = await handler(e, {} as Context);
  return {
    status: res.statusCode,
    body: res.body ? JSON.parse(res.body) : undefined,
    headers: res.headers ?? {},
  };
};

const template = {
  name: 'greeting',
  edit: {
    merge: [
      { find: 'NAME', replace: 'World' },
      { find: 'LEN', replace: 2 },
    ],
    timeline: {
      tracks: [
        { clips: [{ asset: { type: 'title', text: 'Hello {{NAME}}' }, start: 0, length: '{{LEN}}' }] },
      ],
    },
    output: { format: 'mp4', size: { width: 160, height: 90 } },
  },
};

const create = async (tenant = 'tenant-a', body: unknown = template) =>
  call(event('POST', '/v1/templates', { body, tenant }));
const jobs = () => [...table.values()].filter((i) => String(i.PK).startsWith('JOB#'));

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  resetPlatform();
  fakeTable();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:1' });
});

describe('templates: CRUD', () => {
  it('creates (201), stores it under TPL#<tenant> with placeholders kept, reads it back', async () => {
    const res = await create();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'greeting',
      edit: template.edit,
      links: { self: `/v1/templates/${res.body.id}`, render: `/v1/templates/${res.body.id}/render` },
    });
    expect(res.headers.location).toBe(`/v1/templates/${res.body.id}`);
    const stored = table.get(`TPL#tenant-a|${res.body.id}`)!;
    expect(stored.edit).toEqual(template.edit);
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(PK)');
    const got = await call(event('GET', '/v1/templates/{id}', { id: res.body.id }));
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('lists a page at a time with a cursor, and validates limit and cursor', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await create('tenant-a', { ...template, name: `t${i}` })).body.id);
    await create('tenant-b');
    const first = await call(event('GET', '/v1/templates', { query: { limit: '2' } }));
    expect(first.status).toBe(200);
    expect(first.body.templates).toHaveLength(2);
    expect(typeof first.body.cursor).toBe('string');
    const second = await call(
      event('GET', '/v1/templates', { query: { limit: '2', cursor: first.body.cursor } }),
    );
    expect(second.body.templates).toHaveLength(1);
    expect(second.body.cursor).toBeUndefined();
    expect(
      [...first.body.templates, ...second.body.templates].map((t: { id: string }) => t.id).sort(),
    ).toEqual(ids.sort());

    for (const [query, path] of [
      [{ limit: '0' }, 'query.limit'],
      [{ limit: 'ten' }, 'query.limit'],
      [{ limit: '101' }, 'query.limit'],
      [{ cursor: 'not-a-cursor' }, 'query.cursor'],
    ] as const) {
      const bad = await call(event('GET', '/v1/templates', { query }));
      expect([bad.status, bad.body.error.details[0].path], JSON.stringify(query)).toEqual([400, path]);
    }
    // Another tenant's cursor does not page through this tenant's templates, nor theirs.
    const foreign = await call(
      event('GET', '/v1/templates', { query: { cursor: first.body.cursor }, tenant: 'tenant-b' }),
    );
    expect([foreign.status, foreign.body.error.details[0].path]).toEqual([400, 'query.cursor']);
  });

  it('PUT replaces (createdAt kept, updatedAt moves) and is 404 for a missing template', async () => {
    const { body: t } = await create();
    await new Promise((r) => setTimeout(r, 5));
    const res = await call(
      event('PUT', '/v1/templates/{id}', { id: t.id, body: { ...template, name: 'greeting v2' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: t.id, name: 'greeting v2', createdAt: t.createdAt });
    expect(res.body.updatedAt > t.updatedAt).toBe(true);
    expect(table.get(`TPL#tenant-a|${t.id}`)!.name).toBe('greeting v2');
    const missing = await call(event('PUT', '/v1/templates/{id}', { id: 'nope', body: template }));
    expect(missing.status).toBe(404);
    expect(table.has('TPL#tenant-a|nope')).toBe(false);
  });

  it('DELETE is 204, then 404; GET of a deleted or malformed id is 404', async () => {
    const { body: t } = await create();
    const del = await call(event('DELETE', '/v1/templates/{id}', { id: t.id }));
    expect([del.status, del.body]).toEqual([204, undefined]);
    expect((await call(event('DELETE', '/v1/templates/{id}', { id: t.id }))).status).toBe(404);
    expect((await call(event('GET', '/v1/templates/{id}', { id: t.id }))).status).toBe(404);
    expect((await call(event('GET', '/v1/templates/{id}', { id: 'x'.repeat(2000) }))).status).toBe(404);
  });

  it("another tenant's template is 404 for every route and stays untouched", async () => {
    const { body: t } = await create();
    for (const [method, resource, body] of [
      ['GET', '/v1/templates/{id}', undefined],
      ['PUT', '/v1/templates/{id}', { ...template, name: 'stolen' }],
      ['DELETE', '/v1/templates/{id}', undefined],
      ['POST', '/v1/templates/{id}/render', {}],
    ] as const) {
      const res = await call(event(method, resource, { id: t.id, body, tenant: 'tenant-b' }));
      expect([res.status, res.body.error.code], `${method} ${resource}`).toEqual([404, 'NOT_FOUND']);
    }
    expect(table.get(`TPL#tenant-a|${t.id}`)!.name).toBe('greeting');
    expect((await call(event('GET', '/v1/templates', { tenant: 'tenant-b' }))).body.templates).toEqual([]);
    expect(jobs()).toHaveLength(0);
  });
});

describe('templates: validation', () => {
  it('an invalid edit is 400 with the path inside edit, and nothing is stored', async () => {
    const bad = await create('tenant-a', {
      ...template,
      edit: { ...template.edit, output: { format: 'avi' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details[0].path).toBe('edit.output.format');
    expect(table.size).toBe(0);
  });

  it('a typed placeholder without a default is 400 with a hint to give it one', async () => {
    const { merge: _m, ...noDefaults } = template.edit;
    const bad = await create('tenant-a', { ...template, edit: noDefaults });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('edit.timeline.tracks[0].clips[0].length');
    expect(bad.body.error.details[0].message).toMatch(/the placeholder \{\{LEN\}\} needs a default/);
  });

  it('checks the body: name, edit, unknown fields, bad JSON, size', async () => {
    const cases: Array<[unknown, string]> = [
      [{ edit: template.edit }, 'name'],
      [{ name: '  ', edit: template.edit }, 'name'],
      [{ name: 'x' }, 'edit'],
      [{ name: 'x', edit: [] }, 'edit'],
      [{ ...template, owner: 'me' }, 'owner'],
    ];
    for (const [body, path] of cases) {
      const res = await create('tenant-a', body);
      expect([res.status, res.body.error.details[0].path], JSON.stringify(body)).toEqual([400, path]);
    }
    expect((await create('tenant-a', '{"name":')).status).toBe(400);
    const huge = {
      ...template,
      edit: {
        ...template.edit,
        merge: [...template.edit.merge, { find: 'PAD', replace: 'x'.repeat(400_000) }],
      },
    };
    const big = await create('tenant-a', huge);
    expect([big.status, big.body.error.code, big.body.error.details[0].path]).toEqual([
      400,
      'LIMIT_EXCEEDED',
      'edit',
    ]);
    expect(table.size).toBe(0);
  });
});

describe('POST /v1/templates/{id}/render', () => {
  it('merges the caller’s values over the template’s defaults and submits like POST /v1/renders (202)', async () => {
    const { body: t } = await create();
    const res = await call(
      event('POST', '/v1/templates/{id}/render', {
        id: t.id,
        body: { merge: [{ find: 'NAME', replace: 'Ada' }], callback: 'https://example.com/hook' },
      }),
    );
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: 'QUEUED',
      progress: 0,
      links: { self: `/v1/renders/${res.body.id}`, cancel: `/v1/renders/${res.body.id}/cancel` },
    });
    expect(Object.keys(res.body).sort()).toEqual([
      'createdAt',
      'id',
      'links',
      'progress',
      'status',
      'timings',
      'type',
    ]);
    const [job] = jobs();
    expect(job).toMatchObject({
      id: res.body.id,
      tenantId: 'tenant-a',
      callback: 'https://example.com/hook',
    });
    const request = job!.request as {
      timeline: { tracks: Array<{ clips: Array<Record<string, unknown>> }> };
    };
    expect(request.timeline.tracks[0]!.clips[0]).toMatchObject({ asset: { text: 'Hello Ada' }, length: 2 });
    const start = sfn.commandCalls(StartExecutionCommand);
    expect(start).toHaveLength(1);
    expect(JSON.parse(start[0]!.args[0].input.input!)).toEqual({ jobId: res.body.id, tenantId: 'tenant-a' });
    // The template itself is unchanged.
    expect(table.get(`TPL#tenant-a|${t.id}`)!.edit).toEqual(template.edit);
  });

  it('with no body it renders the defaults; an Idempotency-Key replays the first job', async () => {
    const { body: t } = await create();
    const first = await call(
      event('POST', '/v1/templates/{id}/render', { id: t.id, headers: { 'Idempotency-Key': 'k1' } }),
    );
    expect(first.status).toBe(202);
    const request = jobs()[0]!.request as {
      timeline: { tracks: Array<{ clips: Array<{ asset: { text: string } }> }> };
    };
    expect(request.timeline.tracks[0]!.clips[0]!.asset.text).toBe('Hello World');
    const again = await call(
      event('POST', '/v1/templates/{id}/render', { id: t.id, headers: { 'Idempotency-Key': 'k1' } }),
    );
    expect([again.status, again.body.id, again.headers['idempotent-replay']]).toEqual([
      202,
      first.body.id,
      'true',
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('a required merge field (no default) missing or empty is 400 naming it; given, the job carries the template name', async () => {
    const edit = {
      ...template.edit,
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'title', text: 'Hi {{ WHO }} from {{NAME}}' }, start: 0, length: 2 }] },
        ],
      },
    };
    const { body: t } = await create('tenant-a', { name: 'card', edit });
    const render = (body?: unknown) =>
      call(event('POST', '/v1/templates/{id}/render', { id: t.id, ...(body ? { body } : {}) }));
    const none = await render();
    expect([none.status, none.body.error.details]).toEqual([
      400,
      [{ path: 'merge', message: 'WHO is required: the template has no default for it' }],
    ]);
    const empty = await render({
      merge: [
        { find: 'NAME', replace: 'Bo' },
        { find: 'WHO', replace: '  ' },
      ],
    });
    expect([empty.status, empty.body.error.details]).toEqual([
      400,
      [{ path: 'merge[1].replace', message: 'WHO is required and must not be empty' }],
    ]);
    expect(jobs()).toHaveLength(0);
    const ok = await render({ merge: [{ find: 'WHO', replace: 'Ada' }] });
    expect(ok.status).toBe(202);
    const [job] = jobs() as Array<{ title?: string; request: typeof edit }>;
    expect(job!.title).toBe('card');
    expect(job!.request.timeline.tracks[0]!.clips[0]!.asset.text).toBe('Hi Ada from World');
  });

  it('bad merge values are 400 with their path; a merged edit that fails validation is 400 and queues nothing', async () => {
    const { body: t } = await create();
    const badBody = await call(
      event('POST', '/v1/templates/{id}/render', {
        id: t.id,
        body: { merge: [{ find: 'NAME', replace: {} }] },
      }),
    );
    expect([badBody.status, badBody.body.error.details[0].path]).toEqual([400, 'merge[0].replace']);
    const badValue = await call(
      event('POST', '/v1/templates/{id}/render', {
        id: t.id,
        body: { merge: [{ find: 'LEN', replace: 'long' }] },
      }),
    );
    expect([badValue.status, badValue.body.error.details[0].path]).toEqual([
      400,
      'timeline.tracks[0].clips[0].length',
    ]);
    const badKey = await call(
      event('POST', '/v1/templates/{id}/render', { id: t.id, headers: { 'idempotency-key': 'has space' } }),
    );
    expect([badKey.status, badKey.body.error.details[0].path]).toEqual([400, 'headers.Idempotency-Key']);
    expect(jobs()).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('unknown routes are 404 and a missing API key is 403', async () => {
    expect((await call(event('PATCH', '/v1/templates/{id}', { id: 'x' }))).status).toBe(404);
    const noKey = {
      ...event('GET', '/v1/templates'),
      requestContext: { identity: {} },
    } as APIGatewayProxyEvent;
    expect((await call(noKey)).status).toBe(403);
  });
});
