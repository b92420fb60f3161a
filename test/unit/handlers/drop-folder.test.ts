import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type PutCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetPlatform } from '../../../lambdas/core/platform.js';
import { dropIdempotencyKey, handler } from '../../../lambdas/triggers/drop-folder.js';

vi.hoisted(() => {
  // The trigger's logger is made at import; its refusals are asserted below, not read in the output.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});
process.env.CUTLINE_TABLE_NAME = 'table';
process.env.CUTLINE_INGEST_BUCKET = 'ingest';
process.env.CUTLINE_OUTPUTS_BUCKET = 'outputs';
process.env.CUTLINE_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:render';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
// These cases give all of drop/ to one owner (the construct's dropFolderOwner); the per-tenant layout,
// the default, is tested at the end and on the local platform.
process.env.CUTLINE_DROP_TENANT = 'drop';

const ddb = mockClient(DynamoDBDocumentClient);
mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);

/** Just enough of the single table for JobStore: conditional puts, gets, and SET updates. */
let table: Map<string, Record<string, unknown>>;
const id = (k: Record<string, unknown>) => `${String(k.PK)}|${String(k.SK)}`;
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });

function fakeTable() {
  table = new Map();
  ddb.on(PutCommand).callsFake((input: PutCommandInput) => {
    const item = input.Item!;
    const prior = table.get(id(item));
    if (input.ConditionExpression === 'attribute_not_exists(PK)' && prior) throw conditionFailed();
    if (
      input.ConditionExpression === 'jobId = :old' &&
      prior?.jobId !== input.ExpressionAttributeValues?.[':old']
    )
      throw conditionFailed();
    table.set(id(item), structuredClone(item));
    return {};
  });
  ddb
    .on(GetCommand)
    .callsFake((input: { Key: Record<string, unknown> }) => ({ Item: table.get(id(input.Key)) }));
  ddb.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    const item = table.get(id(input.Key!));
    if (!item) throw conditionFailed();
    for (const [, n, v] of input.UpdateExpression!.matchAll(/(#\w+) = (:\w+)/g)) {
      item[input.ExpressionAttributeNames![n!]!] = input.ExpressionAttributeValues![v!];
    }
    return { Attributes: item };
  });
}

const record = (key: string, over: { bucket?: string; eTag?: string; eventName?: string } = {}) => ({
  eventName: over.eventName ?? 'ObjectCreated:Put',
  s3: {
    bucket: { name: over.bucket ?? 'ingest' },
    object: { key, eTag: over.eTag ?? 'abc123', size: 10, sequencer: '0A1B' },
  },
});
const s3Event = (...records: ReturnType<typeof record>[]) => ({ Records: records }) as unknown as S3Event;

const body = (value: unknown) => ({
  Body: { transformToString: async () => (typeof value === 'string' ? value : JSON.stringify(value)) },
});
const manifestAt = (key: string, value: unknown) =>
  s3.on(GetObjectCommand, { Bucket: 'ingest', Key: key }).resolves(body(value) as never);

const edit = {
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src: 'clip.mp4' }, start: 0, length: 2 }] }] },
  output: { format: 'mp4', resolution: 'sd' },
};

const jobs = () => [...table.values()].filter((i) => String(i.PK).startsWith('JOB#'));
const errorFiles = () =>
  s3.commandCalls(PutObjectCommand).map((c) => ({
    key: c.args[0].input.Key,
    body: JSON.parse(String(c.args[0].input.Body)),
  }));

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  s3.reset();
  resetPlatform();
  fakeTable();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:1' });
  s3.on(PutObjectCommand).resolves({});
  s3.on(CopyObjectCommand).resolves({});
});

describe('drop folder: manifests', () => {
  it('a render manifest goes through submitJob: idempotency claim, job with its origin, execution', async () => {
    manifestAt('drop/jobs/promo.json', { type: 'render', edit });
    const res = await handler(s3Event(record('drop/jobs/promo.json')));
    expect(res.failed).toEqual([]);
    expect(res.submitted).toEqual([
      { key: 'drop/jobs/promo.json', jobId: expect.any(String), created: true },
    ]);
    const key = dropIdempotencyKey('ingest', 'drop/jobs/promo.json', 'abc123');
    expect(key).toMatch(/^drop-[0-9a-f]{64}$/);
    expect(table.get(`IDEMP#drop#${key}|META`)).toMatchObject({ jobId: res.submitted[0]!.jobId });
    expect(jobs()).toHaveLength(1);
    expect(jobs()[0]).toMatchObject({
      id: res.submitted[0]!.jobId,
      tenantId: 'drop',
      status: 'QUEUED',
      idempotencyKey: key,
      origin: { bucket: 'ingest', key: 'drop/jobs/promo.json' },
      title: 'promo.json',
      // Written with the job: the state machine's ARN as an execution, named by the job id.
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:render:${res.submitted[0]!.jobId}`,
    });
    const start = sfn.commandCalls(StartExecutionCommand);
    expect(start).toHaveLength(1);
    expect(JSON.parse(start[0]!.args[0].input.input!)).toEqual({
      jobId: res.submitted[0]!.jobId,
      tenantId: 'drop',
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('a bare edit is a render; a "tenant" equal to the drop tenant is accepted and not part of the edit', async () => {
    manifestAt('drop/edit.json', { ...edit, tenant: 'drop' });
    const res = await handler(s3Event(record('drop/edit.json')));
    expect(res.submitted).toHaveLength(1);
    expect(jobs()[0]!.request).toMatchObject({ output: { format: 'mp4' } });
    expect(jobs()[0]!.request).not.toHaveProperty('tenant');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('the same object delivered twice renders once: the second is an idempotent replay', async () => {
    manifestAt('drop/edit.json', edit);
    const res = await handler(s3Event(record('drop/edit.json'), record('drop/edit.json')));
    expect(res.submitted.map((s) => s.created)).toEqual([true, false]);
    expect(res.submitted[1]!.jobId).toBe(res.submitted[0]!.jobId);
    expect(jobs()).toHaveLength(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    // A new version of the object (another ETag) is a new render.
    const again = await handler(s3Event(record('drop/edit.json', { eTag: 'def456' })));
    expect(again.submitted[0]!.created).toBe(true);
    expect(jobs()).toHaveLength(2);
  });

  it('the replay is recognised from the conditional put alone (TransactionCanceled-style refusal)', async () => {
    ddb.reset();
    ddb.on(GetCommand).resolves({}); // no quota for the tenant
    manifestAt('drop/edit.json', edit);
    ddb.on(PutCommand).rejects(conditionFailed());
    const key = dropIdempotencyKey('ingest', 'drop/edit.json', 'abc123');
    ddb.on(GetCommand, { Key: { PK: `IDEMP#drop#${key}`, SK: 'META' } }).resolves({ Item: { jobId: 'j1' } });
    ddb.on(GetCommand, { Key: { PK: 'JOB#j1', SK: 'META' } }).resolves({
      Item: { PK: 'JOB#j1', SK: 'META', id: 'j1', tenantId: 'drop', status: 'RUNNING' },
    });
    const res = await handler(s3Event(record('drop/edit.json')));
    expect(res.submitted).toEqual([{ key: 'drop/edit.json', jobId: 'j1', created: false }]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('a project manifest that only names a project is refused with how to compose it, in .error.json', async () => {
    manifestAt('drop/batch/project.json', { type: 'project', projectId: 'no-such-project' });
    const res = await handler(s3Event(record('drop/batch/project.json')));
    expect(res).toEqual({
      submitted: [],
      failed: [{ key: 'drop/batch/project.json', code: 'VALIDATION_FAILED' }],
    });
    const [file] = errorFiles();
    expect(file!.key).toBe('drop/batch/project.error.json');
    expect(file!.body).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ path: 'project' }] },
      input: 'drop/batch/project.json',
    });
    expect(file!.body.error.message).toMatch(
      /no project "no-such-project" in this request: compose a stored project with POST \/v1\/projects\/no-such-project\/compose/,
    );
    expect(new Date(file!.body.at).getTime()).not.toBeNaN();
    expect(jobs()).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('a project given inline in a manifest starts a project job', async () => {
    manifestAt('drop/batch/inline.json', {
      type: 'project',
      project: {
        mode: 'custom',
        scenes: [{ id: 's1', status: 'completed', attempts: 0, source: 'title', text: 'Hi' }],
      },
    });
    const res = await handler(s3Event(record('drop/batch/inline.json')));
    expect(res.failed).toEqual([]);
    expect(res.submitted).toHaveLength(1);
    expect(jobs()).toHaveLength(1);
    expect(jobs()[0]).toMatchObject({ type: 'project', request: { project: { mode: 'custom' } } });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('refuses other tenants, bad JSON, non-objects and invalid edits with the problem in .error.json', async () => {
    manifestAt('drop/a.json', { type: 'render', edit, tenant: 'acme' });
    manifestAt('drop/b.json', '{"timeline":');
    manifestAt('drop/c.json', [edit]);
    manifestAt('drop/d.json', { ...edit, output: { format: 'avi' } });
    manifestAt('drop/e.json', { type: 'teleport' });
    const res = await handler(
      s3Event(...['a', 'b', 'c', 'd', 'e'].map((n) => record(`drop/${n}.json`, { eTag: `e-${n}` }))),
    );
    expect(res.submitted).toEqual([]);
    expect(res.failed.map((f) => f.code)).toEqual(Array(5).fill('VALIDATION_FAILED'));
    const files = errorFiles();
    expect(files.map((f) => f.key)).toEqual(['a', 'b', 'c', 'd', 'e'].map((n) => `drop/${n}.error.json`));
    expect(files[0]!.body.error.message).toMatch(/tenant "drop".*"acme" is not allowed/);
    expect(files[1]!.body.error.message).toMatch(/not valid JSON/);
    expect(files[2]!.body.error.message).toMatch(/a manifest is a JSON object/);
    expect(files[3]!.body.error.details[0].path).toBe('output.format');
    expect(files[4]!.body.error.message).toMatch(/unknown job type "teleport"/);
    expect(jobs()).toHaveLength(0);
  });
});

describe('drop folder: media files and presets', () => {
  it('copies the file under the tenant’s inputs/ and renders it with the folder’s preset (URL-decoded key)', async () => {
    const res = await handler(s3Event(record('drop/mp4/My+Clip+%28final%29.mov', { eTag: '"9f8e"' })));
    const key = 'drop/mp4/My Clip (final).mov';
    expect(res.submitted).toEqual([{ key, jobId: expect.any(String), created: true }]);
    const copy = s3.commandCalls(CopyObjectCommand)[0]!.args[0].input;
    expect(copy).toEqual({
      Bucket: 'ingest',
      Key: 'inputs/drop/drop/9f8e/My Clip (final).mov',
      CopySource: 'ingest/drop/mp4/My%20Clip%20(final).mov',
    });
    expect(jobs()[0]).toMatchObject({
      origin: { bucket: 'ingest', key },
      request: {
        timeline: {
          tracks: [
            {
              clips: [
                { asset: { type: 'video', src: 's3://ingest/inputs/drop/drop/9f8e/My Clip (final).mov' } },
              ],
            },
          ],
        },
        output: { format: 'mp4', resolution: '1080' },
      },
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('an unknown preset writes .error.json naming the available ones, copies and queues nothing', async () => {
    const res = await handler(s3Event(record('drop/webm/clip.mov')));
    expect(res.failed).toEqual([{ key: 'drop/webm/clip.mov', code: 'VALIDATION_FAILED' }]);
    const [file] = errorFiles();
    expect(file!.key).toBe('drop/webm/clip.error.json');
    expect(file!.body.error.message).toMatch(
      /^unknown preset "webm"; available: mp4, web, gif, poster, audio/,
    );
    expect(file!.body.input).toBe('drop/webm/clip.mov');
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(jobs()).toHaveLength(0);
  });

  it('a media file straight under drop/ is told to use a preset folder', async () => {
    const res = await handler(s3Event(record('drop/clip.mov')));
    expect(res.failed).toEqual([{ key: 'drop/clip.mov', code: 'VALIDATION_FAILED' }]);
    expect(errorFiles()[0]!.body.error.message).toMatch(/drop\/<preset>\/<file>; available presets: mp4/);
  });

  it('ignores error files, folder markers, other prefixes, other buckets and non-create events', async () => {
    const res = await handler(
      s3Event(
        record('drop/a.error.json'),
        record('drop/mp4/'),
        record('inputs/t/x.mp4'),
        record('drop/mp4/x.mov', { bucket: 'elsewhere' }),
        record('drop/mp4/x.mov', { eventName: 'ObjectRemoved:Delete' }),
      ),
    );
    expect(res).toEqual({ submitted: [], failed: [] });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('drop folder: failures', () => {
  it('an unexpected error throws (Lambda retries) and writes no error file', async () => {
    manifestAt('drop/edit.json', edit);
    ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(handler(s3Event(record('drop/edit.json')))).rejects.toThrow(/ProvisionedThroughput/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('a pipeline that cannot start: the job is FAILED, the error file says so, and the event counts as handled', async () => {
    manifestAt('drop/edit.json', edit);
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));
    const res = await handler(s3Event(record('drop/edit.json')));
    expect(res.failed).toEqual([{ key: 'drop/edit.json', code: 'PIPELINE_UNAVAILABLE' }]);
    expect(jobs()[0]).toMatchObject({ status: 'FAILED' });
    expect(errorFiles()[0]!.body.error.code).toBe('PIPELINE_UNAVAILABLE');
  });

  it('an object deleted before it was handled is skipped without an error file', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
    const res = await handler(s3Event(record('drop/edit.json')));
    expect(res.failed).toEqual([{ key: 'drop/edit.json', code: 'SOURCE_NOT_FOUND' }]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});

describe('drop folder: per tenant (no owner configured)', () => {
  beforeEach(() => {
    delete process.env.CUTLINE_DROP_TENANT;
  });
  afterEach(() => {
    process.env.CUTLINE_DROP_TENANT = 'drop';
  });

  it("drop/<tenant>/… is that tenant's job; a key without a tenant folder is refused beside it", async () => {
    manifestAt('drop/key-abc123/jobs/promo.json', { type: 'render', edit });
    const res = await handler(s3Event(record('drop/key-abc123/jobs/promo.json')));
    expect(res.failed).toEqual([]);
    expect(jobs()[0]).toMatchObject({ tenantId: 'key-abc123' });
    manifestAt('drop/promo.json', { type: 'render', edit });
    const top = await handler(s3Event(record('drop/promo.json')));
    expect(top.failed).toEqual([{ key: 'drop/promo.json', code: 'VALIDATION_FAILED' }]);
    const written = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(written.map((w) => w.Key)).toContain('drop/promo.error.json');
    expect(String(written.find((w) => w.Key === 'drop/promo.error.json')!.Body)).toContain(
      'the drop folder is per tenant',
    );
    expect(jobs()).toHaveLength(1);
  });

  it("a media file at drop/<tenant>/<preset>/<file> is copied under that tenant's inputs/", async () => {
    const res = await handler(s3Event(record('drop/key-abc123/web/My clip.mp4')));
    expect(res.failed).toEqual([]);
    const copy = s3.commandCalls(CopyObjectCommand)[0]!.args[0].input;
    expect(copy.Key).toMatch(/^inputs\/key-abc123\/drop\/abc123\/My clip\.mp4$/);
    expect(jobs()[0]).toMatchObject({ tenantId: 'key-abc123' });
  });
});
