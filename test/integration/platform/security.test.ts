import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { ROUTES } from '../../../local/api-server.js';
import { readFrame } from '../../helpers/media.js';
import {
  api,
  fixtureUrl,
  SECOND_TENANT,
  startTestPlatform,
  waitForJob,
  type Api,
} from '../../helpers/platform.js';

/** Bad input and attackers, through the real HTTP API of the local platform. */
let platform: LocalPlatform;
let call: Api;
let bait: Server;
let baitUrl: string;
/** Requests that reached a server a source pointed at: every refusal must leave this empty. */
const baitHits: string[] = [];

const SRC = 'timeline.tracks[0].clips[0].asset.src';
const withSrc = (src: string) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length: 1 }] }] },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
});
const titleEdit = (text: string, seconds = 1) => ({
  timeline: {
    background: '#000000',
    tracks: [{ clips: [{ asset: { type: 'title', text, size: 'small' }, start: 0, length: seconds }] }],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 } },
});
const jobCount = async () => (await call('GET', '/v1/renders?limit=100')).body.renders.length as number;

beforeAll(async () => {
  bait = createServer((req, res) => {
    baitHits.push(req.url ?? '');
    res.writeHead(200).end('not media');
  });
  await new Promise<void>((r) => bait.listen(0, '127.0.0.1', r));
  baitUrl = `localhost:${(bait.address() as AddressInfo).port}`;
  // Allowlisted by name: the name resolves to loopback, which must still be refused (before connecting).
  process.env.CUTLINE_ALLOWED_SOURCE_HOSTS = 'localhost,media.example.com';
  // Many quick requests: the usage-plan throttle (tested in restart.test.ts) must not answer them instead.
  platform = await startTestPlatform({ rateLimit: { rate: 1000, burst: 1000 } });
  call = api(platform);
});
afterAll(async () => {
  delete process.env.CUTLINE_ALLOWED_SOURCE_HOSTS;
  await platform?.close();
  bait?.closeAllConnections();
  await new Promise((r) => bait?.close(r));
});

describe('body size and edit limits', () => {
  it('bodies over 1 MiB are 413 on every route that takes one; the server caps at 10 MiB like API Gateway', async () => {
    const big = JSON.stringify({ ...titleEdit('x'), pad: 'x'.repeat(1024 * 1024 + 1) });
    for (const [method, path] of [
      ['POST', '/v1/renders'],
      ['POST', '/v1/templates'],
      ['POST', '/v1/uploads'],
    ] as const) {
      const res = await call(method, path, big);
      expect([path, res.status, res.body.error.code]).toEqual([path, 413, 'PAYLOAD_TOO_LARGE']);
    }
    const huge = await call('POST', '/v1/renders', 'x'.repeat(10 * 1024 * 1024 + 1));
    expect([huge.status, huge.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('too many tracks or clips, or too long a timeline, is 400 naming the limit and the path', async () => {
    const clip = (start: number) => ({ asset: { type: 'title', text: 'x' }, start, length: 1 });
    const cases: Array<[unknown, RegExp]> = [
      [
        { ...titleEdit('x'), timeline: { tracks: Array.from({ length: 51 }, () => ({ clips: [clip(0)] })) } },
        /maxTracks/,
      ],
      [
        {
          ...titleEdit('x'),
          timeline: { tracks: [{ clips: Array.from({ length: 201 }, (_, i) => clip(i)) }] },
        },
        /maxClipsPerTrack/,
      ],
      [titleEdit('x', 3 * 3600 + 1), /maxDurationSeconds/],
      [titleEdit('x'.repeat(5001)), /maxTextLength/],
    ];
    const before = await jobCount();
    for (const [body, limit] of cases) {
      const res = await call('POST', '/v1/renders', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('LIMIT_EXCEEDED');
      expect(JSON.stringify(res.body.error)).toMatch(limit);
      expect(res.body.error.details[0].path).toMatch(/^timeline/);
    }
    expect(await jobCount()).toBe(before);
  });
});

describe('sources', () => {
  it.each([
    ['a key that climbs out', '../../etc/passwd', /relative path segment/],
    ['a key that climbs out later', 'clips/../../other/x.mp4', /relative path segment/],
    [
      'another tenant’s inputs',
      `s3://cutline-ingest/inputs/${SECOND_TENANT.id}/x.mp4`,
      /is not under inputs\//,
    ],
    ['a bucket outside the platform', 's3://someone-elses-bucket/x.mp4', /not one of the platform's buckets/],
    ['a file:// path outside the media root', 'file:///etc/passwd', /outside the media root/],
    ['a file:// path that climbs out', `${fixtureUrl('')}/../../../etc/passwd`, /outside the media root/],
    ['the metadata address', 'https://169.254.169.254/latest/meta-data/', /link-local/],
    ['ECS task metadata', 'https://169.254.170.2/v2/credentials', /link-local/],
    ['a private address', 'https://10.0.0.8/a.mp4', /private/],
    ['loopback by IP', 'https://127.0.0.1/a.mp4', /loopback/],
    ['IPv6 loopback', 'https://[::1]/a.mp4', /loopback/],
    ['IPv4-mapped IPv6', 'https://[::ffff:169.254.169.254]/a.mp4', /ipv4-mapped/],
    ['IPv6 unique-local (AWS metadata)', 'https://[fd00:ec2::254]/a.mp4', /unique-local/],
    ['a decimal-encoded loopback', 'https://2130706433/a.mp4', /loopback/],
    ['a host off the allowlist', 'https://evil.example.net/a.mp4', /not on the allowlist/],
    ['plain http', `http://${'media.example.com'}/a.mp4`, /only https/],
    ['other schemes', 'gopher://media.example.com/a', /gopher/],
  ])('refuses %s at submit (400 with the path), queueing nothing', async (_what, src, reason) => {
    const before = await jobCount();
    const res = await call('POST', '/v1/renders', withSrc(src));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('SOURCE_REFUSED');
    expect(res.body.error.details[0]).toEqual({ path: SRC, message: expect.stringMatching(reason) });
    expect(await jobCount()).toBe(before);
  });

  it('an allowed name that resolves to loopback is refused at submit (400 with the path) before any request is made', async () => {
    const before = await jobCount();
    const res = await call('POST', '/v1/renders', withSrc(`https://${baitUrl}/a.mp4`));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('SOURCE_REFUSED');
    expect(res.body.error.details[0]).toEqual({
      path: SRC,
      message: expect.stringMatching(/resolves to (127\.0\.0\.1|::1) \(loopback\)/),
    });
    expect(await jobCount()).toBe(before);
    expect(baitHits).toEqual([]);
  });
});

describe('text that tries to break out of the filter graph', () => {
  it('renders as text: the job succeeds and draws it', async () => {
    const text = `'; drawtext=text='pwned':x=0 [out]; movie=/etc/passwd \\ %{pts} %{eif:1+1:d} :a=b,c`;
    const res = await call('POST', '/v1/renders', titleEdit(text, 1));
    const { job } = await waitForJob(call, res.body.id);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    const file = `${platform.dataDir}/literal.mp4`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, Buffer.from(await (await fetch(job.outputs[0].url)).arrayBuffer()));
    const frame = await readFrame(file, 0.5);
    // Something was drawn on the black background (the text), and it was not cut off into a second graph.
    let lit = 0;
    for (let i = 0; i < frame.data.length; i += 3) if (frame.data[i]! > 128) lit++;
    expect(lit).toBeGreaterThan(200);
  });
});

describe('keys and tenants', () => {
  it('every keyed route is 403 without a key or with a wrong one', async () => {
    for (const r of ROUTES.filter((x) => x.keyRequired)) {
      const path = r.resource.replace('{id}', 'x');
      const wrong: Array<Record<string, string>> = [
        {},
        { 'x-api-key': 'not-a-key' },
        { 'x-api-key': platform.apiKey.slice(0, -1) },
        { 'x-api-key': platform.apiKey.toUpperCase() },
      ];
      for (const headers of wrong) {
        const res = await fetch(`${platform.url}${path}`, { method: r.method, headers });
        expect([r.method, path, res.status]).toEqual([r.method, path, 403]);
      }
    }
  });

  it('another tenant’s job and template are 404 on every route', async () => {
    const other = api(platform, SECOND_TENANT.value);
    const tpl = await call('POST', '/v1/templates', { name: 't', edit: titleEdit('{{X}}') });
    expect(tpl.status).toBe(201);
    const job = await call('POST', '/v1/renders', titleEdit('mine'));
    for (const [method, path] of [
      ['GET', `/v1/renders/${job.body.id}`],
      ['POST', `/v1/renders/${job.body.id}/cancel`],
      ['GET', `/v1/templates/${tpl.body.id}`],
      ['PUT', `/v1/templates/${tpl.body.id}`],
      ['DELETE', `/v1/templates/${tpl.body.id}`],
      ['POST', `/v1/templates/${tpl.body.id}/render`],
    ] as const) {
      const body =
        method === 'PUT' ? { name: 'stolen', edit: titleEdit('x') } : method === 'POST' ? {} : undefined;
      expect([method, path, (await other(method, path, body)).status]).toEqual([method, path, 404]);
    }
    expect((await call('GET', `/v1/templates/${tpl.body.id}`)).body.name).toBe('t');
    await waitForJob(call, job.body.id);
  });
});
