import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { recordCalls } from '../core/aws/call-recorder.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { contentType as typeOfName } from '../core/aws/storage.js';
import { resolveLimits } from '../core/edit/limits.js';
import { zodIssues } from '../core/intake/parse-edit.js';
import { getPlatform } from '../core/platform.js';
import { HttpError, httpErrors, json, jsonBody, tenantOf } from './http.js';

/** How long the presigned PUT is valid. */
export const UPLOAD_EXPIRES_SECONDS = 15 * 60;

/**
 * What may be uploaded: the media, caption and font types an edit reads. Playlists and manifests
 * (application/vnd.apple.mpegurl, application/dash+xml) and anything else are refused here, and a
 * source's content is checked again when it is probed (media/source-input).
 */
export const UPLOAD_CONTENT_TYPES = [
  'video/mp4',
  'video/quicktime',
  'video/webm',
  'video/x-matroska',
  'video/mp2t',
  'video/x-msvideo',
  'video/x-flv',
  'audio/mpeg',
  'audio/wav',
  'audio/x-wav',
  'audio/mp4',
  'audio/aac',
  'audio/flac',
  'audio/ogg',
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'text/vtt',
  'application/x-subrip',
  'font/ttf',
  'font/otf',
  'font/woff',
  'font/woff2',
] as const;

/** S3 takes at most 5 GiB in one PUT (a presigned upload is one PUT); larger needs a multipart upload. */
export const S3_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/** Which limit bounds an upload of this type: images, audio, caption/font files, or any source (video). */
export function uploadLimitName(
  contentType: string,
): 'maxImageUploadBytes' | 'maxAudioUploadBytes' | 'maxTextUploadBytes' | 'maxSourceBytes' {
  if (contentType.startsWith('image/')) return 'maxImageUploadBytes';
  if (contentType.startsWith('audio/')) return 'maxAudioUploadBytes';
  if (contentType.startsWith('font/') || contentType === 'text/vtt' || contentType === 'application/x-subrip')
    return 'maxTextUploadBytes';
  return 'maxSourceBytes';
}

/** The largest upload of a type: its kind's limit, never more than a source may be nor one PUT carries. */
export function maxUploadBytes(contentType = 'video/mp4'): number {
  const limits = resolveLimits();
  return Math.min(limits[uploadLimitName(contentType)], limits.maxSourceBytes, S3_SINGLE_PUT_BYTES);
}

export const UploadRequest = z.strictObject({
  filename: z
    .string({ error: 'filename must be a string' })
    .min(1, 'filename must not be empty')
    .max(200, 'filename is longer than 200 characters')
    .refine((f) => !/[/\\]/.test(f), 'filename must be a plain name, without / or \\')
    .refine((f) => !/^\.*$/.test(f.trim()), 'filename must name a file: not blank, not only dots')
    // eslint-disable-next-line no-control-regex
    .refine((f) => !/[\u0000-\u001f\u007f]/.test(f), 'filename must not contain control characters'),
  contentType: z
    .string()
    .max(100, 'contentType is longer than 100 characters')
    .regex(
      /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+-]+)*$/,
      'contentType must be a MIME type like video/mp4',
    )
    .optional(),
  bytes: z
    .number({ error: 'bytes must be the size of the file in bytes (the upload must send exactly that many)' })
    .int('bytes must be a whole number')
    .min(1, 'bytes must be at least 1'),
});

/**
 * The name as it goes into the key: accents folded, anything but letters, digits, `.`, `_` and `-` made
 * `_`, so keys stay readable in URLs, shells and ffmpeg arguments. The extension survives (probing uses it).
 */
export function safeFilename(name: string): string {
  return name
    .trim()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\w.-]/g, '_');
}

let presigner: S3Client | undefined;

/**
 * The client that signs upload URLs. Its checksums are only WHEN_REQUIRED: with the SDK's default
 * (WHEN_SUPPORTED, since 3.729) a presigned PutObject carries the CRC32 of the empty body it was signed
 * with (`x-amz-checksum-crc32=AAAAAA==`), and S3 rejects every real upload as a checksum mismatch
 * (aws/aws-sdk-js-v3#6994). Signing makes no request, so it needs no tracing.
 */
function presignClient(): S3Client {
  presigner ??= recordCalls(
    new S3Client({
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(process.env.CUTLINE_S3_FORCE_PATH_STYLE === 'true' ? { forcePathStyle: true } : {}),
    }),
    's3',
  );
  return presigner;
}

/**
 * A presigned PUT with the content type and the length signed: the client must send the same
 * `content-type` and exactly `bytes` bytes, or S3 (and the local endpoint) answers 403
 * SignatureDoesNotMatch. That is how S3 bounds a presigned PUT's size.
 */
export function presignPut(
  bucket: string,
  key: string,
  contentType: string,
  bytes: number,
  expiresIn = UPLOAD_EXPIRES_SECONDS,
  s3: S3Client = presignClient(),
): Promise<string> {
  return getSignedUrl(
    s3,
    new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: bytes }),
    { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) },
  );
}

/**
 * POST /v1/uploads: a presigned PUT into the tenant's inputs/ prefix. `src` is the key itself, which edits
 * accept as the tenant's input (it resolves against the ingest bucket), so an edit that uses it runs
 * unchanged on any deployment whatever its bucket is called.
 */
async function create(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const parsed = UploadRequest.safeParse(jsonBody(event), { reportInput: true });
  if (!parsed.success) {
    const details = zodIssues(parsed.error);
    throw new HttpError(400, 'VALIDATION_FAILED', `${details[0]!.path}: ${details[0]!.message}`, details);
  }
  const p = getPlatform();
  const key = `inputs/${tenantId}/${randomUUID()}/${safeFilename(parsed.data.filename)}`;
  const type = (parsed.data.contentType ?? typeOfName(key.toLowerCase())).toLowerCase();
  const bareType = type.split(';')[0]!.trim();
  if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(bareType)) {
    const message = `${bareType} is not an accepted upload type; accepted: ${UPLOAD_CONTENT_TYPES.join(', ')}`;
    throw new HttpError(400, 'VALIDATION_FAILED', `contentType: ${message}`, [
      { path: 'contentType', message },
    ]);
  }
  const max = maxUploadBytes(bareType);
  if (parsed.data.bytes > max) {
    const limits = resolveLimits();
    const name =
      limits[uploadLimitName(bareType)] <= limits.maxSourceBytes
        ? uploadLimitName(bareType)
        : 'maxSourceBytes';
    const message =
      max === S3_SINGLE_PUT_BYTES && max < limits[name]
        ? `the file is larger than ${max} bytes, the most one presigned PUT can carry (S3); larger sources need a multipart upload, which POST /v1/uploads does not offer`
        : `the file is larger than ${max} bytes (${name})`;
    throw new HttpError(413, 'LIMIT_EXCEEDED', `bytes: ${message}`, [{ path: 'bytes', message }]);
  }
  const url = await presignPut(p.ingestBucket, key, type, parsed.data.bytes);
  return json(201, {
    key,
    src: key,
    url,
    method: 'PUT',
    // The PUT must carry this content-type and exactly `bytes` bytes (its Content-Length is signed).
    headers: { 'content-type': type },
    bytes: parsed.data.bytes,
    expiresIn: UPLOAD_EXPIRES_SECONDS,
  });
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const r = `${event.httpMethod} ${event.resource}`;
    if (r !== 'POST /v1/uploads') throw new HttpError(404, 'NOT_FOUND', `no route ${r}`);
    return create(event);
  });
