import { z } from 'zod';
import { PreviewRequest } from '../core/preview/schema.js';
import { PlanRequest } from '../core/projects/plan.js';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ClipsRequest } from '../core/clips/schema.js';
import { Edit } from '../core/edit/schema.js';
import { MixRequest } from '../core/mixes/schema.js';
import { json } from './http.js';
import {
  ComposeRequest,
  CreateProjectRequest,
  ReorderRequest,
  SceneInput,
  UpdateProjectRequest,
} from '../core/projects/schema.js';
import { PROJECT_STATUSES } from '../core/projects/status.js';
import { UploadRequest } from './uploads.js';
import { observed } from '../core/observability.js';
import { JOB_STATUSES } from '../core/jobs/model.js';
import { RenderProgress } from '../core/jobs/render-progress.js';

const error = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
};

const body = (schema: z.ZodType, required = true) => ({
  required,
  content: {
    'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
  },
});
const conflict = { description: 'the scene list changed meanwhile; read the project and retry' };

/** The OpenAPI document, generated from the same zod schemas that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  const errors = {
    '400': { description: 'invalid request', content: { 'application/json': { schema: error } } },
    '403': { description: 'missing or wrong API key' },
    '404': { description: 'not found' },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'cutline', version: '1' },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      schemas: {
        Edit: z.toJSONSchema(Edit, { target: 'draft-2020-12', io: 'input' }),
        Error: error,
        RenderProgress: z.toJSONSchema(RenderProgress, { target: 'draft-2020-12', io: 'output' }),
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/v1/health': {
        get: {
          security: [],
          responses: {
            '200': {
              description: 'every dependency answers (status ok, or degraded: ffmpeg lacks a feature)',
            },
            '503': { description: 'a dependency is down; the body names which' },
          },
        },
      },
      '/v1/usage': {
        get: {
          parameters: ['from', 'to'].map((name) => ({
            name,
            in: 'query',
            description: 'UTC day YYYY-MM-DD (default: the last 30 days)',
            schema: { type: 'string', format: 'date' },
          })),
          responses: { '200': { description: "the tenant's usage by day, totals and quota" }, ...errors },
        },
      },
      '/v1/metrics': {
        get: {
          parameters: [
            {
              name: 'window',
              in: 'query',
              description: '15m, 24h (default), 7d … at most 31d',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': {
              description:
                'jobs by status, success rate, p50/p95 render and queue seconds, queue depth, estimate error',
            },
            ...errors,
          },
        },
      },
      '/v1/webhooks/secret': {
        get: {
          responses: {
            '200': {
              description:
                "the tenant's webhook signing secret: id and creation time (never the value), and the previous one while it still signs",
            },
            ...errors,
          },
        },
      },
      '/v1/webhooks/secret/rotate': {
        post: {
          responses: {
            '200': {
              description:
                'a new signing secret, shown this once; the previous one keeps signing (a second v1= value) for the grace period',
            },
            '429': { description: 'rotated less than 10 minutes ago; Retry-After says when to try again' },
            ...errors,
          },
        },
      },
      '/v1/renders': {
        post: {
          parameters: [
            { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } },
            {
              name: 'wait',
              in: 'query',
              description:
                'seconds (at most 25) to wait for the job to end: 200 with the finished job, else 202',
              schema: { type: 'number', minimum: 0, maximum: 25 },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Edit' } } },
          },
          responses: {
            '200': { description: 'ended within `wait`: the job with presigned output URLs' },
            '202': {
              description: 'queued (or still running after `wait`), with estimatedSeconds and estimate.plan',
            },
            ...errors,
            '413': {
              description:
                'body over 1 MiB, or the edit after merge over maxRequestBytes (path: merge or the root)',
              content: { 'application/json': { schema: error } },
            },
            '422': {
              description:
                'IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used with a different body or route',
              content: { 'application/json': { schema: error } },
            },
            '429': {
              description:
                'the job does not fit a tenant quota: used + reserved by running jobs + this estimate (Retry-After: until it resets)',
              content: { 'application/json': { schema: error } },
            },
          },
        },
        get: {
          parameters: ['status', 'limit', 'cursor'].map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: {
            '200': {
              description:
                'a page of renders, each with its title (template, project or dropped file name; for an edit, else its first title/text/rich-text asset’s text, at most 60 characters, else its first media file’s name without host, folders or query; for clips, the source’s file name; else the kind) and, when it made one, a presigned thumbnail (its thumbnail output, else poster, else first image)',
            },
            ...errors,
          },
        },
      },
      '/v1/clips': {
        post: {
          summary: 'clips from a long video: explicit or auto-picked, reframed per aspect ratio, captioned',
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
          requestBody: body(ClipsRequest),
          responses: {
            '202': {
              description: 'queued; read it at /v1/renders/{id} (outputs by rendition, manifest.json)',
            },
            ...errors,
          },
        },
      },
      '/v1/mixes': {
        post: {
          summary: 'variations from ordered clip groups (auto seeded combinations or manual sequences)',
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
          requestBody: body(MixRequest),
          responses: {
            '202': {
              description: 'queued; read it at /v1/renders/{id} (outputs by rendition, manifest.json)',
            },
            ...errors,
          },
        },
      },
      '/v1/renders/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description:
                'the render; while QUEUED, `queue` {position, ahead, running, workers?, estimatedStartSeconds?}',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['id', 'status', 'progress'],
                    properties: {
                      id: { type: 'string' },
                      status: { type: 'string', enum: [...JOB_STATUSES] },
                      stage: { type: 'string' },
                      progress: {
                        type: 'number',
                        minimum: 0,
                        maximum: 100,
                        description: 'percent over every stage; moves with the frames while rendering',
                      },
                      renderProgress: { $ref: '#/components/schemas/RenderProgress' },
                    },
                  },
                },
              },
            },
            ...errors,
          },
        },
      },
      '/v1/validate': {
        post: {
          description:
            'The checks of a submit (schema, limits, readable sources) without starting anything; the same 400 with JSON paths.',
          parameters: [{ name: 'type', in: 'query', schema: { type: 'string', default: 'render' } }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Edit' } } },
          },
          responses: {
            '200': {
              description:
                '{ valid: true, type, sources, estimate } — estimate as a submit stores it: estimatedSeconds, plan, unknown',
            },
            ...errors,
          },
        },
      },
      '/v1/preview': {
        post: {
          description:
            'One frame of an edit at `at` seconds, drawn by the render compiler and ffmpeg and scaled to `width`; the edit gets the checks of a submit (problems at paths under `edit`).',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: z.toJSONSchema(PreviewRequest, { io: 'input' }) } },
          },
          responses: {
            '200': {
              description: '{ at, duration, width, height, contentType: "image/jpeg", image (base64) }',
            },
            '504': { description: 'the frame took longer than 20 s to draw' },
            ...errors,
          },
        },
      },
      '/v1/uploads': {
        post: {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: z.toJSONSchema(UploadRequest, { io: 'input' }) } },
          },
          responses: { '201': { description: 'a presigned PUT URL and the src to use in edits' }, ...errors },
        },
      },
      '/v1/templates': {
        post: { responses: { '201': { description: 'created' }, ...errors } },
        get: { responses: { '200': { description: 'a page of templates' }, ...errors } },
      },
      '/v1/templates/{id}': {
        get: { responses: { '200': { description: 'the template' }, ...errors } },
        put: { responses: { '200': { description: 'replaced' }, ...errors } },
        delete: { responses: { '204': { description: 'deleted' }, ...errors } },
      },
      '/v1/templates/{id}/render': {
        post: {
          responses: {
            '202': {
              description:
                'queued, as POST /v1/renders; 400 when a required merge field (no default in the template) is missing or empty',
            },
            ...errors,
          },
        },
      },
      '/v1/projects': {
        post: {
          requestBody: body(CreateProjectRequest),
          responses: { '201': { description: 'the project, with its scenes' }, ...errors },
        },
        get: {
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string', enum: [...PROJECT_STATUSES] } },
            ...['limit', 'cursor'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
          ],
          responses: { '200': { description: 'a page of projects (without scenes)' }, ...errors },
        },
      },
      '/v1/projects/{id}': {
        get: {
          responses: {
            '200': { description: 'the project, its scenes, presigned URLs of every asset, the final video' },
            ...errors,
          },
        },
        put: {
          requestBody: body(UpdateProjectRequest),
          responses: { '200': { description: 'updated (null removes a field)' }, ...errors },
        },
        delete: { responses: { '204': { description: 'deleted with its scenes' }, ...errors } },
      },
      '/v1/projects/{id}/scenes': {
        post: {
          requestBody: body(SceneInput),
          responses: { '201': { description: 'appended; the project' }, ...errors, '409': conflict },
        },
      },
      '/v1/projects/{id}/scenes/{n}': {
        put: {
          requestBody: body(SceneInput),
          responses: { '200': { description: 'scene n replaced; the project' }, ...errors, '409': conflict },
        },
        delete: { responses: { '200': { description: 'scene n removed; the project' }, ...errors } },
      },
      '/v1/projects/{id}/order': {
        put: {
          requestBody: body(ReorderRequest),
          responses: { '200': { description: 'reordered; the project' }, ...errors, '409': conflict },
        },
      },
      '/v1/projects/{id}/compose': {
        post: {
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
          requestBody: body(ComposeRequest, false),
          responses: {
            '202': { description: 'queued: the job id and links (follow it at /v1/renders/{jobId})' },
            ...errors,
            '409': { description: 'a compose of the project is still running' },
          },
        },
      },
      '/v1/projects/{id}/final-video': {
        get: {
          responses: {
            '200': { description: 'the composed video: jobId, key, url, downloadUrl (presigned, 1 hour)' },
            ...errors,
            '404': { description: 'no final video yet, and why (never composed, composing, failed)' },
          },
        },
      },
      '/v1/projects/{id}/plan': {
        post: {
          requestBody: body(PlanRequest, false),
          responses: {
            '200': {
              description:
                'scene cuts on the backing track beats: { length, tempo, beats, planner, scenes: [{ start, length, prompt, shot, proposedLength }] } (prompts written by the LLM; 429 when the AI provider budget has no room, 502 when the model fails)',
            },
            ...errors,
          },
        },
      },
      '/v1/renders/{id}/cancel': {
        post: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '202': { description: 'cancelled' },
            '409': { description: 'already ended' },
            ...errors,
          },
        },
      },
    },
  };
}

async function serveDocument(): Promise<APIGatewayProxyResult> {
  return json(200, openApiDocument());
}

export const handler = observed(serveDocument);
