import { describeLimit } from '../edit/limits.js';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CutlineError } from '../errors.js';
import { classifyAddress, ipLiteral } from './address.js';
import { hostAllowed, type HostAllowlist } from './allowlist.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a name resolves to (the OS resolver, as the connection would use). */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export interface SafeFetcherOptions {
  allowedHosts: HostAllowlist;
  /** Largest body accepted, in bytes (checked on Content-Length and while streaming). */
  maxBytes: number;
  /** Whole download, every hop included. */
  timeoutMs?: number;
  maxRedirects?: number;
  resolve?: Resolve;
  /**
   * Tests only: a local fixture server is plain http on 127.0.0.1. Never read from the environment, so
   * no deployment can turn it on; the factory for handlers (`sourceFetcherFromEnv`) never passes it.
   */
  unsafeForTests?: { allowLoopback?: boolean; allowHttp?: boolean; ca?: string };
}

export const osResolve: Resolve = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads https sources without letting an edit reach inside the network (SSRF): the host must be on
 * the allowlist; its name is resolved here and *every* address must be public (a name with one private
 * answer is refused, so DNS tricks cannot pick the bad one); the connection goes to the vetted address
 * (pinned through `lookup`, no second resolution, so DNS rebinding cannot swap it); TLS still verifies
 * the certificate against the host name. Redirects are followed by hand, each hop vetted the same way,
 * up to `maxRedirects`. Bodies are capped at `maxBytes` and the whole download at `timeoutMs`.
 */
export class SafeFetcher {
  private readonly resolveName: Resolve;
  constructor(private readonly opts: SafeFetcherOptions) {
    this.resolveName = opts.resolve ?? osResolve;
  }

  /** The policy checks that need no network: scheme, credentials, allowlist, literal addresses. */
  check(src: string, at: string): URL {
    let url: URL;
    try {
      url = new URL(src);
    } catch {
      throw refused(at, `"${src}" is not a valid URL`);
    }
    const allowHttp = this.opts.unsafeForTests?.allowHttp === true;
    if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:'))
      throw refused(at, `${url.protocol.slice(0, -1)}: URLs are not fetched; only https`);
    if (url.username || url.password) throw refused(at, 'URLs with credentials are refused');
    const host = url.hostname;
    const literal = ipLiteral(host);
    if (literal) this.vetAddress(literal, host, at);
    if (!hostAllowed(literal ?? host, this.opts.allowedHosts))
      throw refused(
        at,
        this.opts.allowedHosts.length
          ? `host "${host}" is not on the allowlist (CUTLINE_ALLOWED_SOURCE_HOSTS)`
          : 'https sources are disabled (CUTLINE_ALLOWED_SOURCE_HOSTS is empty); upload the file (POST /v1/uploads) or use s3://',
      );
    return url;
  }

  /** `check`, then the name's addresses: every one must be public. Returns the address to connect to. */
  async vet(src: string, at: string): Promise<{ url: URL; address: ResolvedAddress }> {
    const url = this.check(src, at);
    const literal = ipLiteral(url.hostname);
    if (literal) return { url, address: { address: literal, family: literal.includes(':') ? 6 : 4 } };
    let answers: ResolvedAddress[];
    try {
      answers = await this.resolveName(url.hostname);
    } catch (err) {
      throw new CutlineError(
        'SOURCE_NOT_FOUND',
        `${at}: cannot resolve "${url.hostname}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        [{ path: at, message: `cannot resolve ${url.hostname}` }],
        true,
      );
    }
    if (!answers.length) throw refused(at, `"${url.hostname}" has no addresses`);
    for (const a of answers) this.vetAddress(a.address, url.hostname, at);
    return { url, address: answers[0]! };
  }

  /** Downloads `src` to `path`, following redirects; removes a partial file on any failure. */
  async download(src: string, path: string, at: string): Promise<{ bytes: number; url: string }> {
    const timeoutMs = this.opts.timeoutMs ?? 60_000;
    const abort = new AbortController();
    const timer = setTimeout(
      () =>
        abort.abort(
          new CutlineError(
            'SOURCE_UNREADABLE',
            `${at}: download took longer than ${timeoutMs} ms`,
            [{ path: at, message: 'download timed out' }],
            true,
          ),
        ),
      timeoutMs,
    );
    await mkdir(dirname(path), { recursive: true });
    try {
      let current = src;
      for (let hop = 0; ; hop++) {
        const { url, address } = await this.vet(current, at);
        const res = await this.get(url, address, abort.signal);
        if (REDIRECTS.has(res.statusCode ?? 0)) {
          res.resume();
          const location = res.headers.location;
          if (!location) throw unreadable(at, `${url.host} answered ${res.statusCode} without a Location`);
          if (hop >= (this.opts.maxRedirects ?? 5))
            throw refused(at, `more than ${this.opts.maxRedirects ?? 5} redirects`);
          current = new URL(location, url).href;
          continue;
        }
        if (res.statusCode !== 200) {
          res.resume();
          const status = res.statusCode ?? 0;
          if (status === 404 || status === 410)
            throw new CutlineError('SOURCE_NOT_FOUND', `${at}: source not found: ${url.href} (${status})`, [
              { path: at, message: `not found (${status})` },
            ]);
          throw unreadable(at, `${url.host} answered ${status}`, status >= 500 || status === 429);
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > this.opts.maxBytes) {
          res.destroy();
          throw tooBig(at, this.opts.maxBytes);
        }
        let bytes = 0;
        const max = this.opts.maxBytes;
        const cap = new Transform({
          transform(chunk: Buffer, _enc, done) {
            bytes += chunk.length;
            done(bytes > max ? tooBig(at, max) : null, chunk);
          },
        });
        await pipeline(res, cap, createWriteStream(path), { signal: abort.signal });
        return { bytes, url: url.href };
      }
    } catch (err) {
      await rm(path, { force: true });
      if (err instanceof CutlineError) throw err;
      if (abort.signal.aborted && abort.signal.reason instanceof CutlineError) throw abort.signal.reason;
      throw unreadable(at, (err as Error).message, true);
    } finally {
      clearTimeout(timer);
    }
  }

  private vetAddress(address: string, host: string, at: string): void {
    const verdict = classifyAddress(address);
    if (verdict.public) return;
    if (this.opts.unsafeForTests?.allowLoopback && verdict.reason === 'loopback') return;
    throw refused(
      at,
      `"${host}" resolves to ${address} (${verdict.reason}); only public addresses are fetched`,
    );
  }

  private get(url: URL, pinned: ResolvedAddress, signal: AbortSignal): Promise<IncomingMessage> {
    // Hand the vetted address to the socket: Node calls this instead of resolving the name again.
    const lookup: LookupFunction = (_host, options, cb) => {
      if ((options as { all?: boolean }).all) (cb as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
      else cb(null, pinned.address, pinned.family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method: 'GET',
        lookup,
        signal,
        // No pooled socket that a previous hop opened to another address.
        agent: false,
        ...(this.opts.unsafeForTests?.ca ? { ca: this.opts.unsafeForTests.ca } : {}),
        headers: { 'user-agent': 'cutline-source-fetcher', 'accept-encoding': 'identity' },
      });
      req.once('response', resolve);
      req.once('error', (err) =>
        reject(signal.aborted && signal.reason instanceof CutlineError ? signal.reason : err),
      );
      req.end();
    });
  }
}

function refused(at: string, message: string): CutlineError {
  return new CutlineError('SOURCE_REFUSED', `${at}: ${message}`, [{ path: at, message }]);
}

function unreadable(at: string, message: string, retryable = false): CutlineError {
  return new CutlineError('SOURCE_UNREADABLE', `${at}: ${message}`, [{ path: at, message }], retryable);
}

function tooBig(at: string, max: number): CutlineError {
  const message = `source is larger than the limit, ${describeLimit('maxSourceBytes', max)}`;
  return new CutlineError('LIMIT_EXCEEDED', `${at}: ${message}`, [{ path: at, message }]);
}
