import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { clients } from '../core/aws/clients.js';
import { zodIssues } from '../core/edit/parse.js';
import { getPlatform } from '../core/platform.js';
import { HttpError, httpErrors, json, jsonBody, tenantOf } from './http.js';

export const UploadRequest = z.strictObject({
  filename: z
    .string()
    .min(1, 'filename must not be empty')
    .max(200, 'filename is longer than 200 characters')
    .refine(
      (f) => !/[/\\]/.test(f) && f !== '.' && f !== '..',
      'filename must be a plain name, without / or \\',
    ),
  contentType: z.string().max(100).optional(),
});

/** POST /v1/uploads: a presigned PUT into the tenant's inputs/ prefix; the returned `src` goes in edits. */
async function create(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const parsed = UploadRequest.safeParse(jsonBody(event), { reportInput: true });
  if (!parsed.success) {
    const details = zodIssues(parsed.error);
    throw new HttpError(400, 'VALIDATION_FAILED', `${details[0]!.path}: ${details[0]!.message}`, details);
  }
  const p = getPlatform();
  const safe = parsed.data.filename.replace(/[^\w.\- ]/g, '_');
  const key = `inputs/${tenantId}/${randomUUID()}/${safe}`;
  const contentType = parsed.data.contentType ?? 'application/octet-stream';
  const url = await getSignedUrl(
    clients().s3,
    new PutObjectCommand({ Bucket: p.ingestBucket, Key: key, ContentType: contentType }),
    {
      expiresIn: 900,
    },
  );
  return json(201, {
    key,
    src: `s3://${p.ingestBucket}/${key}`,
    url,
    method: 'PUT',
    headers: { 'content-type': contentType },
    expiresIn: 900,
  });
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    if (`${event.httpMethod} ${event.resource}` !== 'POST /v1/uploads')
      throw new HttpError(404, 'NOT_FOUND', 'no such route');
    return create(event);
  });
