import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { parseEdit, zodIssues } from '../core/intake/parse-edit.js';
import { MergeField } from '../core/edit/schema.js';
import { missingRequiredMerge, requiredMergeFields } from '../core/edit/merge.js';
import { CutlineError } from '../core/errors.js';
import { submitJob } from '../core/submit/submit.js';
import type { Template } from '../core/jobs/templates.js';
import { getPlatform } from '../core/platform.js';
import {
  HttpError,
  httpErrors,
  invalid,
  json,
  jsonBody,
  notFound,
  tenantOf,
  idempotencyKeyOf,
} from './http.js';
import { renderView } from './renders.js';
import { observed } from '../core/observability.js';

export const TemplateRequest = z.strictObject({
  name: z.string().trim().min(1, 'name must not be empty').max(200, 'name is longer than 200 characters'),
  edit: z.record(z.string(), z.unknown(), { error: 'edit must be a JSON object with timeline and output' }),
});
export const TemplateRenderRequest = z.strictObject({
  merge: z.array(MergeField).optional(),
  callback: z.url({ protocol: /^https?$/, error: 'callback must be an http(s) URL' }).optional(),
});

/** A DynamoDB item is at most 400 KB; leave room for the other attributes. */
const MAX_TEMPLATE_BYTES = 350_000;
const ID = /^[\w-]{1,64}$/;

const store = () => getPlatform().templates;

function parseBody<T>(schema: z.ZodType<T>, event: APIGatewayProxyEvent, optional = false): T {
  const r = schema.safeParse(optional && !event.body?.trim() ? {} : jsonBody(event), { reportInput: true });
  if (!r.success) throw invalid(zodIssues(r.error));
  return r.data;
}

/** The raw value at a detail path such as `timeline.tracks[0].clips[1].length`. */
function at(value: unknown, path: string): unknown {
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * A template is valid when its edit, with its own merge defaults applied, passes the same validation as
 * a render; it is stored as sent, placeholders kept. Problems are reported under `edit.`, and a
 * placeholder that needs a typed value (a number, say) is told to get a default.
 */
function checkTemplate(edit: Record<string, unknown>): void {
  const size = Buffer.byteLength(JSON.stringify(edit));
  if (size > MAX_TEMPLATE_BYTES) {
    throw invalid(
      [{ path: 'edit', message: `is ${size} bytes; a template's edit is at most ${MAX_TEMPLATE_BYTES}` }],
      'LIMIT_EXCEEDED',
    );
  }
  try {
    parseEdit(edit);
  } catch (err) {
    if (!(err instanceof CutlineError)) throw err;
    const details = (err.details.length ? err.details : [{ path: '', message: err.message }]).map((d) => {
      const raw = at(edit, d.path);
      const hint =
        typeof raw === 'string' && /^\{\{\s*[^{}]+?\s*\}\}$/.test(raw)
          ? ` (the placeholder ${raw} needs a default in the template's merge)`
          : '';
      return { path: d.path ? `edit.${d.path}` : 'edit', message: `${d.message}${hint}` };
    });
    throw invalid(details, err.code);
  }
}

const view = (t: Template) => ({
  ...t,
  links: { self: `/v1/templates/${t.id}`, render: `/v1/templates/${t.id}/render` },
});

const missing = () => notFound('no such template');

async function found(tenantId: string, id: string): Promise<Template> {
  const t = ID.test(id) ? await store().get(tenantId, id) : null;
  if (!t) throw missing();
  return t;
}

async function create(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const body = parseBody(TemplateRequest, event);
  checkTemplate(body.edit);
  const now = new Date().toISOString();
  const t: Template = { id: randomUUID(), name: body.name, edit: body.edit, createdAt: now, updatedAt: now };
  if (!(await store().put(tenantId, t))) throw new Error(`template id ${t.id} already exists`);
  return json(201, view(t), { location: `/v1/templates/${t.id}` });
}

async function list(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const q = event.queryStringParameters ?? {};
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw invalid([{ path: 'query.limit', message: 'limit must be a whole number from 1 to 100' }]);
  }
  const page = await store().list(tenantId, limit, q.cursor || undefined);
  return json(200, { templates: page.templates.map(view), ...(page.cursor ? { cursor: page.cursor } : {}) });
}

async function replace(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const prior = await found(tenantId, event.pathParameters?.id ?? '');
  const body = parseBody(TemplateRequest, event);
  checkTemplate(body.edit);
  const t: Template = { ...prior, name: body.name, edit: body.edit, updatedAt: new Date().toISOString() };
  if (!(await store().put(tenantId, t, true))) throw missing();
  return json(200, view(t));
}

async function remove(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const id = event.pathParameters?.id ?? '';
  if (!ID.test(id) || !(await store().delete(tenantId, id))) throw missing();
  return { statusCode: 204, headers: {}, body: '' };
}

/** Renders the template with the caller's merge values (theirs win over the template's defaults). */
async function render(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const t = await found(tenantId, event.pathParameters?.id ?? '');
  // The body is optional: no merge values renders the template with its defaults.
  const body = parseBody(TemplateRenderRequest, event, true);
  const key = idempotencyKeyOf(event);
  const given = body.merge ?? [];
  // Refused before anything is written: a required field left out would render as "{{ NAME }}".
  const problems = missingRequiredMerge(requiredMergeFields(t.edit), given);
  if (problems.length) throw invalid(problems);
  const defaults = (Array.isArray(t.edit.merge) ? (t.edit.merge as Array<{ find: string }>) : []).filter(
    (m) => !given.some((g) => g.find === m.find),
  );
  const edit = {
    ...t.edit,
    ...(defaults.length || given.length ? { merge: [...defaults, ...given] } : {}),
    ...(body.callback ? { callback: body.callback } : {}),
  };
  const { job, created } = await submitJob({
    tenantId,
    type: 'render',
    body: edit,
    idempotencyKey: key,
    // Bound to the caller's request, not the template's current text: a retry after an edit of the
    // template still finds its first job.
    fingerprint: { route: `POST /v1/templates/${t.id}/render`, body },
    title: t.name,
  });
  return json(202, renderView(job), created ? {} : { 'idempotent-replay': 'true' });
}

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const r = `${event.httpMethod} ${event.resource}`;
  switch (r) {
    case 'POST /v1/templates':
      return create(event);
    case 'GET /v1/templates':
      return list(event);
    case 'GET /v1/templates/{id}':
      return json(200, view(await found(tenantOf(event), event.pathParameters?.id ?? '')));
    case 'PUT /v1/templates/{id}':
      return replace(event);
    case 'DELETE /v1/templates/{id}':
      return remove(event);
    case 'POST /v1/templates/{id}/render':
      return render(event);
    default:
      throw new HttpError('NOT_FOUND', `no route ${r}`);
  }
}

export const handler = observed(route, httpErrors());
