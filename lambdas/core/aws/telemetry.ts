import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools tracer and metrics, set up once. Outside Lambda the tracer is a no-op; the local platform
 * turns metrics off (POWERTOOLS_METRICS_DISABLED) so they do not flood its console.
 */
export const tracer = new Tracer({ serviceName: 'cutline' });
export const metrics = new Metrics({ namespace: 'Cutline', serviceName: 'cutline' });

/** Counts a finished job by status (the dashboard's "jobs by status") and records its render time. */
export function recordJobEnd(status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', seconds?: number): void {
  metrics.addMetric(`Jobs${status[0]}${status.slice(1).toLowerCase()}`, MetricUnit.Count, 1);
  if (seconds !== undefined) metrics.addMetric('RenderSeconds', MetricUnit.Seconds, seconds);
  metrics.publishStoredMetrics();
}
