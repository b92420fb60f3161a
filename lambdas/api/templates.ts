import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { clients } from '../core/aws/clients.js';
import { parseEdit, zodIssues } from '../core/edit/parse.js';
import { MergeField } from '../core/edit/schema.js';
import { TemplateStore, type Template } from '../core/jobs/templates.js';
import { submitRender } from '../core/jobs/submit.js';
import { getPlatform } from '../core/platform.js';
import { HttpError, httpErrors, json, jsonBody, tenantOf } from './http.js';
import { renderView } from './renders.js';

const TemplateBody = z.strictObject({
  name: z.string().min(1, 'name must not be empty').max(200),
  edit: z.record(z.string(), z.unknown()),
});
const RenderBody = z.strictObject({ merge: z.array(MergeField).optional(), callback: z.url().optional() });

const store = () => new TemplateStore(clients().db, getPlatform().table);

function parseBody<T>(schema: z.ZodType<T>, event: APIGatewayProxyEvent): T {
  const r = schema.safeParse(jsonBody(event), { reportInput: true });
  if (!r.success) {
    const details = zodIssues(r.error);
    throw new HttpError(400, 'VALIDATION_FAILED', `${details[0]!.path}: ${details[0]!.message}`, details);
  }
  return r.data;
}

/** A template is valid when its edit, with its own merge defaults, passes the schema; errors are under `edit.`. */
function checkTemplate(edit: Record<string, unknown>): void {
  try {
    parseEdit(edit);
  } catch (err) {
    const e = err as { details?: Array<{ path: string; message: string }>; message: string };
    const details = (e.details ?? []).map((d) => ({ ...d, path: d.path ? `edit.${d.path}` : 'edit' }));
    throw new HttpError(
      400,
      'VALIDATION_FAILED',
      `${details[0]?.path ?? 'edit'}: ${details[0]?.message ?? e.message}`,
      details,
    );
  }
}

const view = (t: Template) => ({
  ...t,
  links: { self: `/v1/templates/${t.id}`, render: `/v1/templates/${t.id}/render` },
});

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const id = event.pathParameters?.id ?? '';
  const now = new Date().toISOString();
  const found = async () => {
    const t = await store().get(tenantId, id);
    if (!t) throw new HttpError(404, 'NOT_FOUND', 'no such template');
    return t;
  };
  switch (`${event.httpMethod} ${event.resource}`) {
    case 'POST /v1/templates': {
      const body = parseBody(TemplateBody, event);
      checkTemplate(body.edit);
      const t: Template = {
        id: randomUUID(),
        name: body.name,
        edit: body.edit,
        createdAt: now,
        updatedAt: now,
      };
      await store().put(tenantId, t);
      return json(201, view(t));
    }
    case 'GET /v1/templates': {
      const q = event.queryStringParameters ?? {};
      const page = await store().list(tenantId, Math.min(100, Number(q.limit ?? 50) || 50), q.cursor);
      return json(200, {
        templates: page.templates.map(view),
        ...(page.cursor ? { cursor: page.cursor } : {}),
      });
    }
    case 'GET /v1/templates/{id}':
      return json(200, view(await found()));
    case 'PUT /v1/templates/{id}': {
      const prior = await found();
      const body = parseBody(TemplateBody, event);
      checkTemplate(body.edit);
      const t: Template = { ...prior, name: body.name, edit: body.edit, updatedAt: now };
      if (!(await store().put(tenantId, t, true))) throw new HttpError(404, 'NOT_FOUND', 'no such template');
      return json(200, view(t));
    }
    case 'DELETE /v1/templates/{id}':
      if (!(await store().delete(tenantId, id))) throw new HttpError(404, 'NOT_FOUND', 'no such template');
      return { statusCode: 204, headers: {}, body: '' };
    case 'POST /v1/templates/{id}/render': {
      const t = await found();
      const body = parseBody(RenderBody, event);
      // The caller's merge values win over the template's defaults.
      const defaults = ((t.edit.merge as Array<{ find: string }> | undefined) ?? []).filter(
        (m) => !body.merge?.some((b) => b.find === m.find),
      );
      const edit = {
        ...t.edit,
        merge: [...defaults, ...(body.merge ?? [])],
        ...(body.callback ? { callback: body.callback } : {}),
      };
      const { job } = await submitRender({ tenantId, edit });
      return json(202, renderView(job));
    }
    default:
      throw new HttpError(404, 'NOT_FOUND', 'no such route');
  }
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(httpErrors()).handler(route);
