import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CutlineError } from '../errors.js';
import { LocalSourceResolver, type SourceResolver } from '../media/sources.js';
import type { ObjectStore } from './storage.js';

const refused = (at: string, message: string) =>
  new CutlineError('SOURCE_REFUSED', `${at}: ${message}`, [{ path: at, message }]);

/**
 * Sources in the platform: `s3://<bucket>/<key>` in one of the platform's buckets, or a key under the
 * tenant's `inputs/<tenant>/` prefix of the ingest bucket. Files are downloaded to `dir` once per src.
 * https sources are refused until the allowlisted fetcher lands (issue #8 covers SSRF-safe fetching).
 */
export class S3SourceResolver implements SourceResolver {
  private readonly downloads = new Map<string, Promise<string>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: {
      tenantId: string;
      ingestBucket: string;
      buckets: readonly string[];
      dir: string;
      /** Local mode only: file:// sources under this folder are read in place. */
      mediaRoot?: string;
    },
  ) {}

  /** Bucket and key of a src, checked against the tenant's rights; throws SOURCE_REFUSED otherwise. */
  locate(src: string, at: string): { bucket: string; key: string } {
    if (src.startsWith('s3://')) {
      const rest = src.slice(5);
      const slash = rest.indexOf('/');
      const bucket = rest.slice(0, slash);
      const key = rest.slice(slash + 1);
      if (slash <= 0 || !key) throw refused(at, `"${src}" is not an s3://bucket/key URL`);
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
      return { bucket, key };
    }
    if (src.startsWith('file://') && this.opts.mediaRoot) return { bucket: '', key: src };
    if (/^[a-z][a-z0-9+.-]*:/i.test(src)) {
      throw refused(
        at,
        `${src.slice(0, src.indexOf(':'))}: sources are not enabled in this deployment; upload the file (POST /v1/uploads) or use s3://`,
      );
    }
    const key = src.replace(/^\/+/, '');
    if (key.split('/').some((p) => p === '..' || p === '.'))
      throw refused(at, `"${src}" contains a relative path segment`);
    const full = key.startsWith(`inputs/${this.opts.tenantId}/`)
      ? key
      : `inputs/${this.opts.tenantId}/${key}`;
    return { bucket: this.opts.ingestBucket, key: full };
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
      const { bucket, key } = this.locate(src, at);
      const name = createHash('sha256').update(`${bucket}/${key}`).digest('hex').slice(0, 16);
      const ext = key.includes('.') ? key.slice(key.lastIndexOf('.')) : '';
      const path = join(this.opts.dir, `${name}${ext}`);
      p = this.store.download(bucket, key, path).then(
        () => path,
        (err: { name?: string }) => {
          if (err.name === 'NoSuchKey' || err.name === 'NotFound') {
            throw new CutlineError('SOURCE_NOT_FOUND', `${at}: source not found: ${src}`, [
              { path: at, message: `not found: ${src}` },
            ]);
          }
          throw err;
        },
      );
      this.downloads.set(src, p);
    }
    return p;
  }
}
