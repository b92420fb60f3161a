import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/**
 * The multipart rules of S3 that s3rver does not keep, kept in the local S3 proxy (s3-auth-proxy.ts):
 * - UploadPartCopy (s3rver answers NotImplemented): the source range is read from s3rver and stored as
 *   the part, and the answer is S3's CopyPartResult XML; a range outside the source is InvalidRange.
 * - CompleteMultipartUpload refuses EntityTooSmall when a part other than the last is under 5 MiB
 *   (s3rver accepts any size), so a plan that would fail in AWS fails here too.
 * Part sizes are recorded as parts pass through the proxy; a part it has not seen (uploaded before a
 * restart of the local platform) is left for s3rver to judge.
 */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_COPY_PART = 5 * 1024 * 1024 * 1024;

export type MultipartCall =
  | {
      kind: 'copy';
      upload: string;
      partNumber: number;
      source: string;
      range: string | undefined;
      path: string;
    }
  | { kind: 'part'; upload: string; partNumber: number }
  | { kind: 'complete'; upload: string }
  | { kind: 'abort'; upload: string; bucket: string; uploadId: string };

/** Which multipart call a request is, if any (path-style: /bucket/key?partNumber=&uploadId=). */
export function multipartCall(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
): MultipartCall | undefined {
  const u = new URL(url, 'http://local');
  const uploadId = u.searchParams.get('uploadId');
  if (!uploadId) return undefined;
  const upload = `${u.pathname}\n${uploadId}`;
  const partNumber = Number(u.searchParams.get('partNumber'));
  const source = headers['x-amz-copy-source'];
  if (method === 'PUT' && partNumber && typeof source === 'string') {
    const range = headers['x-amz-copy-source-range'];
    return {
      kind: 'copy',
      upload,
      partNumber,
      source,
      range: typeof range === 'string' ? range : undefined,
      path: url,
    };
  }
  if (method === 'PUT' && partNumber) return { kind: 'part', upload, partNumber };
  if (method === 'POST') return { kind: 'complete', upload };
  if (method === 'DELETE')
    return { kind: 'abort', upload, bucket: decodeURIComponent(u.pathname.split('/')[1] ?? ''), uploadId };
  return undefined;
}

export class MultipartSizes {
  private readonly uploads = new Map<string, Map<number, number>>();

  record(upload: string, partNumber: number, bytes: number): void {
    if (!Number.isFinite(bytes)) return;
    let m = this.uploads.get(upload);
    if (!m) this.uploads.set(upload, (m = new Map()));
    m.set(partNumber, bytes);
  }

  forget(upload: string): void {
    this.uploads.delete(upload);
  }

  /** S3's EntityTooSmall check of a CompleteMultipartUpload body; undefined when it passes. */
  checkComplete(upload: string, xml: string): { code: string; message: string } | undefined {
    const numbers = [...xml.matchAll(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/g)].map((m) => Number(m[1]));
    const sizes = this.uploads.get(upload);
    for (const n of numbers.slice(0, -1)) {
      const bytes = sizes?.get(n);
      if (bytes !== undefined && bytes < MIN_PART_BYTES)
        return {
          code: 'EntityTooSmall',
          message: `Your proposed upload is smaller than the minimum allowed size: part ${n} is ${bytes} bytes, parts but the last must be at least ${MIN_PART_BYTES}`,
        };
    }
    return undefined;
  }
}

type Upstream = (
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
  body?: NodeJS.ReadableStream,
) => Promise<IncomingMessage>;

const xmlError = (res: ServerResponse, status: number, code: string, message: string): void => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/[<>&]/g, '')}</Message></Error>`,
  );
};

/** UploadPartCopy: reads the source range from s3rver and stores it as the part. */
export async function copyPart(
  upstream: Upstream,
  call: Extract<MultipartCall, { kind: 'copy' }>,
  sizes: MultipartSizes,
  res: ServerResponse,
): Promise<void> {
  // x-amz-copy-source: `bucket/key` or `/bucket/key`, URL-encoded, optionally `?versionId=`. The stack's
  // buckets are unversioned (lib/storage.ts), as the local ones are: S3 then holds only the "null"
  // version, so that id copies the object and any other is NoSuchVersion, as in AWS.
  const [rawSource, query] = call.source.split('?');
  if (query !== undefined) {
    const params = new URLSearchParams(query);
    const version = params.get('versionId');
    if ([...params.keys()].some((k) => k !== 'versionId') || !version)
      return xmlError(res, 400, 'InvalidArgument', 'x-amz-copy-source takes only a versionId after "?"');
    if (version !== 'null')
      return xmlError(res, 404, 'NoSuchVersion', 'The specified version does not exist.');
  }
  const source = `/${decodeURIComponent(rawSource!.replace(/^\//, ''))
    .split('/')
    .map(encodeURIComponent)
    .join('/')}`;
  const head = await upstream('HEAD', source, {});
  head.resume();
  if (head.statusCode === 404) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
  if ((head.statusCode ?? 500) >= 300)
    return xmlError(res, 502, 'InternalError', 'the local S3 could not read the source');
  const size = Number(head.headers['content-length']);
  let first = 0;
  let last = size - 1;
  if (call.range !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(call.range);
    if (!m)
      return xmlError(
        res,
        400,
        'InvalidArgument',
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      );
    first = Number(m[1]);
    last = Number(m[2]);
    if (first > last || last >= size)
      return xmlError(res, 416, 'InvalidRange', 'The requested range is not satisfiable');
  }
  const bytes = last - first + 1;
  if (bytes > MAX_COPY_PART)
    return xmlError(res, 400, 'InvalidRequest', 'a copied part may be at most 5 GiB');
  const got = await upstream('GET', source, { range: `bytes=${first}-${last}` });
  if ((got.statusCode ?? 500) >= 300) {
    got.resume();
    return xmlError(res, 502, 'InternalError', 'the local S3 could not read the source range');
  }
  const put = await upstream('PUT', call.path, { 'content-length': String(bytes) }, got);
  const answer = await readBody(put);
  if ((put.statusCode ?? 500) >= 300) {
    res.writeHead(put.statusCode ?? 502, { 'content-type': 'application/xml' });
    return void res.end(answer);
  }
  sizes.record(call.upload, call.partNumber, bytes);
  const etag = String(put.headers.etag ?? '');
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LastModified>${new Date().toISOString()}</LastModified><ETag>${etag.replace(/[<>&]/g, '')}</ETag></CopyPartResult>`,
  );
}

export async function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
