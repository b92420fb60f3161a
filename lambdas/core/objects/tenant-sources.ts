import { createHash, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeLimit, resolveLimits } from '../edit/limits.js';
import { CutlineError } from '../errors.js';
import { LocalSourceResolver, type SourceResolver } from '../media/sources.js';
import { sourceFetcherFromEnv, type SafeFetcher } from '../net/index.js';
import { rangeProxy } from '../net/range-proxy.js';
import { ENV } from '../config.js';
import { getPlatform } from '../platform.js';
import { keyProblem } from '../aws/object-key.js';
import type { ObjectStore } from '../aws/storage.js';

const refused = (at: string, message: string) =>
  new CutlineError('SOURCE_REFUSED', `${at}: ${message}`, [{ path: at, message }]);

const notFound = (at: string, src: string) =>
  new CutlineError('SOURCE_NOT_FOUND', `${at}: source not found: ${src}`, [
    { path: at, message: `not found: ${src}` },
  ]);

/** A source over maxSourceBytes, refused from its size before a byte of it is read. */
export function sourceTooLarge(
  at: string,
  bytes: number,
  limit = resolveLimits().maxSourceBytes,
): CutlineError {
  const message = `source is ${bytes} bytes; the limit is ${describeLimit('maxSourceBytes', limit)}`;
  return new CutlineError('LIMIT_EXCEEDED', `${at}: ${message}`, [{ path: at, message }]);
}

/** Where a src lives once its rights are checked. */
export type Located =
  { kind: 's3'; bucket: string; key: string } | { kind: 'file' } | { kind: 'https'; url: URL };

/**
 * Sources in the platform: `s3://<bucket>/<key>` in one of the platform's buckets, a key under the
 * tenant's `inputs/<tenant>/` prefix of the ingest bucket, or an `https` URL on the allowlist
 * (CUTLINE_ALLOWED_SOURCE_HOSTS; fetched by the SSRF-safe fetcher in core/net). Files are downloaded to
 * `dir` once per src.
 */
export class S3SourceResolver implements SourceResolver {
  private readonly downloads = new Map<string, Promise<string>>();
  private readonly urls = new Map<string, Promise<string>>();
  private readonly fetcher: SafeFetcher;

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: {
      tenantId: string;
      ingestBucket: string;
      buckets: readonly string[];
      dir: string;
      /** Local mode only: file:// sources under this folder are read in place. */
      mediaRoot?: string;
      /** Default: the allowlist from the environment. Tests pass one with loopback allowed. */
      fetcher?: SafeFetcher;
      /** The range proxy scope of this resolver's media URLs: they end when it is released (releaseScope). */
      scope?: string;
    },
  ) {
    this.fetcher = opts.fetcher ?? sourceFetcherFromEnv();
  }

  /**
   * Where a src lives, checked against the tenant's rights without any network access (an https host
   * must be on the allowlist and a literal address public; names are resolved and vetted at download).
   * Throws SOURCE_REFUSED otherwise.
   */
  locate(src: string, at: string): Located {
    if (src.startsWith('s3://')) {
      const rest = src.slice(5);
      const slash = rest.indexOf('/');
      const bucket = rest.slice(0, slash);
      const key = rest.slice(slash + 1);
      if (slash <= 0 || !key) throw refused(at, `"${src}" is not an s3://bucket/key URL`);
      const problem = keyProblem(key);
      if (problem) throw refused(at, `"${src}": ${problem}`);
      if (!this.opts.buckets.includes(bucket))
        throw refused(at, `bucket "${bucket}" is not one of the platform's buckets`);
      if (
        !key.startsWith(`inputs/${this.opts.tenantId}/`) &&
        !key.startsWith(`outputs/${this.opts.tenantId}/`)
      ) {
        throw refused(
          at,
          `"${key}" is not under inputs/${this.opts.tenantId}/ or outputs/${this.opts.tenantId}/`,
        );
      }
      return { kind: 's3', bucket, key };
    }
    if (src.startsWith('file://') && this.opts.mediaRoot) {
      // Lexically under the media root here (at submit); symlinks are resolved and checked again on read.
      let path: string;
      try {
        path = resolvePath(fileURLToPath(src));
      } catch {
        throw refused(at, `"${src}" is not a valid file:// URL`);
      }
      const rel = relative(resolvePath(this.opts.mediaRoot), path);
      if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
        throw refused(at, `"${src}" is outside the media root`);
      return { kind: 'file' };
    }
    if (/^https?:/i.test(src)) return { kind: 'https', url: this.fetcher.check(src, at) };
    if (/^[a-z][a-z0-9+.-]*:/i.test(src)) {
      throw refused(
        at,
        `${src.slice(0, src.indexOf(':'))}: sources are not enabled in this deployment; upload the file (POST /v1/uploads) or use s3://`,
      );
    }
    const key = src.replace(/^\/+/, '');
    const problem = keyProblem(key);
    if (problem) throw refused(at, `"${src}": ${problem}`);
    const full = key.startsWith(`inputs/${this.opts.tenantId}/`)
      ? key
      : `inputs/${this.opts.tenantId}/${key}`;
    return { kind: 's3', bucket: this.opts.ingestBucket, key: full };
  }

  /**
   * `locate`, and for https also the name's addresses (one DNS lookup, no connection): lets submit answer
   * 400 for a name that resolves to a private address instead of failing the job at Probe.
   */
  async check(src: string, at: string): Promise<void> {
    const where = this.locate(src, at);
    if (where.kind === 'https') await this.fetcher.vet(src, at);
    // Sizes known from headers are refused now, not after a worker has started on the job. A missing
    // object, or one whose HEAD fails, has no known size: the pipeline's own reads report it (as
    // before), so a flaky HEAD never turns a good submit into a 500. https sizes are checked as they
    // are fetched (the fetcher stops at maxSourceBytes).
    const limit = resolveLimits().maxSourceBytes;
    let bytes: number | undefined;
    if (where.kind === 's3')
      bytes = (await this.store.head(where.bucket, where.key).catch(() => undefined))?.bytes;
    else if (where.kind === 'file') bytes = (await stat(fileURLToPath(src)).catch(() => undefined))?.size;
    if (bytes !== undefined && bytes > limit) throw sourceTooLarge(at, bytes, limit);
  }

  /**
   * Where ffmpeg and ffprobe read a media source from without downloading it: an object in the
   * platform's buckets becomes a loopback range proxy URL (`http://127.0.0.1:<port>/<token>/<name>`, the
   * only URL form they are given), a local-mode file is read in place; https sources are fetched whole
   * by the SSRF-safe fetcher (ffmpeg never opens a remote host itself).
   */
  media(src: string, at: string): Promise<string> {
    let p = this.urls.get(src);
    if (!p) {
      p = this.mediaUrl(src, at);
      this.urls.set(src, p);
    }
    return p;
  }

  private async mediaUrl(src: string, at: string): Promise<string> {
    if (src.startsWith('file://') && this.opts.mediaRoot) return this.resolve(src, at);
    const where = this.locate(src, at);
    if (where.kind !== 's3') return this.resolve(src, at);
    const { bucket, key } = where;
    // A missing object is SOURCE_NOT_FOUND naming the src here, not an HTTP error ffmpeg meets at the proxy.
    if (!(await this.store.head(bucket, key))) throw notFound(at, src);
    const proxy = await rangeProxy();
    return proxy.allow(
      this.store.rangeSource(bucket, key, () => notFound(at, src)),
      this.scope,
      key,
    );
  }

  /** The proxy scope of this resolver's URLs. */
  get scope(): string {
    return (this.opts.scope ??= `adhoc/${randomUUID()}`);
  }

  resolve(src: string, at: string): Promise<string> {
    if (src.startsWith('file://') && this.opts.mediaRoot) {
      const root = this.opts.mediaRoot;
      return new LocalSourceResolver({ mediaRoot: root, baseDir: root, maxSourceBytes: Infinity }).resolve(
        src,
        at,
      );
    }
    let p = this.downloads.get(src);
    if (!p) {
      const where = this.locate(src, at);
      if (where.kind === 'https') {
        const path = this.pathFor(where.url.href, where.url.pathname);
        p = this.fetcher.download(src, path, at).then(() => path);
        this.downloads.set(src, p);
        return p;
      }
      if (where.kind !== 's3') throw refused(at, `"${src}": file:// sources need a media root`);
      const { bucket, key } = where;
      const path = this.pathFor(`${bucket}/${key}`, key);
      p = this.store.download(bucket, key, path).then(
        () => path,
        (err: { name?: string }) => {
          if (err.name === 'NoSuchKey' || err.name === 'NotFound') throw notFound(at, src);
          throw err;
        },
      );
      this.downloads.set(src, p);
    }
    return p;
  }

  /** A stable file name per source, keeping the extension (ffprobe and the compiler look at it). */
  private pathFor(identity: string, name: string): string {
    const base = name.slice(name.lastIndexOf('/') + 1);
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(base)?.[0] ?? '';
    return join(this.opts.dir, `${createHash('sha256').update(identity).digest('hex').slice(0, 16)}${ext}`);
  }
}

/**
 * The resolver every handler uses for a tenant: the platform's two buckets, the tenant's prefixes, and in
 * local mode the media root. Downloads go under `dir` (only the pipeline downloads; checks need none).
 */
export function tenantSources(tenantId: string, dir = '/tmp', scope?: string): S3SourceResolver {
  const p = getPlatform();
  return new S3SourceResolver(p.objects, {
    tenantId,
    ingestBucket: p.ingestBucket,
    buckets: [p.ingestBucket, p.outputsBucket],
    mediaRoot: process.env[ENV.MEDIA_ROOT],
    dir,
    scope,
  });
}
