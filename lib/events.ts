import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The custom bus (with an archive for replay) and the webhook delivery path with its dead-letter queue. */
export class Events extends Construct {
  readonly bus: EventBus;
  readonly deadLetters: Queue;
  readonly dlqAlarm: Alarm;

  constructor(scope: Construct, id: string, props: { archiveRetentionDays: number }) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus');
    new Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      eventPattern: { source: ['cutline'] },
      retention: Duration.days(props.archiveRetentionDays),
    });
    this.deadLetters = new Queue(this, 'WebhookDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
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

  /** Job events → the webhook function (which posts to the job's callback), retried, then dead-lettered. */
  deliverWebhooks(fn: IFunction): Rule {
    // Job Progress goes to the callback of jobs that asked for it (callbackEvents: ["progress"], carried
    // in the event's detail); the function checks the job again. Progress is not retried for hours.
    new Rule(this, 'ProgressWebhookRule', {
      eventBus: this.bus,
      eventPattern: {
        source: ['cutline'],
        detailType: ['Job Progress'],
        detail: { callbackEvents: ['progress'] },
      },
      targets: [new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
    });
    return new Rule(this, 'WebhookRule', {
      eventBus: this.bus,
      eventPattern: { source: ['cutline'], detailType: ['Job Succeeded', 'Job Failed', 'Job Cancelled'] },
      targets: [
        new LambdaFunction(fn, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });
  }
}
