import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { RangeSource } from '../net/range-proxy.js';

/** Keys of ARCHITECTURE §3: results under outputs/<tenant>/<jobId>/, intermediates under work/<jobId>/. */
export const keys = {
  output: (tenantId: string, jobId: string, name: string) => `outputs/${tenantId}/${jobId}/${name}`,
  work: (jobId: string, name: string) => `work/${jobId}/${name}`,
};

/**
 * When a file goes up in parts. One PutObject stops at 5 GB and a 3-hour edit can exceed that; S3 allows
 * at most 10 000 parts of at least 5 MiB, so the part size grows with the file (up to S3's 5 TB object).
 */
export interface UploadTuning {
  /** Files this size or larger are uploaded in parts. */
  multipartThresholdBytes: number;
  /** The smallest part (S3's minimum is 5 MiB); bigger files get bigger parts. */
  partSizeBytes: number;
  /** Parts in flight at once (each is held in memory). */
  queueSize: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_UPLOAD_TUNING: UploadTuning = {
  multipartThresholdBytes: 64 * MiB,
  partSizeBytes: 16 * MiB,
  queueSize: 4,
};
const MAX_PARTS = 10_000;

/** The part size for a file of `size` bytes: at least the tuning's, enough to stay within 10 000 parts. */
export const partSizeFor = (size: number, tuning: UploadTuning): number =>
  Math.max(tuning.partSizeBytes, 5 * MiB, Math.ceil(size / MAX_PARTS / MiB) * MiB);

export class ObjectStore {
  constructor(
    private readonly s3: S3Client,
    private readonly tuning: UploadTuning = DEFAULT_UPLOAD_TUNING,
  ) {}

  async putFile(bucket: string, key: string, path: string, contentType?: string): Promise<number> {
    const { size } = await stat(path);
    if (size >= this.tuning.multipartThresholdBytes) {
      // A failed part aborts the whole upload (no parts left billed); the bucket's lifecycle rule is the backstop.
      await new Upload({
        client: this.s3,
        params: { Bucket: bucket, Key: key, Body: createReadStream(path), ContentType: contentType },
        partSize: partSizeFor(size, this.tuning),
        queueSize: this.tuning.queueSize,
        leavePartsOnError: false,
      }).done();
      return size;
    }
    await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: size,
        ContentType: contentType,
      }),
    );
    return size;
  }

  async putJson(bucket: string, key: string, value: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  }

  async getJson<T>(bucket: string, key: string): Promise<T> {
    return JSON.parse(await this.getText(bucket, key)) as T;
  }

  async getText(bucket: string, key: string): Promise<string> {
    const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return res.Body!.transformToString();
  }

  /** The object's text, or undefined (its body unread) when it is larger than `maxBytes`. */
  async getTextWithin(bucket: string, key: string, maxBytes: number): Promise<string | undefined> {
    const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if ((res.ContentLength ?? 0) > maxBytes) {
      (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return undefined;
    }
    return res.Body!.transformToString();
  }

  /** Copies `from` (`<bucket>/<key>`, the key URL-encoded as S3's CopySource wants) to bucket/key. */
  async copy(from: string, bucket: string, key: string): Promise<void> {
    await this.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: from }));
  }

  /** Bytes `[start, end)` of an object (one ranged GET; S3's Range is inclusive). */
  async getRange(bucket: string, key: string, start: number, end: number): Promise<Buffer> {
    const res = await this.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
    );
    const got = Buffer.from(await res.Body!.transformToByteArray());
    if (got.length !== end - start)
      throw new Error(`ranged GET of ${key} [${start}, ${end}) answered ${got.length} bytes`);
    return got;
  }

  /**
   * A multipart upload assembled part by part (the reference join's output): parts from bytes or copied
   * by S3 from ranges of other objects. S3 checks the sizes at completion (all but the last ≥ 5 MiB).
   */
  async createMultipart(bucket: string, key: string, contentType?: string): Promise<string> {
    const res = await this.s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
    );
    if (!res.UploadId) throw new Error(`CreateMultipartUpload for ${key} returned no UploadId`);
    return res.UploadId;
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Buffer) {
    const res = await this.s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: body.length,
      }),
    );
    if (!res.ETag) throw new Error(`UploadPart ${partNumber} of ${key} returned no ETag`);
    return res.ETag;
  }

  /** Part `partNumber` copied by S3 from bytes `[start, end)` of `from` in the same bucket. */
  async uploadPartCopy(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    from: { key: string; start: number; end: number },
  ) {
    const res = await this.s3.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        CopySource: `${bucket}/${from.key.split('/').map(encodeURIComponent).join('/')}`,
        CopySourceRange: `bytes=${from.start}-${from.end - 1}`,
      }),
    );
    const etag = res.CopyPartResult?.ETag;
    if (!etag) throw new Error(`UploadPartCopy ${partNumber} of ${key} returned no ETag`);
    return etag;
  }

  async completeMultipart(bucket: string, key: string, uploadId: string, etags: readonly string[]) {
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
  }

  async abortMultipart(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  }

  /** Whether the bucket answers (the health check). */
  async ping(bucket: string): Promise<void> {
    await this.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  }

  async download(bucket: string, key: string, path: string): Promise<void> {
    const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await mkdir(dirname(path), { recursive: true });
    await pipeline(res.Body as Readable, createWriteStream(path));
  }

  /**
   * The object as a RangeSource for the loopback range proxy: one HeadObject for its size, then one
   * GetObject with Range per read. `onMissing` turns a missing object into the caller's error.
   */
  rangeSource(bucket: string, key: string, onMissing: () => Error): RangeSource {
    return {
      size: async () => {
        const h = await this.head(bucket, key);
        if (!h) throw onMissing();
        return h.bytes;
      },
      read: async (start, end) => {
        const res = await this.s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end}` }),
        );
        return res.Body as Readable;
      },
    };
  }

  /** Size of an object, or undefined when there is none. */
  async head(bucket: string, key: string): Promise<{ bytes: number } | undefined> {
    try {
      const res = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { bytes: res.ContentLength ?? 0 };
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)
        return undefined;
      throw err;
    }
  }

  /** Every key under a prefix. */
  async list(bucket: string, prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) if (o.Key) out.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** Deletes keys, 1000 per request (the S3 limit); fails when any key could not be deleted. */
  async deleteKeys(bucket: string, keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const res = await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (res.Errors?.length)
        throw new Error(
          `could not delete ${res.Errors.length} objects, e.g. ${res.Errors[0]!.Key}: ${res.Errors[0]!.Message}`,
        );
    }
  }

  /**
   * A GET URL; with `download`, the answer says `Content-Disposition: attachment` with that file name
   * (signed into the URL), so a browser saves it even from another origin, where `<a download>` is ignored.
   */
  presignGet(
    bucket: string,
    key: string,
    expiresIn = 3600,
    opts: { download?: string } = {},
  ): Promise<string> {
    const disposition = opts.download === undefined ? undefined : attachment(opts.download);
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: disposition }),
      { expiresIn },
    );
  }
}

/** `attachment` with an ASCII fallback name and the exact one in RFC 5987 form (any language's letters). */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

export const contentType = (name: string): string =>
  ({
    mp4: 'video/mp4',
    mov: 'video/quicktime',
    webm: 'video/webm',
    gif: 'image/gif',
    mp3: 'audio/mpeg',
    wav: 'audio/wav',
    jpg: 'image/jpeg',
    png: 'image/png',
    m4a: 'audio/mp4',
    m3u8: 'application/vnd.apple.mpegurl',
    ts: 'video/mp2t',
    m4s: 'video/iso.segment',
    vtt: 'text/vtt',
    srt: 'application/x-subrip',
    jpeg: 'image/jpeg',
    webp: 'image/webp',
    mkv: 'video/x-matroska',
    flac: 'audio/flac',
    ogg: 'audio/ogg',
    aac: 'audio/aac',
    ttf: 'font/ttf',
    otf: 'font/otf',
    woff: 'font/woff',
    woff2: 'font/woff2',
    json: 'application/json',
  })[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
