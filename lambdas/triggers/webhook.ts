import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { getPlatform } from '../core/platform.js';
import { logger, observed, tracer } from '../core/observability.js';
import { attemptDelivery, type AttemptOptions } from '../core/webhooks/deliver.js';
import { webhookSecrets } from '../core/webhooks/index.js';
import { retryDelaySeconds, retryScheduleFromEnv, type RetrySchedule } from '../core/webhooks/schedule.js';
import type { EventEnvelope } from '../core/webhooks/signature.js';
import { webhookPolicyFromEnv } from '../core/webhooks/target.js';
import { wantsCallback } from '../core/jobs/model.js';

/** What became of one queued event. */
export type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'skipped'; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'retry'; reason: string; delaySeconds: number }
  | { kind: 'dead-letter'; reason: string };

/** Tries for a Job Progress event (30 s and 1 min apart on the default schedule). */
export const PROGRESS_ATTEMPTS = 3;

export interface WebhookDeps {
  /** The job's callback and tenant when it wants this event type; undefined: nothing to deliver. */
  callbackFor(jobId: string, detailType: string): Promise<{ url: string; tenantId: string } | undefined>;
  secretsFor(tenantId: string): Promise<string[]>;
  attempt: AttemptOptions;
  schedule: RetrySchedule;
}

/**
 * One attempt for one event (the `receiveCount`-th). Pure apart from the delivery: the caller turns
 * `retry` into a visibility change and `dead-letter` into leaving the message to the queue's redrive.
 */
export async function deliverEvent(
  envelope: EventEnvelope<{ jobId?: string }>,
  receiveCount: number,
  deps: WebhookDeps,
): Promise<Outcome> {
  const jobId = envelope.detail?.jobId;
  if (!jobId) return { kind: 'skipped', reason: 'event without a jobId' };
  const target = await deps.callbackFor(jobId, envelope['detail-type']);
  if (!target) return { kind: 'skipped', reason: 'no callback' };
  const secrets = await deps.secretsFor(target.tenantId);
  const r = await attemptDelivery(target.url, envelope, secrets, deps.attempt);
  if (r.ok) return { kind: 'delivered', status: r.status };
  if (!r.retry) return { kind: 'refused', reason: r.reason };
  // Progress is stale in minutes: a few short retries, then dropped, never dead-lettered.
  if (envelope['detail-type'] === 'Job Progress' && receiveCount >= PROGRESS_ATTEMPTS)
    return { kind: 'skipped', reason: `progress not delivered after ${receiveCount} attempts: ${r.reason}` };
  if (receiveCount >= deps.schedule.attempts) return { kind: 'dead-letter', reason: r.reason };
  return {
    kind: 'retry',
    reason: r.reason,
    delaySeconds: Math.round(retryDelaySeconds(receiveCount, deps.schedule)),
  };
}

const envDeps = (): WebhookDeps => ({
  callbackFor: async (jobId, detailType) => {
    const job = await getPlatform().jobs.get(jobId);
    return job?.callback && wantsCallback(job, detailType)
      ? { url: job.callback, tenantId: job.tenantId }
      : undefined;
  },
  secretsFor: (tenantId) => webhookSecrets().signing(tenantId),
  attempt: { policy: webhookPolicyFromEnv() },
  schedule: retryScheduleFromEnv(),
});

let sqs: SQSClient | undefined;
const queueUrlOf = (arn: string): string => {
  // arn:aws:sqs:<region>:<account>:<name> → https://sqs.<region>.amazonaws.com/<account>/<name>
  const [, partition, , region, account, name] = arn.split(':');
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
};

async function handle(record: SQSRecord, deps: WebhookDeps): Promise<boolean> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  let envelope: EventEnvelope<{ jobId?: string }>;
  try {
    envelope = JSON.parse(record.body) as EventEnvelope<{ jobId?: string }>;
  } catch {
    logger.error('queued message is not an event; dropped', { messageId: record.messageId });
    return true;
  }
  const outcome = await deliverEvent(envelope, receiveCount, deps);
  const ctx = { jobId: envelope.detail?.jobId, eventId: envelope.id, attempt: receiveCount, ...outcome };
  switch (outcome.kind) {
    case 'delivered':
    case 'skipped':
      logger.info(`webhook ${outcome.kind}`, ctx);
      return true;
    case 'refused':
      // No retry can fix a refused target: recorded, not retried, not dead-lettered.
      logger.error('webhook target refused', ctx);
      return true;
    case 'dead-letter':
      // Failing the message once more makes SQS move it to the dead-letter queue (maxReceiveCount).
      logger.error('webhook failed on its last attempt; the queue dead-letters it', ctx);
      return false;
    case 'retry':
      logger.warn('webhook failed; retrying later', ctx);
      sqs ??= tracer.captureAWSv3Client(new SQSClient({}));
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrlOf(record.eventSourceARN),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: outcome.delaySeconds,
        }),
      );
      return false;
  }
}

/**
 * The delivery Lambda behind the webhook queue (lib/events.ts: rule → SQS → this function, with partial
 * batch responses). Each message is one event; a failed delivery stays on the queue with its visibility
 * set to the schedule's delay, so retries span hours, and after the schedule's attempts the queue's
 * redrive moves it to the dead-letter queue, whose depth raises an alarm. Each tenant's events are signed
 * with that tenant's secret(s) (webhooks/secrets.ts).
 */
export async function processBatch(event: SQSEvent, deps: WebhookDeps): Promise<SQSBatchResponse> {
  // All at once: a batch of 10 slow receivers (10 s each) must fit the function's 30 s, not take 100 s.
  const records = event.Records ?? [];
  const done = await Promise.all(
    records.map((record) =>
      handle(record, deps).catch((err: unknown) => {
        logger.warn('webhook delivery errored; the message returns to the queue', {
          messageId: record.messageId,
          error: (err as Error).message,
        });
        return false;
      }),
    ),
  );
  return {
    batchItemFailures: records
      .filter((_, i) => !done[i])
      .map((record) => ({ itemIdentifier: record.messageId })),
  };
}

// Lambda passes (event, context): the dependencies are built here, never taken from the second argument.
export const handler = observed((event: SQSEvent): Promise<SQSBatchResponse> =>
  processBatch(event, envDeps()),
);
