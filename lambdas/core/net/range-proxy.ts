import { AsyncResource } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** One object the proxy may serve: its size, and any byte range of it (inclusive end, as HTTP's). */
export interface RangeSource {
  size(): Promise<number>;
  read(start: number, end: number): Promise<Readable>;
}

export interface ReadStats {
  requests: number;
  bytes: number;
}

/** Pure: an HTTP Range header against an object of `size` bytes. Null: no (usable) header, send it all. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges (a comma) or another unit: not something ffmpeg asks; refused rather than guessed.
  if (!m || (!m[1] && !m[2])) return 'unsatisfiable';
  if (!m[1]) {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

interface Entry {
  source: RangeSource;
  scope: string;
  /**
   * The context of the code that was handed the URL: reads run in it, so in a process that hosts several
   * functions (the local platform) each read is that function's (the IAM simulation attributes it).
   */
  context: AsyncResource;
  size?: Promise<number>;
  /** Where earlier answers ended → the block the next answer from there may carry (a reader going on). */
  next: Map<number, number>;
}

export interface BlockSizes {
  /** The first answer after a seek. */
  first: number;
  /** Answers that continue where the last ended double up to this. */
  max: number;
}

/**
 * A loopback HTTP server that lets ffmpeg and ffprobe read objects by byte range: each allowed object
 * gets an unguessable URL `http://127.0.0.1:<port>/<token>/<name>`, and a Range request on it becomes one
 * ranged read of the object (an S3 GetObject with Range). Why: the static ffmpeg in the Lambda layer
 * cannot resolve DNS, so it cannot open a presigned S3 URL; and a worker that seeks reads only the bytes
 * of its window instead of downloading the whole source. Only URLs handed out by `allow` are served:
 * nothing else is reachable through it, and a scope's URLs stop working once it is released.
 */
export class RangeProxy {
  private readonly entries = new Map<string, Entry>();
  /** Bytes read per scope, kept after release for reports (bounded). */
  private readonly read = new Map<string, ReadStats>();

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly blocks: BlockSizes,
  ) {}

  /**
   * ffmpeg asks for `bytes=N-` (the rest of the object) and closes the connection when it seeks;
   * whatever was sent by then sits in loopback socket buffers (megabytes here) and was read from the
   * object for nothing. So answers are blocks: small after a seek, doubling while the reader goes on
   * where the last ended (like TCP's slow start), and the reader asks again where an answer ended
   * (ffmpeg: `-reconnect 1`, added by media/source-input.ts; without it ffmpeg fails loudly, "Stream
   * ends prematurely", never silently). What a seek wastes is at most the block in flight
   * (`first` right after a seek, never more than `max`); a long sequential read costs a GetObject per
   * `max` bytes.
   */
  static async start(opts: { blocks?: Partial<BlockSizes> } = {}): Promise<RangeProxy> {
    const server = createServer();
    // Keep-alive sockets would hold a Lambda's event loop open between invocations for nothing.
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    const { port } = server.address() as AddressInfo;
    const proxy = new RangeProxy(server, `http://127.0.0.1:${port}`, { ...DEFAULT_BLOCKS, ...opts.blocks });
    server.on('request', (req, res) => void proxy.serve(req, res));
    return proxy;
  }

  /** A URL for one object, valid until `release(scope)`. `name` keeps the file name (ffmpeg looks at it). */
  allow(source: RangeSource, scope: string, name: string): string {
    const token = randomBytes(18).toString('base64url');
    this.entries.set(token, {
      source,
      scope,
      context: new AsyncResource('cutline-range-source'),
      next: new Map(),
    });
    const safe = encodeURIComponent(name.slice(name.lastIndexOf('/') + 1) || 'source');
    return `${this.origin}/${token}/${safe}`;
  }

  /** Ends every URL of a scope (a task's work) and of the scopes under it, keeping their counts. */
  release(scope: string): ReadStats {
    for (const [token, e] of this.entries)
      if (e.scope === scope || e.scope.startsWith(`${scope}/`)) this.entries.delete(token);
    return this.stats(scope);
  }

  /** Bytes served for a scope (or every scope starting with `prefix/`, e.g. a job id). */
  stats(scope: string): ReadStats {
    const total = { requests: 0, bytes: 0 };
    for (const [s, v] of this.read) {
      if (s === scope || s.startsWith(`${scope}/`)) {
        total.requests += v.requests;
        total.bytes += v.bytes;
      }
    }
    return total;
  }

  /** Every scope's counts under a prefix, e.g. the workers of one job. */
  scopes(prefix: string): Array<{ scope: string } & ReadStats> {
    return [...this.read]
      .filter(([s]) => s === prefix || s.startsWith(`${prefix}/`))
      .map(([scope, v]) => ({ scope, ...v }));
  }

  close(): Promise<void> {
    this.entries.clear();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private count(scope: string): ReadStats {
    let s = this.read.get(scope);
    if (!s) {
      s = { requests: 0, bytes: 0 };
      this.read.set(scope, s);
      if (this.read.size > 2000) this.read.delete(this.read.keys().next().value!);
    }
    return s;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = /^\/([\w-]+)(?:\/|$)/.exec(req.url ?? '')?.[1];
    const entry = token ? this.entries.get(token) : undefined;
    const fail = (status: number, message: string, headers: Record<string, string> = {}) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(`${message}\n`);
    };
    if (!entry) return fail(403, 'not an object of this job');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return fail(405, 'only GET and HEAD', { allow: 'GET, HEAD' });
    try {
      entry.size ??= entry.context.runInAsyncScope(() => entry.source.size());
      const size = await entry.size;
      const range = parseRange(req.headers.range, size);
      if (range === 'unsatisfiable')
        return fail(416, 'range not satisfiable', { 'content-range': `bytes */${size}` });
      const { start } = range ?? { start: 0 };
      const block = entry.next.get(start) ?? this.blocks.first;
      entry.next.delete(start);
      // Answered as a range even when none was asked, so a short answer is never taken for the whole.
      const end = Math.min(range?.end ?? size - 1, start + block - 1);
      const length = size === 0 ? 0 : end - start + 1;
      if (req.method !== 'HEAD' && end < size - 1) {
        entry.next.set(end + 1, Math.min(this.blocks.max, block * 2));
        if (entry.next.size > 32) entry.next.delete(entry.next.keys().next().value!);
      }
      const headers = {
        'accept-ranges': 'bytes',
        'content-type': 'application/octet-stream',
        'content-length': String(length),
        ...(size > 0 ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
        // ffmpeg takes `Connection: close` to mean "the body ends at the close" and would read a short
        // answer as the end of the file; keep-alive makes it check the length against the object's size.
        connection: 'keep-alive',
      };
      res.writeHead(size > 0 ? 206 : 200, headers);
      if (req.method === 'HEAD' || length === 0) return void res.end();
      const stats = this.count(entry.scope);
      stats.requests++;
      const body = await entry.context.runInAsyncScope(() => entry.source.read(start, end));
      // Counted as they leave: a reader that seeks away closes the socket and the object read stops too.
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          stats.bytes += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(body, counter, res).catch(() => body.destroy());
    } catch (err) {
      fail(502, `could not read the object: ${(err as Error).name}`);
    }
  }
}

/** 256 KiB read ahead at most per seek; sequential reads reach 8 MiB per GetObject after 5 answers. */
export const DEFAULT_BLOCKS: Readonly<BlockSizes> = Object.freeze({
  first: 256 * 1024,
  max: 8 * 1024 * 1024,
});

/** True for the URLs this proxy hands out. */
export const isProxyUrl = (target: string) => /^http:\/\/127\.0\.0\.1:\d+\//.test(target);

let shared: Promise<RangeProxy> | undefined;

/** The one proxy of this process (a Lambda sandbox, a Fargate task, the local platform). */
export function rangeProxy(): Promise<RangeProxy> {
  shared ??= RangeProxy.start().catch((err: Error) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

/** Ends a scope's URLs if this process has a proxy at all; answers what the scope read (null: no proxy). */
export async function releaseScope(scope: string): Promise<ReadStats | null> {
  return shared ? (await shared).release(scope) : null;
}
