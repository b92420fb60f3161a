import type { EventBridgeEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { getPlatform } from '../core/platform.js';
import { signWebhook } from '../core/webhook-signature.js';

const logger = new Logger({ serviceName: 'cutline-webhooks' });

/**
 * EventBridge rule target: delivers a job event to the job's `callback`, signed with the deployment's
 * webhook secret. A failed delivery throws, so Lambda's asynchronous retries (with backoff) and then the
 * dead-letter queue take over.
 */
export async function handler(
  event: EventBridgeEvent<string, { jobId?: string }>,
): Promise<{ delivered: boolean }> {
  const jobId = event.detail.jobId;
  const job = jobId ? await getPlatform().jobs.get(jobId) : null;
  if (!job?.callback) return { delivered: false };
  const secret = process.env.CUTLINE_WEBHOOK_SECRET;
  if (!secret) throw new Error('CUTLINE_WEBHOOK_SECRET is not set');
  const body = JSON.stringify(event);
  const res = await fetch(job.callback, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWebhook(body, secret) },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`callback ${job.callback} answered HTTP ${res.status}`);
  logger.info('delivered', { jobId, status: res.status });
  return { delivered: true };
}
