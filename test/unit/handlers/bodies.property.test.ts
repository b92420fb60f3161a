import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetClients } from '../../../lambdas/core/aws/clients.js';
import { resetPlatform } from '../../../lambdas/core/platform.js';
import { ensureTable } from '../../../local/bootstrap.js';
import { startDynalite, type Running } from '../../../local/servers.js';
import { anyJson, mergeFields, nastyString, nearEdit } from '../../helpers/arbitraries.js';

/**
 * Every API body, fuzzed: whatever arrives, the answer is never a 5xx, and a 4xx names the problem with a
 * JSON path. The handlers run for real on dynalite; only starting the state machine is stubbed, so a body
 * that happens to be valid queues a job without rendering it.
 *
 * One line per route.
 */
interface RouteCase {
  route: string;
  module: string;
  body: fc.Arbitrary<unknown>;
  pathParameters?: Record<string, string>;
  headers?: fc.Arbitrary<Record<string, string>>;
}

const TEMPLATE_ID = 'tpl-fuzz';
const ROUTES: RouteCase[] = [
  {
    route: 'POST /v1/renders',
    module: 'renders',
    body: fc.oneof(nearEdit, fc.record({ ...{ callback: nastyString }, timeline: anyJson, output: anyJson })),
    headers: fc.record({ 'idempotency-key': nastyString }, { requiredKeys: [] }),
  },
  {
    route: 'POST /v1/templates',
    module: 'templates',
    body: fc.record(
      { name: nastyString, edit: fc.oneof(nearEdit, anyJson), extra: anyJson },
      { requiredKeys: [] },
    ),
  },
  {
    route: 'PUT /v1/templates/{id}',
    module: 'templates',
    pathParameters: { id: TEMPLATE_ID },
    body: fc.record({ name: nastyString, edit: fc.oneof(nearEdit, anyJson) }, { requiredKeys: [] }),
  },
  {
    route: 'POST /v1/templates/{id}/render',
    module: 'templates',
    pathParameters: { id: TEMPLATE_ID },
    body: fc.record({ merge: fc.oneof(mergeFields, anyJson), callback: nastyString }, { requiredKeys: [] }),
  },
  {
    route: 'POST /v1/clips',
    module: 'renders',
    body: fc.record(
      {
        src: nastyString,
        mode: fc.oneof(fc.constantFrom('manual', 'auto'), anyJson),
        clips: fc.oneof(fc.array(fc.record({ start: anyJson, end: anyJson, title: nastyString })), anyJson),
        count: anyJson,
        length: anyJson,
        aspectRatios: fc.oneof(fc.array(fc.constantFrom('9:16', '1:1', '4:5', '16:9', '2:1')), anyJson),
        reframe: anyJson,
        captions: anyJson,
      },
      { requiredKeys: [] },
    ),
  },
  {
    route: 'POST /v1/mixes',
    module: 'renders',
    body: fc.record(
      {
        groups: fc.oneof(fc.array(fc.record({ name: nastyString, clips: fc.array(nastyString) })), anyJson),
        mode: fc.oneof(fc.constantFrom('auto', 'manual'), anyJson),
        count: anyJson,
        seed: anyJson,
        sequences: anyJson,
        crossfade: anyJson,
      },
      { requiredKeys: [] },
    ),
  },
  {
    route: 'POST /v1/projects',
    module: 'projects',
    body: fc.record(
      {
        mode: fc.oneof(fc.constantFrom('music-video', 'ad-creative', 'custom'), anyJson),
        prompt: nastyString,
        audio: anyJson,
        scenes: fc.oneof(
          fc.array(
            fc.record(
              {
                source: fc.constantFrom('title', 'image', 'upload', 'voiceover', 'generate', 'x'),
                text: nastyString,
                src: nastyString,
                length: anyJson,
              },
              { requiredKeys: [] },
            ),
          ),
          anyJson,
        ),
      },
      { requiredKeys: [] },
    ),
  },
  {
    route: 'POST /v1/uploads',
    module: 'uploads',
    body: fc.record({ filename: nastyString, contentType: nastyString, size: anyJson }, { requiredKeys: [] }),
  },
];

/** Bodies no route should choke on: any JSON, any text, and broken JSON. */
const rawBodies = fc.oneof(
  anyJson.map((v) => JSON.stringify(v)),
  fc.string(),
  fc.constantFrom('', ' ', '{', '{"a":', 'null', '[]', '"x"', '1e999', '{"__proto__":{"x":1}}', '\u0000'),
);

type Handler = (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
const handlers = new Map<string, Handler>();
let db: Running;

beforeAll(async () => {
  db = await startDynalite(await mkdtemp(join(tmpdir(), 'cutline-fuzz-')));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    CUTLINE_TABLE_NAME: 'cutline',
    CUTLINE_INGEST_BUCKET: 'ingest',
    CUTLINE_OUTPUTS_BUCKET: 'outputs',
    CUTLINE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:cutline',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  resetClients();
  resetPlatform();
  await ensureTable(new DynamoDBClient({ endpoint: db.endpoint }), 'cutline');
  mockClient(SFNClient)
    .on(StartExecutionCommand)
    .callsFake((i: { name: string }) => ({ executionArn: `arn:exec:${i.name}`, startDate: new Date() }));
  for (const m of new Set(ROUTES.map((r) => r.module)))
    handlers.set(m, ((await import(`../../../lambdas/api/${m}.ts`)) as { handler: Handler }).handler);
  // A template to render and replace (its own creation goes through the same handler).
  const created = await send(
    ROUTES[1]!,
    JSON.stringify({
      name: 'fuzz',
      edit: {
        timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: '{{T}}' }, start: 0, length: 1 }] }] },
        output: { format: 'mp4', resolution: 'sd' },
        merge: [{ find: 'T', replace: 'x' }],
      },
    }),
  );
  expect(created.statusCode, created.body).toBe(201);
  TEMPLATE.id = JSON.parse(created.body).id as string;
});
afterAll(() => db?.close());

const TEMPLATE = { id: TEMPLATE_ID };

function send(rc: RouteCase, body: string, headers: Record<string, string> = {}) {
  const [method, resource] = rc.route.split(' ') as [string, string];
  const params = rc.pathParameters ? { id: TEMPLATE.id } : null;
  return handlers.get(rc.module)!(
    {
      httpMethod: method,
      resource,
      path: resource.replace('{id}', TEMPLATE.id),
      headers: { 'content-type': 'application/json', ...headers },
      multiValueHeaders: {},
      body,
      isBase64Encoded: false,
      pathParameters: params,
      queryStringParameters: null,
      requestContext: { identity: { apiKeyId: 'tenant-fuzz' }, requestId: 'fuzz' },
    } as unknown as APIGatewayProxyEvent,
    { awsRequestId: 'fuzz' } as Context,
  );
}

/** The contract every answer keeps. */
function checkAnswer(res: APIGatewayProxyResult, sent: string) {
  const where = `answer ${res.statusCode} to ${sent.slice(0, 300)}: ${res.body.slice(0, 300)}`;
  expect(res.statusCode, where).toBeLessThan(500);
  if (res.statusCode < 400) return;
  const { error } = JSON.parse(res.body) as {
    error: { code: string; message: string; details?: Array<{ path: unknown; message: unknown }> };
  };
  expect(typeof error.code, where).toBe('string');
  expect(error.message.length, where).toBeGreaterThan(0);
  if (res.statusCode === 400) {
    // A 400 always says where: at least one detail, each with a string path ('' = the body itself).
    expect(error.details?.length, where).toBeGreaterThan(0);
    for (const d of error.details!) {
      expect(typeof d.path, where).toBe('string');
      expect(typeof d.message, where).toBe('string');
    }
  }
}

describe.each(ROUTES)('$route never answers 5xx', (rc) => {
  it('to bodies shaped like its own', async () => {
    await fc.assert(
      fc.asyncProperty(rc.body, rc.headers ?? fc.constant({}), async (body, headers) => {
        const text = JSON.stringify(body);
        checkAnswer(await send(rc, text, headers), text);
      }),
      { numRuns: 120 },
    );
  });
  it('to any JSON, any text and broken JSON', async () => {
    await fc.assert(
      fc.asyncProperty(rawBodies, async (text) => checkAnswer(await send(rc, text), text)),
      { numRuns: 80 },
    );
  });
});
