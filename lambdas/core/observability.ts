import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { SERVICE_NAME, setting } from './config.js';

/**
 * Logs, metrics and traces, set up once for every handler and pipeline task, under one service name.
 * `observed` wraps a handler in the middlewares that put the invocation's request id on every log line,
 * trace the invocation (a no-op outside Lambda) and flush the metrics it recorded.
 */
export const logger = new Logger({ serviceName: SERVICE_NAME });
export const tracer = new Tracer({ serviceName: SERVICE_NAME });
// Its own warnings go through the logger (levelled, with the request id), not straight to stdout.
export const metrics = new Metrics({ namespace: 'Cutline', serviceName: SERVICE_NAME, logger });

type Line = { log: (line: string) => void };
const stdoutSink = (metrics as unknown as { console: Line }).console;
/**
 * Where EMF lines go: standard output in AWS (CloudWatch reads them there); locally the file
 * ENV.METRICS_FILE names, so they never land mid-way through the terminal output of `npm start`. Read at
 * each flush: the local platform sets it after this module is loaded.
 */
function routeMetrics(): void {
  const file = setting('METRICS_FILE');
  (metrics as unknown as { console: Line }).console = file
    ? { log: (line) => appendFileSync(file, `${line}\n`) }
    : stdoutSink;
}

/** Writes the stored metrics (EMF), if any: an invocation that recorded none writes nothing. */
export function publishMetrics(): void {
  if (!metrics.hasStoredMetrics()) return;
  routeMetrics();
  metrics.publishStoredMetrics();
}

/** Counts a finished job by status (the dashboard's "jobs by status") and records its render time. */
export function recordJobEnd(status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', seconds?: number): void {
  metrics.addMetric(`Jobs${status[0]}${status.slice(1).toLowerCase()}`, MetricUnit.Count, 1);
  if (seconds !== undefined) metrics.addMetric('RenderSeconds', MetricUnit.Seconds, seconds);
  publishMetrics();
}

// Powertools' logMetrics middleware warns on every invocation that recorded no metric; this one is quiet.
const flushMetrics = (): middy.MiddlewareObj => ({
  after: () => publishMetrics(),
  onError: () => publishMetrics(),
});

/** Lambda always passes a context; the local runtime and tests may not: give the invocation an id. */
const invocationContext = (): Context => ({ awsRequestId: randomUUID() }) as Context;

/**
 * `handler` with the observability middlewares first, then `extra` (e.g. the HTTP error mapping). The
 * context is optional so the local runtime and tests can call it with the event alone.
 */
export function observed<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  ...extra: middy.MiddlewareObj<E, R>[]
): (event: E, context?: Context) => Promise<R> {
  // No early timeout: the function's own timeout ends it, so Step Functions sees States.Timeout (and API
  // Gateway its 29 s limit) as before, not a TimeoutError middy throws 5 ms ahead.
  const chain = middy<E, R>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }) as middy.MiddlewareObj<E, R>)
    // Responses may carry presigned URLs and big state documents: traces keep timings, not payloads.
    .use(captureLambdaHandler(tracer, { captureResponse: false }) as middy.MiddlewareObj<E, R>)
    .use(flushMetrics() as middy.MiddlewareObj<E, R>);
  for (const m of extra) chain.use(m);
  const wrapped = chain.handler(handler);
  return (event, context) => wrapped(event, context ?? invocationContext());
}
