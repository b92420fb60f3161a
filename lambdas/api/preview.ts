import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { zodIssues } from '../core/intake/parse-edit.js';
import type { Edit } from '../core/edit/schema.js';
import { CutlineError, validationError } from '../core/errors.js';
import { validateJob } from '../core/submit/validate.js';
import { renderPreviewFrame } from '../core/preview/frame.js';
import { PreviewRequest } from '../core/preview/schema.js';
import { HttpError, httpErrors, json, jsonBody, tenantOf } from './http.js';

/** Well inside API Gateway's 29 s: a frame that takes longer is an edit to render, not to preview. */
export const PREVIEW_TIMEOUT_MS = 20_000;

/** The edit's own problems, at their path under `edit` in this body. */
const underEdit = (err: CutlineError) =>
  new CutlineError(
    err.code,
    `edit.${err.message}`,
    err.details.map((d) => ({ ...d, path: d.path ? `edit.${d.path}` : 'edit' })),
  );

/**
 * POST /v1/preview: one frame of an edit at `at` seconds, drawn by the real compiler and ffmpeg at the
 * edit's size and scaled to `width` (default 480). The edit passes the checks of a submit first. 200
 * `{ at, duration, width, height, contentType, image }` with `image` a base64 JPEG (a JSON body passes
 * API Gateway without binary media types).
 */
async function preview(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const parsed = PreviewRequest.safeParse(jsonBody(event), { reportInput: true });
  if (!parsed.success) throw validationError(zodIssues(parsed.error));
  const { edit: body, at, width } = parsed.data;
  let edit: Edit;
  try {
    edit = (await validateJob({ tenantId, type: 'render', body })).request as Edit;
  } catch (err) {
    throw err instanceof CutlineError ? underEdit(err) : err;
  }
  const signal = AbortSignal.timeout(PREVIEW_TIMEOUT_MS);
  try {
    const frame = await renderPreviewFrame({ tenantId, edit, at, width, signal });
    return json(200, {
      at: frame.at,
      duration: frame.duration,
      width: frame.width,
      height: frame.height,
      contentType: 'image/jpeg',
      image: frame.jpeg.toString('base64'),
    });
  } catch (err) {
    if (signal.aborted)
      throw new HttpError(
        504,
        'PREVIEW_TIMEOUT',
        `the frame took longer than ${PREVIEW_TIMEOUT_MS / 1000} s to draw; render the edit instead (POST /v1/renders)`,
      );
    throw err instanceof CutlineError && err.details.length ? underEdit(err) : err;
  }
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const r = `${event.httpMethod} ${event.resource}`;
    if (r !== 'POST /v1/preview') throw new HttpError(404, 'NOT_FOUND', `no route ${r}`);
    return preview(event);
  });
