import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../lambdas/core/aws/clients.js';
import { getPlatform } from '../../lambdas/core/platform.js';
import { ROUTES } from '../../local/api-server.js';
import { LOCAL_BUCKETS, type LocalPlatform } from '../../local/platform.js';
import { ffprobeJson } from '../helpers/media.js';
import { api, SECOND_TENANT, startTestPlatform, waitForJob, type Api } from '../helpers/platform.js';

/**
 * Issue #16's request attacks (merge amplification and double merge, deep JSON, crafted cursors,
 * oversized items, Idempotency-Key reuse), each against the real local platform over loopback.
 */
let platform: LocalPlatform;
let call: Api;
let other: Api;

const titleEdit = (text: string, extra: Record<string, unknown> = {}) => ({
  timeline: {
    background: '#000000',
    tracks: [{ clips: [{ asset: { type: 'title', text, size: 'small' }, start: 0, length: 1 }] }],
  },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
  ...extra,
});
const jobCount = async (c: Api = call) =>
  (await c('GET', '/v1/renders?limit=100')).body.renders.length as number;

beforeAll(async () => {
  platform = await startTestPlatform({ rateLimit: { rate: 1000, burst: 1000 } });
  call = api(platform);
  other = api(platform, SECOND_TENANT.value);
});
afterAll(async () => platform?.close());

describe('merge runs once, at submit, and is bounded', () => {
  it('a replacement holding {{B}} stays literal through the whole pipeline (stored, rendered)', async () => {
    const edit = {
      ...titleEdit('A={{A}}'),
      output: {
        format: 'mp4',
        size: { width: 160, height: 90 },
        metadata: { title: 'A={{A}} B={{B}}' },
      },
      merge: [
        { find: 'A', replace: '{{B}}' },
        { find: 'B', replace: 'boom' },
      ],
    };
    const res = await call('POST', '/v1/renders?wait=25', edit);
    const { job } = res.status === 200 ? { job: res.body } : await waitForJob(call, res.body.id);
    expect(job.status).toBe('SUCCEEDED');
    // Stored merged, with no merge list left for a later step to apply again.
    const stored = (await getPlatform().jobs.get(job.id))!;
    expect(stored.request).not.toHaveProperty('merge');
    expect(JSON.stringify(stored.request)).toContain('"text":"A={{B}}"');
    // And the rendered file carries exactly the one-pass result.
    const video = (await call('GET', `/v1/renders/${job.id}`)).body.outputs.find(
      (o: { kind: string }) => o.kind === 'video',
    );
    const probe = await ffprobeJson(video.url);
    expect(probe.format.tags?.title).toBe('A={{B}} B=boom');
  });

  it('a merge that would multiply a small request is 413 at merge before it is built, and stores nothing', async () => {
    // ~60 KB on the wire; merged it would be 2000 × 200 KB = 400 MB.
    const edit = titleEdit('{{X}}'.repeat(2000), {
      merge: [{ find: 'X', replace: 'y'.repeat(200_000) }],
    });
    const before = await jobCount();
    const heapBefore = process.memoryUsage().heapUsed;
    const res = await call('POST', '/v1/renders', edit);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.body.error.details[0].path).toBe('merge');
    expect(res.body.error.message).toMatch(/after merge the edit would be \d+ bytes.*maxRequestBytes/);
    // Nowhere near the 400 MB the merge would have built (the platform runs in this process).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
    expect(await jobCount()).toBe(before);
    expect((await call('GET', '/v1/health')).status).toBe(200);
  });
});

describe('deep JSON', () => {
  const deepArray = '['.repeat(50_000) + ']'.repeat(50_000);
  const deepObject = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);

  it('a 50 000-deep body is 400 with a path and message on every JSON route, never a 500', async () => {
    const template = await call('POST', '/v1/templates', { name: 'deep', edit: titleEdit('x') });
    const project = await call('POST', '/v1/projects', { name: 'deep', mode: 'music-video' });
    expect([template.status, project.status]).toEqual([201, 201]);
    const ids: Record<string, string> = { '{id}': template.body.id, '{n}': '1' };
    // Routes that read no body (they act on the path alone) must still never answer 500.
    const NO_BODY = ['/v1/renders/{id}/cancel', '/v1/webhooks/secret/rotate'];
    for (const r of ROUTES.filter((x) => NO_BODY.includes(x.resource))) {
      const res = await call(r.method, r.resource.replace('{id}', 'nope'), deepArray);
      expect([r.resource, res.status < 500]).toEqual([r.resource, true]);
    }
    const bodyRoutes = ROUTES.filter(
      (r) => (r.method === 'POST' || r.method === 'PUT') && !NO_BODY.includes(r.resource),
    );
    expect(bodyRoutes.length).toBeGreaterThanOrEqual(12);
    for (const r of bodyRoutes) {
      const path = r.resource
        .replace('{id}', r.resource.startsWith('/v1/projects') ? project.body.id : ids['{id}']!)
        .replace('{n}', '1');
      for (const body of [deepArray, deepObject]) {
        const res = await call(r.method, path, body);
        const got = [r.method, r.resource, res.status, res.body?.error?.code];
        expect(got).toEqual([r.method, r.resource, 400, 'VALIDATION_FAILED']);
        expect(res.body.error.message).toMatch(/nests deeper than 64 levels/);
        expect(res.body.error.details[0].path).toMatch(body === deepArray ? /^(\[0\]){64}$/ : /^a(\.a){63}$/);
      }
    }
    expect((await call('GET', '/v1/health')).status).toBe(200);
  });

  it('a deep drop-folder manifest writes its .error.json', async () => {
    await clients().s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_BUCKETS.ingest,
        Key: 'drop/manifests/deep.json',
        Body: deepObject,
      }),
    );
    const until = Date.now() + 60_000;
    let error: { error: { code: string; message: string; details: Array<{ path: string }> } } | undefined;
    while (!error && Date.now() < until) {
      try {
        const res = await clients().s3.send(
          new GetObjectCommand({ Bucket: LOCAL_BUCKETS.ingest, Key: 'drop/manifests/deep.error.json' }),
        );
        error = JSON.parse(await res.Body!.transformToString());
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(error?.error.code).toBe('VALIDATION_FAILED');
    expect(error?.error.message).toMatch(/the manifest nests deeper than 64 levels/);
  });
});

describe('list cursors', () => {
  it('crafted cursors are 400 at query.cursor on every list route; a cursor is bound to the tenant it was made for', async () => {
    const a = await call('POST', '/v1/renders', titleEdit('a'));
    const b = await other('POST', '/v1/renders', titleEdit('b'));
    expect([a.status, b.status]).toEqual([202, 202]);
    const tenantA = (await getPlatform().jobs.get(a.body.id))!.tenantId;
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const crafted = [
      'not-a-cursor',
      '%%%',
      'x'.repeat(5000),
      b64({ GSI1PK: `TENANT#${tenantA}`, GSI1SK: '2099-01-01T00:00:00.000Z', PK: 'JOB#x', SK: 'META' }),
      b64(['2099-01-01T00:00:00.000Z']),
      b64(['not a time', a.body.id]),
      b64(['2099-01-01T00:00:00.000Z', '../../etc']),
      b64([{ S: 'x' }, a.body.id]),
      b64(['tag-of-nobody', '2099-01-01T00:00:00.000Z', a.body.id]),
      b64('['.repeat(10_000)),
    ];
    for (const cursor of crafted) {
      const res = await other('GET', `/v1/renders?cursor=${encodeURIComponent(cursor)}`);
      expect([cursor.slice(0, 40), res.status, res.body.error?.details?.[0]?.path]).toEqual([
        cursor.slice(0, 40),
        400,
        'query.cursor',
      ]);
    }
    // Templates and projects page through their own cursors: crafted ones are refused the same way.
    const tplCrafted = [
      'not-a-cursor',
      b64({ PK: `TPL#${SECOND_TENANT.id}`, SK: 'x'.repeat(5000) }),
      b64({ PK: `TPL#${SECOND_TENANT.id}`, SK: 5 }),
      b64({ PK: `TPL#${tenantA}`, SK: 'a' }),
    ];
    const projCrafted = [
      'not-a-cursor',
      b64({ GSI1PK: `PROJECTS#${SECOND_TENANT.id}` }),
      b64({ GSI1PK: `PROJECTS#${SECOND_TENANT.id}`, GSI1SK: { S: 'x' }, PK: 7, SK: 'META' }),
      b64({ GSI1PK: `PROJECTS#${SECOND_TENANT.id}`, GSI1SK: 'x'.repeat(5000), PK: 'PROJECT#x', SK: 'META' }),
      b64({ GSI1PK: `PROJECTS#${tenantA}`, GSI1SK: 'a', PK: 'PROJECT#x', SK: 'META' }),
    ];
    for (const [route, list] of [
      ['/v1/templates', tplCrafted],
      ['/v1/projects', projCrafted],
    ] as const) {
      for (const cursor of list) {
        const res = await other('GET', `${route}?cursor=${encodeURIComponent(cursor)}`);
        expect([route, cursor.slice(0, 40), res.status, res.body.error?.details?.[0]?.path]).toEqual([
          route,
          cursor.slice(0, 40),
          400,
          'query.cursor',
        ]);
      }
    }
    // Tenant A's own cursor, used by tenant B, is refused (and could only ever page B's own jobs).
    await call('POST', '/v1/renders', titleEdit('a1'));
    const aPage = await call('GET', '/v1/renders?limit=1');
    expect(aPage.body.cursor).toBeTruthy();
    const stolen = await other('GET', `/v1/renders?cursor=${aPage.body.cursor}`);
    expect([stolen.status, stolen.body.error.details[0].path]).toEqual([400, 'query.cursor']);
    // A real cursor still pages.
    await call('POST', '/v1/renders', titleEdit('a2'));
    const first = await call('GET', '/v1/renders?limit=1');
    expect(first.body.cursor).toBeTruthy();
    const second = await call('GET', `/v1/renders?limit=1&cursor=${first.body.cursor}`);
    expect(second.status).toBe(200);
    expect(second.body.renders[0].id).not.toBe(first.body.renders[0].id);
  });
});

describe('oversized requests', () => {
  /** A valid edit of about 913 KB: 498 titles of 1 800 characters on 3 tracks (every limit kept). */
  const bigEdit = () => ({
    timeline: {
      tracks: Array.from({ length: 3 }, (_, t) => ({
        clips: Array.from({ length: 166 }, (_, c) => ({
          asset: { type: 'title', text: `${t}-${c} ${'w'.repeat(1800)}` },
          start: c * 0.1,
          length: 0.1,
        })),
      })),
    },
    output: { format: 'mp4', size: { width: 160, height: 90 } },
  });

  it('a valid 913 KB edit is 413 with a path before anything is written, and its key is usable at once', async () => {
    const body = JSON.stringify(bigEdit());
    expect(body.length).toBeGreaterThan(900_000);
    expect(body.length).toBeLessThan(1024 * 1024);
    const before = await jobCount();
    const res = await call('POST', '/v1/renders', body, { 'Idempotency-Key': 'big-1' });
    expect([res.status, res.body.error.code, res.body.error.details[0].path]).toEqual([
      413,
      'PAYLOAD_TOO_LARGE',
      '',
    ]);
    expect(res.body.error.message).toMatch(/maxRequestBytes/);
    expect(await jobCount()).toBe(before);
    // The key was never claimed: the corrected request with it is accepted now, not after 30 s of 409s.
    const small = await call('POST', '/v1/renders', titleEdit('fits'), { 'Idempotency-Key': 'big-1' });
    expect(small.status).toBe(202);
    expect(small.headers.get('idempotent-replay')).toBeNull();
  });

  it('the store refuses an item over its budget before claiming the key, and a refused write releases it', async () => {
    const jobs = getPlatform().jobs;
    const now = new Date().toISOString();
    const job = (id: string, request: unknown) => ({
      id,
      tenantId: 'store-test',
      type: 'render' as const,
      status: 'QUEUED' as const,
      progress: 0,
      request,
      idempotencyKey: 'store-k',
      createdAt: now,
      updatedAt: now,
      timings: { queuedAt: now },
    });
    await expect(jobs.create(job('too-big', { pad: 'x'.repeat(350_000) }))).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    // A refusal after the claim (the quota reservation) gives the key back too.
    await expect(
      jobs.create(job('refused', {}), {
        beforeWrite: async () => {
          throw new Error('refused by the reservation');
        },
      }),
    ).rejects.toThrow('refused by the reservation');
    const ok = await jobs.create(job('fine', {}));
    expect([ok.created, ok.job.id]).toEqual([true, 'fine']);
  });

  it('a request waiting on a key whose first request is refused (and releases it) takes the key, not a 409', async () => {
    const now = new Date().toISOString();
    const idemKey = { PK: 'IDEMP#store-test#wait-k', SK: 'META' };
    // The first request holds the claim (between its claim and its refusal)…
    await clients().db.send(
      new PutCommand({
        TableName: LOCAL_BUCKETS.table,
        Item: { ...idemKey, jobId: 'refused-later', claimedAt: Date.now() / 1000, expiresAt: 0 },
      }),
    );
    // …and gives it back 300 ms later.
    const released = new Promise((r) => setTimeout(r, 300)).then(() =>
      clients().db.send(new DeleteCommand({ TableName: LOCAL_BUCKETS.table, Key: idemKey })),
    );
    const second = await getPlatform().jobs.create({
      id: 'waited',
      tenantId: 'store-test',
      type: 'render',
      status: 'QUEUED',
      progress: 0,
      request: {},
      idempotencyKey: 'wait-k',
      createdAt: now,
      updatedAt: now,
      timings: { queuedAt: now },
    });
    await released;
    expect([second.created, second.job.id]).toEqual([true, 'waited']);
  });
});

describe('Idempotency-Key', () => {
  it('same key + same body (any key order) → the first job; a different body or route → 422', async () => {
    const edit = titleEdit('idem');
    const first = await call('POST', '/v1/renders', edit, { 'Idempotency-Key': 'reuse-1' });
    expect(first.status).toBe(202);
    const reordered = { output: edit.output, timeline: edit.timeline };
    const again = await call('POST', '/v1/renders', reordered, { 'Idempotency-Key': 'reuse-1' });
    expect([again.status, again.body.id, again.headers.get('idempotent-replay')]).toEqual([
      202,
      first.body.id,
      'true',
    ]);
    const before = await jobCount();
    const changed = await call('POST', '/v1/renders', titleEdit('other'), { 'Idempotency-Key': 'reuse-1' });
    expect([changed.status, changed.body.error.code, changed.body.error.details[0].path]).toEqual([
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'headers.Idempotency-Key',
    ]);
    // The route is part of what the key is bound to (a template's render, then POST /v1/renders).
    const tpl = await call('POST', '/v1/templates', { name: 'idem', edit: titleEdit('t {{N}}') });
    const r1 = await call(
      'POST',
      `/v1/templates/${tpl.body.id}/render`,
      { merge: [{ find: 'N', replace: 1 }] },
      {
        'Idempotency-Key': 'reuse-2',
      },
    );
    const r2 = await call(
      'POST',
      `/v1/templates/${tpl.body.id}/render`,
      { merge: [{ find: 'N', replace: 2 }] },
      {
        'Idempotency-Key': 'reuse-2',
      },
    );
    const r3 = await call('POST', '/v1/renders', titleEdit('t 1'), { 'Idempotency-Key': 'reuse-2' });
    expect([r1.status, r2.status, r2.body.error?.code, r3.status, r3.body.error?.code]).toEqual([
      202,
      422,
      'IDEMPOTENCY_KEY_REUSED',
      422,
      'IDEMPOTENCY_KEY_REUSED',
    ]);
    expect(await jobCount()).toBe(before + 1);
    // Keys are per tenant: another tenant's same key and body is its own job.
    const theirs = await other('POST', '/v1/renders', edit, { 'Idempotency-Key': 'reuse-1' });
    expect(theirs.status).toBe(202);
    expect(theirs.body.id).not.toBe(first.body.id);
  });
});
