import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DEFAULT_RETRY_SCHEDULE,
  retrySpanSeconds,
  RetrySchedule,
} from '../lambdas/core/webhooks/schedule.js';

export interface EventsProps {
  /** Days the bus archive keeps job events for replay. Default 30. */
  readonly archiveRetentionDays?: number;
  /** Webhook retries (attempts, then dead-lettered). Default: 14 attempts over about 7 hours. */
  readonly webhookRetry?: RetrySchedule;
  /** The delivery function's timeout, which bounds the queue's visibility timeout. Default 30 s. */
  readonly deliveryTimeout?: Duration;
}

/**
 * The custom bus (with an archive for replay) and the webhook delivery path: job events → a rule →
 * an SQS queue → the delivery function (partial batch responses). A failed delivery stays on the queue
 * with its visibility set to the schedule's next delay (the function does that), so retries span hours;
 * after `attempts` receives the queue moves it to the dead-letter queue, and its depth raises an alarm.
 */
export class Events extends Construct {
  readonly bus: EventBus;
  readonly webhookQueue: Queue;
  readonly deadLetters: Queue;
  readonly dlqAlarm: Alarm;
  readonly schedule: RetrySchedule;

  constructor(scope: Construct, id: string, props: EventsProps = {}) {
    super(scope, id);
    const schedule = RetrySchedule.parse(props.webhookRetry ?? DEFAULT_RETRY_SCHEDULE);
    // SQS visibility timeouts are whole seconds up to 12 h.
    if (!Number.isInteger(schedule.baseSeconds) || !Number.isInteger(schedule.maxSeconds))
      throw new Error('webhookRetry: baseSeconds and maxSeconds must be whole seconds in AWS');
    this.schedule = schedule;
    this.bus = new EventBus(this, 'Bus');
    new Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      eventPattern: { source: ['cutline'] },
      retention: Duration.days(props.archiveRetentionDays ?? 30),
    });
    this.deadLetters = new Queue(this, 'WebhookDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Kept long enough for the whole schedule plus a day's margin (SQS allows up to 14 days).
    const retention = Math.min(14 * 86_400, retrySpanSeconds(schedule) + 86_400);
    this.webhookQueue = new Queue(this, 'WebhookQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(Math.max(retention, 4 * 86_400)),
      // AWS's advice for a Lambda event source: at least six times the function's timeout.
      visibilityTimeout: Duration.seconds((props.deliveryTimeout ?? Duration.seconds(30)).toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: schedule.attempts },
    });
    this.dlqAlarm = new Alarm(this, 'WebhookDeadLettersNotEmpty', {
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'Webhook deliveries failed after every retry; see the dead-letter queue.',
    });
  }

  /** Job events → the queue → `fn`, which posts each to its job's callback (lambdas/triggers/webhook.ts). */
  deliverWebhooks(fn: IFunction): Rule {
    // Job Progress goes to the callback of jobs that asked for it (callbackEvents: ["progress"], carried
    // in the event's detail), through the same queue; the function checks the job again and gives a
    // progress event only a few short retries (lambdas/triggers/webhook.ts), never hours.
    new Rule(this, 'ProgressWebhookRule', {
      eventBus: this.bus,
      eventPattern: {
        source: ['cutline'],
        detailType: ['Job Progress'],
        detail: { callbackEvents: ['progress'] },
      },
      targets: [new SqsQueue(this.webhookQueue, { retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
    });
    const rule = new Rule(this, 'WebhookRule', {
      eventBus: this.bus,
      eventPattern: { source: ['cutline'], detailType: ['Job Succeeded', 'Job Failed', 'Job Cancelled'] },
      // EventBridge → SQS itself retried for a day, then dead-lettered too.
      targets: [
        new SqsQueue(this.webhookQueue, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });
    // grantConsumeMessages (by the event source) includes ChangeMessageVisibility, which the backoff uses.
    fn.addEventSource(
      new SqsEventSource(this.webhookQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );
    return rule;
  }
}
