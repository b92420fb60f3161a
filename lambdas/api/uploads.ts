import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { recordCalls } from '../core/aws/call-recorder.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { contentType as typeOfName } from '../core/aws/storage.js';
import { zodIssues } from '../core/edit/parse.js';
import { getPlatform } from '../core/platform.js';
import { HttpError, httpErrors, json, jsonBody, tenantOf } from './http.js';

/** How long the presigned PUT is valid. */
export const UPLOAD_EXPIRES_SECONDS = 15 * 60;

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

/** A presigned PUT with the content type signed: the client must send the same `content-type` header. */
export function presignPut(
  bucket: string,
  key: string,
  contentType: string,
  expiresIn = UPLOAD_EXPIRES_SECONDS,
  s3: S3Client = presignClient(),
): Promise<string> {
  return getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType }), {
    expiresIn,
    signableHeaders: new Set(['content-type']),
  });
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
  const type = parsed.data.contentType ?? typeOfName(key.toLowerCase());
  const url = await presignPut(p.ingestBucket, key, type);
  return json(201, {
    key,
    src: key,
    url,
    method: 'PUT',
    headers: { 'content-type': type },
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
