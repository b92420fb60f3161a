/**
 * A full disk under the local stores must fail the write that found it, never the process. s3rver writes
 * objects through a stream with no 'error' listener (an ENOSPC there is an uncaught exception that ends
 * the platform) and answers before the file is flushed; dynalite throws a LevelDB write error out of its
 * callback (local/dynalite-worker.mjs handles that side). Here s3rver's filesystem store gets writes that
 * stream with error handling, land under a temporary name and are renamed into place (a failed PUT leaves
 * the earlier object as it was, as in S3), and answer a full disk with 507 `InsufficientStorage`: a store
 * error that names the store and how much was needed, never a path. The SDK does not retry a 507.
 */
import { randomBytes, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';

const require = createRequire(import.meta.url);
const S3Error = require('s3rver/lib/models/error') as new (
  code: string,
  message: string,
) => Error & {
  status: number;
};

export const isNoSpace = (err: unknown): boolean => {
  const e = err as { code?: string; message?: string } | null;
  return (
    e?.code === 'ENOSPC' ||
    e?.code === 'EDQUOT' ||
    (typeof e?.message === 'string' && /no space left on device|ENOSPC/i.test(e.message))
  );
};

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function insufficientStorage(what: string, bytes?: number): Error {
  const err = new S3Error(
    'InsufficientStorage',
    `the local object store (s3rver under the platform's data dir) is out of disk space` +
      ` writing ${what}${bytes !== undefined && Number.isFinite(bytes) ? ` (${mb(bytes)} needed)` : ''}`,
  );
  err.status = 507;
  return err;
}

interface S3Object {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  [method: string]: unknown;
}

/**
 * Streams `content` to `path` through a temporary file; returns its size and MD5. On a write error the
 * request body is drained, not destroyed, so the client still gets the store's answer instead of a reset
 * connection (which the SDK would retry into a hang).
 */
async function writeAtomically(path: string, content: Buffer | Readable) {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial-${randomBytes(6).toString('hex')}`;
  const md5 = createHash('md5');
  let size = 0;
  const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
  try {
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(partial);
      const hash = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          md5.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      const fail = (err: Error) => {
        source.unpipe(hash);
        hash.unpipe(out);
        out.destroy();
        source.on('error', () => undefined);
        if (source.readableEnded) return reject(err);
        source.once('end', () => reject(err));
        source.once('close', () => reject(err));
        source.resume();
      };
      source.once('error', reject);
      hash.once('error', fail);
      out.once('error', fail);
      out.once('finish', resolve);
      source.pipe(hash).pipe(out);
    });
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return { size, md5: md5.digest('hex') };
}

/** Makes s3rver's filesystem store safe on a full disk (see the file comment). */
export function guardFilesystemStore(store: FilesystemStore): void {
  const needed = (o: S3Object) => Number(o.metadata?.['content-length'] ?? NaN);

  store.putObject = async (object: S3Object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    try {
      const { size, md5 } = await writeAtomically(path, object.content);
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      return { size, md5 };
    } catch (err) {
      if (isNoSpace(err)) throw insufficientStorage(`${object.bucket}/${object.key}`, needed(object));
      throw err;
    }
  };

  store.putPart = async (bucket: string, uploadId: string, partNumber: number, content: Readable) => {
    const path = `${store.getResourcePath(bucket, undefined, 'uploads')}/${uploadId}/${partNumber}`;
    try {
      const { size, md5 } = await writeAtomically(path, content);
      await writeAtomically(`${path}.md5`, Buffer.from(md5));
      return { size, md5 };
    } catch (err) {
      if (isNoSpace(err)) throw insufficientStorage(`part ${partNumber} of an upload to ${bucket}`);
      throw err;
    }
  };

  // The rest already reject their promise on a write error: only the answer changes.
  for (const method of ['putObjectMultipart', 'copyObject', 'putSubresource', 'putBucket']) {
    const original = store[method];
    if (typeof original !== 'function') continue;
    store[method] = async (...args: unknown[]) => {
      try {
        return await (original as (...a: unknown[]) => Promise<unknown>).apply(store, args);
      } catch (err) {
        if (isNoSpace(err)) throw insufficientStorage(`${String(args[0])} (${method})`);
        throw err;
      }
    };
  }
}
