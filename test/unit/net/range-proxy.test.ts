import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sourceInputOptions } from '../../../lambdas/core/media/source-input.js';
import { parseRange, RangeProxy, type RangeSource } from '../../../lambdas/core/net/range-proxy.js';
import { videoFixture } from '../../helpers/fixtures.js';

const run = promisify(execFile);

/** A file as a RangeSource, counting the reads it was asked for (what S3 would be billed). */
function fileSource(path: string) {
  const reads: Array<[number, number]> = [];
  const source: RangeSource = {
    size: async () => (await stat(path)).size,
    read: async (start, end) => {
      reads.push([start, end]);
      return createReadStream(path, { start, end });
    },
  };
  return { source, reads };
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(url, { method, headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('parseRange', () => {
  it('reads the forms ffmpeg sends and refuses what it cannot serve', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 19 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=20-10', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBe('unsatisfiable');
    expect(parseRange('items=0-1', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-', 100)).toBe('unsatisfiable');
  });
});

describe('RangeProxy', () => {
  let proxy: RangeProxy;
  let file: string;
  let bytes: Buffer;
  beforeAll(async () => {
    // Small blocks, so the 4 s fixture spans many answers.
    proxy = await RangeProxy.start({ blocks: { first: 4096, max: 16384 } });
    file = await videoFixture();
    bytes = await readFile(file);
  });
  afterAll(() => proxy.close());

  it('listens on loopback only and hands out http://127.0.0.1 URLs that keep the file name', () => {
    const url = proxy.allow(fileSource(file).source, 'job-a/t1', 'inputs/t/My clip.mp4');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{24}\/My%20clip\.mp4$/);
  });

  it('serves exact byte ranges, with one object read per request', async () => {
    const { source, reads } = fileSource(file);
    const url = proxy.allow(source, 'job-a/t2', 'video.mp4');
    const r = await get(url, { range: 'bytes=100-1123' });
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes 100-1123/${bytes.length}`);
    expect(r.headers['content-length']).toBe('1024');
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.body.equals(bytes.subarray(100, 1124))).toBe(true);
    const tail = await get(url, { range: 'bytes=-16' });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(bytes.subarray(bytes.length - 16))).toBe(true);
    expect(reads).toEqual([
      [100, 1123],
      [bytes.length - 16, bytes.length - 1],
    ]);
    expect(proxy.stats('job-a/t2')).toEqual({ requests: 2, bytes: 1024 + 16 });
    const head = await get(url, { range: 'bytes=0-9' }, 'HEAD');
    expect(head.status).toBe(206);
    expect(head.body.length).toBe(0);
    const past = await get(url, { range: `bytes=${bytes.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);
  });

  it('answers the rest of an object in blocks: small after a seek, doubling while the reader goes on', async () => {
    const { source, reads } = fileSource(file);
    const url = proxy.allow(source, 'job-a/t3', 'video.mp4');
    const parts: Buffer[] = [];
    let at = 0;
    for (const want of [4096, 8192, 16384, 16384]) {
      const r = await get(url, at ? { range: `bytes=${at}-` } : {});
      expect(r.status).toBe(206);
      expect(r.headers['content-range']).toBe(`bytes ${at}-${at + want - 1}/${bytes.length}`);
      expect(r.headers.connection).toBe('keep-alive');
      parts.push(r.body);
      at += r.body.length;
    }
    expect(Buffer.concat(parts).equals(bytes.subarray(0, at))).toBe(true);
    // A seek starts small again.
    const seek = await get(url, { range: 'bytes=100000-' });
    expect(seek.headers['content-range']).toBe(`bytes 100000-104095/${bytes.length}`);
    expect(reads.at(-1)).toEqual([100000, 104095]);
  });

  it('ffmpeg decodes the same frames through it as from the file, asking again where blocks end', async () => {
    // Blocks above ffmpeg's 32 KiB reads: one read crosses at most one block end (asked again at once).
    const own = await RangeProxy.start({ blocks: { first: 64 * 1024, max: 128 * 1024 } });
    const { source } = fileSource(file);
    const url = own.allow(source, 'job-a/ffmpeg', 'video.mp4');
    const frames = (input: string, extra: string[] = []) =>
      run('ffmpeg', ['-v', 'error', ...extra, '-i', input, '-f', 'framemd5', '-'], { maxBuffer: 1e8 }).then(
        (r) => r.stdout,
      );
    const direct = await frames(file);
    // With the options every source is opened with: http/tcp only, the demuxer allowlist, -reconnect 1.
    const options = sourceInputOptions(url);
    expect(options.slice(0, 4)).toEqual(['-protocol_whitelist', 'http,tcp', '-reconnect', '1']);
    expect(await frames(url, options)).toBe(direct);
    expect(own.stats('job-a/ffmpeg').requests).toBeGreaterThan(bytes.length / (128 * 1024));
    expect(sourceInputOptions(file)).not.toContain('-reconnect');
    await own.close();
  });

  it('refuses anything not in its allowlist: unknown tokens, released scopes, other methods', async () => {
    const { source, reads } = fileSource(file);
    const url = proxy.allow(source, 'job-b/chunk-0', 'video.mp4');
    const token = new URL(url).pathname.split('/')[1]!;
    const guessed = url.replace(token, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'));
    expect((await get(guessed)).status).toBe(403);
    expect((await get(`${proxy.origin}/`)).status).toBe(403);
    expect((await get(`${proxy.origin}/../etc/passwd`)).status).toBe(403);
    expect((await get(url, {}, 'POST')).status).toBe(405);
    expect((await get(url, { range: 'bytes=0-0' })).status).toBe(206);
    // Releasing the job releases its tasks' scopes; the counts stay for the report.
    expect(proxy.release('job-b')).toEqual({ requests: 1, bytes: 1 });
    expect((await get(url, { range: 'bytes=0-0' })).status).toBe(403);
    expect(reads).toHaveLength(1);
  });

  it('answers 502 without internals when the object cannot be read', async () => {
    const url = proxy.allow(
      {
        size: () => Promise.reject(new Error('/secret/path: NoSuchKey')),
        read: () => Promise.reject(new Error('x')),
      },
      'job-c/t',
      'gone.mp4',
    );
    const r = await get(url);
    expect(r.status).toBe(502);
    expect(r.body.toString()).not.toContain('/secret/path');
  });
});
