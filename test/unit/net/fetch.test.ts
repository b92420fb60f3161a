import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3SourceResolver } from '../../../lambdas/core/objects/tenant-sources.js';
import type { ObjectStore } from '../../../lambdas/core/aws/storage.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import {
  SafeFetcher,
  sourceFetcherFromEnv,
  type SafeFetcherOptions,
} from '../../../lambdas/core/net/index.js';

const BODY = Buffer.from('0123456789'.repeat(1000));
let dir: string;
let server: Server;
let port: number;
/** Every request the fixture server saw: "refused before any fetch" means this stays empty. */
const hits: string[] = [];

const routes: Record<string, RequestListener> = {
  '/media.mp4': (_req, res) => res.writeHead(200, { 'content-length': BODY.length }).end(BODY),
  '/chunked': (_req, res) => {
    res.writeHead(200); // no content-length: the cap is enforced while streaming
    for (let i = 0; i < 20; i++) res.write(BODY);
    res.end();
  },
  '/missing': (_req, res) => res.writeHead(404).end(),
  '/broken': (_req, res) => res.writeHead(503).end(),
  '/stall': () => {}, // never answers
  '/relative': (_req, res) => res.writeHead(302, { location: '/media.mp4' }).end(),
  '/to-metadata': (_req, res) =>
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
  '/to-other-host': (_req, res) =>
    res.writeHead(301, { location: `http://evil.example:${port}/media.mp4` }).end(),
  '/to-mapped': (_req, res) =>
    res.writeHead(307, { location: `http://[::ffff:10.0.0.1]:${port}/media.mp4` }).end(),
  '/to-file': (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
  '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
  '/no-location': (_req, res) => res.writeHead(302).end(),
};
const listener: RequestListener = (req, res) => {
  hits.push(req.url!);
  (routes[req.url!.split('?')[0]!] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-fetch-'));
  server = createHttpServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A resolver that answers from a table and counts its calls. */
function fakeDns(table: Record<string, string[]>) {
  const calls: string[] = [];
  return {
    calls,
    resolve: async (host: string) => {
      calls.push(host);
      const answers = table[host];
      if (!answers) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return answers.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
    },
  };
}

const testFetcher = (over: Partial<SafeFetcherOptions> = {}) =>
  new SafeFetcher({
    allowedHosts: ['localhost', 'media.test', '127.0.0.1', 'evil.example', '*.rebind.test'],
    maxBytes: 50_000,
    timeoutMs: 2000,
    maxRedirects: 3,
    unsafeForTests: { allowLoopback: true, allowHttp: true },
    ...over,
  });

async function failure(p: Promise<unknown>): Promise<CutlineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CutlineError);
  return err as CutlineError;
}

const AT = 'timeline.tracks[0].clips[0].asset.src';
const out = (name: string) => join(dir, name);

describe('the SSRF-safe fetcher', () => {
  it('downloads an allowed source, connecting to the address it vetted (one DNS lookup per hop)', async () => {
    const dns = fakeDns({ 'media.test': ['127.0.0.1'] });
    const f = testFetcher({ resolve: dns.resolve });
    const res = await f.download(`http://media.test:${port}/relative`, out('a.mp4'), AT);
    expect(res).toEqual({ bytes: BODY.length, url: `http://media.test:${port}/media.mp4` });
    expect((await readFile(out('a.mp4'))).equals(BODY)).toBe(true);
    expect(dns.calls).toEqual(['media.test', 'media.test']);
  });

  it('pins the vetted address: a resolver that would answer differently the second time is never asked again', async () => {
    let n = 0;
    const rebinding = async () => [{ address: n++ === 0 ? '127.0.0.1' : '10.0.0.1', family: 4 as const }];
    const f = testFetcher({ resolve: rebinding });
    await f.download(`http://a.rebind.test:${port}/media.mp4`, out('pinned.mp4'), AT);
    expect(n).toBe(1);
  });

  it.each([
    ['169.254.169.254', ['169.254.169.254'], 'link-local'],
    ['any private answer among public ones', ['93.184.216.34', '10.1.2.3'], 'private'],
    ['IPv6 unique-local', ['fd00:ec2::254'], 'unique-local'],
    ['IPv4-mapped loopback', ['::ffff:127.0.0.1'], 'ipv4-mapped'],
    ['CGNAT', ['100.64.1.1'], 'carrier-grade-nat'],
  ])('refuses a name that resolves to %s, before connecting', async (_name, answers, reason) => {
    hits.length = 0;
    const f = testFetcher({ resolve: fakeDns({ 'media.test': answers }).resolve });
    const err = await failure(f.download(`http://media.test:${port}/media.mp4`, out('x'), AT));
    expect(err.code).toBe('SOURCE_REFUSED');
    expect(err.message).toContain(`(${reason})`);
    expect(err.details).toEqual([{ path: AT, message: expect.stringContaining(reason) }]);
    expect(hits).toEqual([]);
    expect(existsSync(out('x'))).toBe(false);
  });

  it('refuses loopback unless the test-only switch is on; the switch cannot come from the environment', async () => {
    hits.length = 0;
    const strict = testFetcher({ unsafeForTests: { allowHttp: true } });
    const err = await failure(strict.download(`http://localhost:${port}/media.mp4`, out('l'), AT));
    expect([err.code, err.message]).toEqual(['SOURCE_REFUSED', expect.stringContaining('(loopback)')]);
    expect(
      (await failure(strict.download(`http://127.0.0.1:${port}/media.mp4`, out('l'), AT))).message,
    ).toContain('loopback');
    // The handlers' fetcher, with the fixture host on its allowlist and every env switch we could think of.
    const env = {
      CUTLINE_ALLOWED_SOURCE_HOSTS: 'localhost,127.0.0.1',
      CUTLINE_ALLOW_LOOPBACK: 'true',
      CUTLINE_UNSAFE_FOR_TESTS: 'true',
      NODE_ENV: 'test',
    };
    const real = sourceFetcherFromEnv(env);
    expect(
      (await failure(real.download(`http://localhost:${port}/media.mp4`, out('l'), AT))).message,
    ).toContain('http: URLs are not fetched');
    expect(
      (await failure(real.download(`https://localhost:${port}/media.mp4`, out('l'), AT))).message,
    ).toContain('(loopback)');
    expect(
      (await failure(real.download(`https://127.0.0.1:${port}/media.mp4`, out('l'), AT))).message,
    ).toContain('(loopback)');
    expect(hits).toEqual([]);
  });

  it('refuses hosts off the allowlist, other schemes, credentials, and everything when the allowlist is empty', async () => {
    hits.length = 0;
    const f = testFetcher();
    const cases: Array<[string, RegExp]> = [
      [`http://other.test:${port}/media.mp4`, /not on the allowlist/],
      ['file:///etc/passwd', /file: URLs are not fetched/],
      ['ftp://media.test/x', /ftp: URLs are not fetched/],
      ['gopher://media.test/x', /gopher: URLs are not fetched/],
      [`http://user:pw@localhost:${port}/media.mp4`, /credentials/],
      ['not a url', /not a valid URL/],
    ];
    for (const [src, message] of cases) {
      const err = await failure(f.download(src, out('y'), AT));
      expect([err.code, err.message]).toEqual(['SOURCE_REFUSED', expect.stringMatching(message)]);
    }
    const closed = new SafeFetcher({ allowedHosts: [], maxBytes: 1 });
    expect((await failure(closed.download('https://example.com/a.mp4', out('y'), AT))).message).toMatch(
      /https sources are disabled \(CUTLINE_ALLOWED_SOURCE_HOSTS is empty\)/,
    );
    expect(hits).toEqual([]);
  });

  it.each([
    ['/to-metadata', /resolves to 169\.254\.169\.254 \(link-local\)/],
    ['/to-other-host', /"evil\.example" resolves to 10\.9\.9\.9 \(private\)/],
    ['/to-mapped', /ipv4-mapped/],
    ['/to-file', /file: URLs are not fetched/],
    ['/loop', /more than 3 redirects/],
  ])('re-vets every redirect hop: %s is refused', async (path, message) => {
    hits.length = 0;
    const f = testFetcher({
      resolve: fakeDns({ 'media.test': ['127.0.0.1'], 'evil.example': ['10.9.9.9'] }).resolve,
    });
    const err = await failure(f.download(`http://media.test:${port}${path}`, out('r'), AT));
    expect([err.code, err.message]).toEqual(['SOURCE_REFUSED', expect.stringMatching(message)]);
    // Only the allowed hop (and, for the loop, its repeats up to the limit) reached the server.
    expect(hits.every((h) => h === path)).toBe(true);
    expect(hits.length).toBe(path === '/loop' ? 4 : 1);
    expect(existsSync(out('r'))).toBe(false);
  });

  it('caps the size (declared or streamed) and removes the partial file', async () => {
    const f = testFetcher({ maxBytes: 5000 });
    const declared = await failure(f.download(`http://localhost:${port}/media.mp4`, out('big'), AT));
    expect([declared.code, declared.details[0]!.path]).toEqual(['LIMIT_EXCEEDED', AT]);
    const streamed = await failure(
      testFetcher().download(`http://localhost:${port}/chunked`, out('big2'), AT),
    );
    expect(streamed.code).toBe('LIMIT_EXCEEDED');
    expect(existsSync(out('big'))).toBe(false);
    expect(existsSync(out('big2'))).toBe(false);
  });

  it('times out a server that never answers; 404 is not found; 5xx and a bare redirect are unreadable', async () => {
    const f = testFetcher({ timeoutMs: 300 });
    const t0 = Date.now();
    const slow = await failure(f.download(`http://localhost:${port}/stall`, out('s'), AT));
    expect([slow.code, slow.retryable]).toEqual(['SOURCE_UNREADABLE', true]);
    expect(slow.message).toContain('longer than 300 ms');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await failure(f.download(`http://localhost:${port}/missing`, out('s'), AT))).code).toBe(
      'SOURCE_NOT_FOUND',
    );
    const broken = await failure(f.download(`http://localhost:${port}/broken`, out('s'), AT));
    expect([broken.code, broken.retryable]).toEqual(['SOURCE_UNREADABLE', true]);
    expect(
      (await failure(f.download(`http://localhost:${port}/no-location`, out('s'), AT))).message,
    ).toContain('without a Location');
    const nx = await failure(
      testFetcher({ resolve: fakeDns({}).resolve }).download('http://media.test/a', out('s'), AT),
    );
    expect(nx.code).toBe('SOURCE_NOT_FOUND');
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('https with a pinned address', () => {
  let tls: Server;
  let tlsPort: number;
  let cert: string;
  beforeAll(async () => {
    const key = join(dir, 'key.pem');
    const crt = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        crt,
        '-days',
        '1',
        '-subj',
        '/CN=media.test',
        '-addext',
        'subjectAltName=DNS:media.test',
      ],
      { stdio: 'ignore' },
    );
    cert = await readFile(crt, 'utf8');
    tls = createHttpsServer({ key: await readFile(key), cert }, listener);
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    tlsPort = (tls.address() as AddressInfo).port;
  });
  afterAll(async () => {
    tls.closeAllConnections();
    await new Promise((r) => tls.close(r));
  });

  it('verifies the certificate against the host name while connecting to the vetted address', async () => {
    const dns = fakeDns({ 'media.test': ['127.0.0.1'], 'evil.example': ['127.0.0.1'] });
    const f = testFetcher({ resolve: dns.resolve, unsafeForTests: { allowLoopback: true, ca: cert } });
    await f.download(`https://media.test:${tlsPort}/media.mp4`, out('tls.mp4'), AT);
    expect((await readFile(out('tls.mp4'))).equals(BODY)).toBe(true);
    // Same address, a name the certificate does not cover: TLS refuses it.
    const wrong = await failure(f.download(`https://evil.example:${tlsPort}/media.mp4`, out('tls2'), AT));
    expect(wrong.code).toBe('SOURCE_UNREADABLE');
    expect(wrong.message).toMatch(/altnames|certificate/i);
  });

  it('an allowed https src resolves to a downloaded file through the platform resolver', async () => {
    const f = testFetcher({
      resolve: fakeDns({ 'media.test': ['127.0.0.1'] }).resolve,
      unsafeForTests: { allowLoopback: true, ca: cert },
    });
    const store = {} as ObjectStore; // never touched for https sources
    const r = new S3SourceResolver(store, {
      tenantId: 't1',
      ingestBucket: 'in',
      buckets: ['in'],
      dir: join(dir, 'sources'),
      fetcher: f,
    });
    const src = `https://media.test:${tlsPort}/media.mp4?sig=1`;
    expect(r.locate(src, AT)).toMatchObject({ kind: 'https' });
    const path = await r.resolve(src, AT);
    expect(path).toMatch(/\.mp4$/);
    expect((await readFile(path)).equals(BODY)).toBe(true);
    // check() (for submit) vets the name's addresses too, without connecting.
    await r.check(src, AT);
    const loopback = new S3SourceResolver(store, {
      tenantId: 't1',
      ingestBucket: 'in',
      buckets: ['in'],
      dir: join(dir, 'sources'),
      fetcher: testFetcher({ resolve: fakeDns({ 'media.test': ['10.0.0.7'] }).resolve }),
    });
    await expect(loopback.check(src, AT)).rejects.toThrow(/resolves to 10\.0\.0\.7 \(private\)/);
    // Off the allowlist, refused at locate (i.e. at submit), without any network.
    expect(() => r.locate('https://elsewhere.test/a.mp4', AT)).toThrow(/not on the allowlist/);
    expect(() => r.locate('https://169.254.169.254/latest', AT)).toThrow(/link-local/);
  });
});
