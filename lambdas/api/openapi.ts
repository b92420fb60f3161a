import { z } from 'zod';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { Edit } from '../core/edit/schema.js';
import { json } from './http.js';
import { UploadRequest } from './uploads.js';

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
      schemas: { Edit: z.toJSONSchema(Edit, { target: 'draft-2020-12', io: 'input' }), Error: error },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/v1/health': { get: { security: [], responses: { '200': { description: 'ok' } } } },
      '/v1/renders': {
        post: {
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Edit' } } },
          },
          responses: {
            '202': { description: 'queued' },
            ...errors,
            '413': { description: 'body too large' },
          },
        },
        get: {
          parameters: ['status', 'limit', 'cursor'].map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: { '200': { description: 'a page of renders' }, ...errors },
        },
      },
      '/v1/renders/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'the render' }, ...errors },
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
          responses: { '200': { description: '{ valid: true, type, sources }' }, ...errors },
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
        post: { responses: { '202': { description: 'queued, as POST /v1/renders' }, ...errors } },
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

export async function handler(): Promise<APIGatewayProxyResult> {
  return json(200, openApiDocument());
}
