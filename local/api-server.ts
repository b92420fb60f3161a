import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAs } from '../lambdas/core/aws/call-recorder.js';
import { errorJson } from '../lambdas/api/http.js';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { runnableModule } from './modules.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Route {
  method: string;
  resource: string;
  module: string;
  keyRequired: boolean;
}

/** The same routes as the REST API in lib/api.ts, each to the same handler module. */
export const ROUTES: readonly Route[] = [
  { method: 'GET', resource: '/v1/health', module: 'lambdas/api/health.ts', keyRequired: false },
  { method: 'GET', resource: '/v1/openapi.json', module: 'lambdas/api/openapi.ts', keyRequired: true },
  { method: 'POST', resource: '/v1/renders', module: 'lambdas/api/renders.ts', keyRequired: true },
  { method: 'POST', resource: '/v1/clips', module: 'lambdas/api/renders.ts', keyRequired: true },
  { method: 'POST', resource: '/v1/mixes', module: 'lambdas/api/renders.ts', keyRequired: true },
  { method: 'GET', resource: '/v1/renders', module: 'lambdas/api/renders.ts', keyRequired: true },
  { method: 'GET', resource: '/v1/renders/{id}', module: 'lambdas/api/renders.ts', keyRequired: true },
  {
    method: 'POST',
    resource: '/v1/renders/{id}/cancel',
    module: 'lambdas/api/renders.ts',
    keyRequired: true,
  },
  { method: 'GET', resource: '/v1/usage', module: 'lambdas/api/usage.ts', keyRequired: true },
  { method: 'GET', resource: '/v1/metrics', module: 'lambdas/api/metrics.ts', keyRequired: true },
  { method: 'GET', resource: '/v1/webhooks/secret', module: 'lambdas/api/webhooks.ts', keyRequired: true },
  {
    method: 'POST',
    resource: '/v1/webhooks/secret/rotate',
    module: 'lambdas/api/webhooks.ts',
    keyRequired: true,
  },
  { method: 'POST', resource: '/v1/validate', module: 'lambdas/api/validate.ts', keyRequired: true },
  { method: 'POST', resource: '/v1/preview', module: 'lambdas/api/preview.ts', keyRequired: true },
  { method: 'POST', resource: '/v1/uploads', module: 'lambdas/api/uploads.ts', keyRequired: true },
  { method: 'POST', resource: '/v1/templates', module: 'lambdas/api/templates.ts', keyRequired: true },
  { method: 'GET', resource: '/v1/templates', module: 'lambdas/api/templates.ts', keyRequired: true },
  { method: 'GET', resource: '/v1/templates/{id}', module: 'lambdas/api/templates.ts', keyRequired: true },
  { method: 'PUT', resource: '/v1/templates/{id}', module: 'lambdas/api/templates.ts', keyRequired: true },
  { method: 'DELETE', resource: '/v1/templates/{id}', module: 'lambdas/api/templates.ts', keyRequired: true },
  {
    method: 'POST',
    resource: '/v1/templates/{id}/render',
    module: 'lambdas/api/templates.ts',
    keyRequired: true,
  },
  { method: 'POST', resource: '/v1/projects', module: 'lambdas/api/projects.ts', keyRequired: true },
  { method: 'GET', resource: '/v1/projects', module: 'lambdas/api/projects.ts', keyRequired: true },
  { method: 'GET', resource: '/v1/projects/{id}', module: 'lambdas/api/projects.ts', keyRequired: true },
  { method: 'PUT', resource: '/v1/projects/{id}', module: 'lambdas/api/projects.ts', keyRequired: true },
  { method: 'DELETE', resource: '/v1/projects/{id}', module: 'lambdas/api/projects.ts', keyRequired: true },
  {
    method: 'POST',
    resource: '/v1/projects/{id}/scenes',
    module: 'lambdas/api/projects.ts',
    keyRequired: true,
  },
  {
    method: 'PUT',
    resource: '/v1/projects/{id}/scenes/{n}',
    module: 'lambdas/api/projects.ts',
    keyRequired: true,
  },
  {
    method: 'DELETE',
    resource: '/v1/projects/{id}/scenes/{n}',
    module: 'lambdas/api/projects.ts',
    keyRequired: true,
  },
  {
    method: 'PUT',
    resource: '/v1/projects/{id}/order',
    module: 'lambdas/api/projects.ts',
    keyRequired: true,
  },
  {
    method: 'POST',
    resource: '/v1/projects/{id}/compose',
    module: 'lambdas/api/projects.ts',
    keyRequired: true,
  },
  {
    method: 'POST',
    resource: '/v1/projects/{id}/plan',
    module: 'lambdas/api/projects.ts',
    keyRequired: true,
  },
  {
    method: 'GET',
    resource: '/v1/projects/{id}/final-video',
    module: 'lambdas/api/projects.ts',
    keyRequired: true,
  },
].filter((r) => existsSync(`${ROOT}${runnableModule(r.module)}`));

function match(path: string): Array<{ route: Route; params: Record<string, string> }> {
  const out: Array<{ route: Route; params: Record<string, string> }> = [];
  const parts = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    const rp = route.resource.split('/').filter(Boolean);
    if (rp.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (
      rp.every((p, i) =>
        p.startsWith('{') ? ((params[p.slice(1, -1)] = decodeURIComponent(parts[i]!)), true) : p === parts[i],
      )
    ) {
      out.push({ route, params });
    }
  }
  return out;
}

export interface ApiKey {
  id: string;
  value: string;
}

/** A token bucket per key, like a usage plan's throttle (rate per second, burst). */
export class Throttle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly rate: number,
    readonly burst: number,
  ) {}
  /** 0 when allowed, else the seconds to wait. */
  take(key: string, now = Date.now()): number {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.rate));
  }
}

/**
 * API Gateway's own cap on a request body. The handlers refuse JSON bodies over 1 MiB themselves
 * (lambdas/api/http.ts MAX_BODY_BYTES), so in AWS and here alike an edit over 1 MiB is a 413.
 */
const MAX_BODY = 10 * 1024 * 1024;

type HandlerModule = {
  handler: (e: APIGatewayProxyEvent, c: unknown) => Promise<APIGatewayProxyResult>;
};
/**
 * Each handler module once, as Lambda keeps it warm: a dynamic import() per request goes through the
 * TypeScript loader's hooks every time (a round trip to its worker), which was ~12 % of the CPU under load.
 */
const modules = new Map<string, Promise<HandlerModule>>();
function handlerModule(module: string): Promise<HandlerModule> {
  let m = modules.get(module);
  if (!m) {
    m = import(`${ROOT}${runnableModule(module)}`) as Promise<HandlerModule>;
    m.catch(() => modules.delete(module));
    modules.set(module, m);
  }
  return m;
}

/** HTTP → API Gateway proxy events for the same handlers, with API keys and throttling as API Gateway does. */
export async function startApiServer(opts: {
  port: number;
  keys: () => readonly ApiKey[];
  throttle: Throttle;
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean;
}): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const send = (res: ServerResponse, r: APIGatewayProxyResult) => {
    res.writeHead(r.statusCode, {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'content-type,x-api-key,idempotency-key',
      ...(r.headers as Record<string, string>),
    });
    res.end(r.body);
  };
  // API Gateway's own refusals, in the platform's error shape with the status of the one table.
  const error = errorJson;
  const server = createServer((req, res) => {
    if (opts.extra?.(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', async () => {
      try {
        if (req.method === 'OPTIONS')
          return send(res, {
            statusCode: 204,
            headers: { 'access-control-allow-methods': 'GET,POST,PUT,DELETE,OPTIONS' },
            body: '',
          });
        const found = match(url.pathname);
        if (!found.length) return send(res, error('NOT_FOUND', `no route ${url.pathname}`));
        const hit = found.find((f) => f.route.method === req.method);
        if (!hit)
          return send(res, error('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`));
        let apiKeyId: string | undefined;
        if (hit.route.keyRequired) {
          const given = req.headers['x-api-key'];
          const key = opts.keys().find((k) => k.value === given);
          if (!key) return send(res, error('FORBIDDEN', 'a valid API key is required (x-api-key header)'));
          const wait = opts.throttle.take(key.id);
          if (wait)
            return send(
              res,
              error('THROTTLED', `too many requests; retry in ${wait} s`, {
                'retry-after': String(wait),
              }),
            );
          apiKeyId = key.id;
        }
        if (tooBig) return send(res, error('PAYLOAD_TOO_LARGE', `the body is larger than ${MAX_BODY} bytes`));
        const event = {
          httpMethod: req.method!,
          resource: hit.route.resource,
          path: url.pathname,
          headers: Object.fromEntries(
            Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
          ),
          multiValueHeaders: {},
          queryStringParameters: url.searchParams.size ? Object.fromEntries(url.searchParams) : null,
          multiValueQueryStringParameters: null,
          pathParameters: Object.keys(hit.params).length ? hit.params : null,
          stageVariables: null,
          body: chunks.length ? Buffer.concat(chunks).toString('utf8') : null,
          isBase64Encoded: false,
          requestContext: {
            identity: { apiKeyId, sourceIp: req.socket.remoteAddress },
            requestId: crypto.randomUUID(),
            stage: 'local',
            resourcePath: hit.route.resource,
            httpMethod: req.method,
          },
        } as unknown as APIGatewayProxyEvent;
        const mod = await handlerModule(hit.route.module);
        send(
          res,
          await runAs(hit.route.module, () =>
            mod.handler(event, { awsRequestId: event.requestContext.requestId }),
          ),
        );
      } catch (err) {
        process.stderr.write(`api: ${(err as Error).stack ?? err}\n`);
        send(res, error('INTERNAL', 'internal error'));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
