import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../../lambdas/pipeline/mark-failed.js';
import { openApiDocument } from '../../../lambdas/api/openapi.js';

describe('MarkFailed', () => {
  it('names the code and message from a Lambda error cause', () => {
    // A CutlineError's name is its code; Lambda puts it in Error and the message in Cause's JSON.
    const cause = JSON.stringify({
      errorType: 'SOURCE_NOT_FOUND',
      errorMessage: 'timeline.tracks[0].clips[0].asset.src: source not found: a.mp4',
    });
    expect(describeFailure({ Error: 'SOURCE_NOT_FOUND', Cause: cause })).toEqual({
      code: 'SOURCE_NOT_FOUND',
      message: 'timeline.tracks[0].clips[0].asset.src: source not found: a.mp4',
    });
    expect(describeFailure({ Error: 'Error', Cause: 'boom' })).toEqual({
      code: 'RENDER_FAILED',
      message: 'boom',
    });
    expect(describeFailure({ Error: 'States.Timeout', Cause: 'took too long' }).code).toBe('TIMEOUT');
    expect(describeFailure({ Error: 'JobEnded', Cause: 'job x already ended CANCELLED' }).code).toBe(
      'CANCELLED',
    );
    expect(describeFailure(undefined).code).toBe('RENDER_FAILED');
    // A storage or SDK error keeps its name and says which stage it broke.
    expect(
      describeFailure({ Error: 'InternalError', Cause: 'We encountered an internal error.' }, 'stitching'),
    ).toEqual({
      code: 'RENDER_FAILED',
      message: 'failed while stitching: InternalError: We encountered an internal error.',
    });
  });
});

describe('OpenAPI', () => {
  it('is generated from the zod schema: the Edit schema is strict and names its fields', () => {
    const doc = openApiDocument() as {
      components: {
        schemas: { Edit: { properties: Record<string, unknown>; additionalProperties: boolean } };
      };
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.components.schemas.Edit.properties)).toEqual(
      expect.arrayContaining(['timeline', 'output', 'merge', 'callback']),
    );
    expect(doc.components.schemas.Edit.additionalProperties).toBe(false);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/v1/health',
        '/v1/renders',
        '/v1/renders/{id}',
        '/v1/renders/{id}/cancel',
        '/v1/templates',
        '/v1/templates/{id}',
        '/v1/templates/{id}/render',
        '/v1/uploads',
        '/v1/projects',
        '/v1/projects/{id}',
        '/v1/projects/{id}/scenes',
        '/v1/projects/{id}/scenes/{n}',
        '/v1/projects/{id}/order',
        '/v1/projects/{id}/compose',
        '/v1/projects/{id}/final-video',
        '/v1/projects/{id}/plan',
        '/v1/clips',
        '/v1/mixes',
        '/v1/validate',
        '/v1/preview',
        '/v1/usage',
        '/v1/metrics',
        '/v1/webhooks/secret',
        '/v1/webhooks/secret/rotate',
      ].sort(),
    );
  });
});
