import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, Context, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HANDLERS } from '../../../lambdas/core/config.js';
import { logger } from '../../../lambdas/core/observability.js';

// Development mode: the logger writes through the global console (which the test can watch), one call
// per log record, instead of a Console bound to stdout at construction.
vi.hoisted(() => {
  process.env.POWERTOOLS_DEV = 'true';
});

const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
});

const lambdaContext = (awsRequestId: string): Context =>
  ({
    awsRequestId,
    functionName: 'cutline-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cutline-test',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/cutline-test',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/** Every log record written while `run` runs. */
async function logLines(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  const spies = (['debug', 'info', 'warn', 'error', 'log'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((line: unknown) => void written.push(String(line))),
  );
  try {
    await run().catch(() => undefined);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('every log line carries the request id', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an API handler: the unhandled error it logs, under its invocation’s id', async () => {
    // No table configured: the route fails inside, and the error mapping logs it before answering 500.
    delete process.env.CUTLINE_TABLE_NAME;
    const { handler } = await import('../../../lambdas/api/renders.js');
    let status = 0;
    const lines = await logLines(async () => {
      const res = await handler(
        {
          httpMethod: 'GET',
          resource: '/v1/renders/{id}',
          path: '/v1/renders/x',
          pathParameters: { id: 'x' },
          headers: {},
          requestContext: { identity: { apiKeyId: 'tenant-a' } },
          body: null,
        } as unknown as APIGatewayProxyEvent,
        lambdaContext('req-api-1'),
      );
      status = res.statusCode;
    });
    expect(status).toBe(500);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.function_request_id).toBe('req-api-1');
      expect(line.service).toBe('cutline');
    }
  });

  it('a trigger: each line of a batch, and the next invocation’s lines under the next id', async () => {
    process.env.CUTLINE_WEBHOOK_SECRETS_DIR = mkdtempSync(join(tmpdir(), 'cutline-obs-'));
    const { handler } = await import('../../../lambdas/triggers/webhook.js');
    const batch = (ids: string[]) =>
      ({
        Records: ids.map((id) => ({ messageId: id, body: 'not an event', attributes: {} })),
      }) as unknown as SQSEvent;
    const first = await logLines(() => handler(batch(['m1', 'm2']), lambdaContext('req-hook-1')));
    const second = await logLines(() => handler(batch(['m3']), lambdaContext('req-hook-2')));
    expect(first.map((l) => l.messageId)).toEqual(['m1', 'm2']);
    expect(first.every((l) => l.function_request_id === 'req-hook-1')).toBe(true);
    expect(second.map((l) => [l.messageId, l.function_request_id])).toEqual([['m3', 'req-hook-2']]);
  });

  it('a handler called without a context (the local runtime, tests) still logs under an id of its own', async () => {
    const { handler } = await import('../../../lambdas/triggers/webhook.js');
    const lines = await logLines(() =>
      handler({ Records: [{ messageId: 'm4', body: '', attributes: {} }] } as unknown as SQSEvent),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]!.function_request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  // The observability middleware runs first in every handler: it hands the logger the Lambda context.
  // Stopping there (the spy throws) proves it is on each entry without running any handler's body.
  const entries = [
    ...Object.values(HANDLERS.api),
    ...Object.values(HANDLERS.pipeline),
    ...Object.values(HANDLERS.triggers),
  ];
  it.each(entries)('%s gives the logger its invocation context', async (entry) => {
    const mod = (await import(`../../../${entry}`)) as {
      handler: (event: unknown, context: Context) => Promise<unknown>;
    };
    const seen: string[] = [];
    vi.spyOn(logger, 'addContext').mockImplementation((context) => {
      seen.push((context as Context).awsRequestId);
      throw new Error('stopped before the handler ran');
    });
    await logLines(() => mod.handler({}, lambdaContext(`req-${entry}`)));
    expect(seen).toEqual([`req-${entry}`]);
  });
});
