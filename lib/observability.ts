import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  TreatMissingData,
  type IAlarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface ObservabilityProps {
  readonly stateMachine: IStateMachine;
  readonly api: RestApi;
  /** Every function of the platform: each gets an errors and a throttles alarm. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Dead-letter queues: any message in one pages. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Alarms made elsewhere (e.g. lib/events.ts); they get the topic as action too. */
  readonly extraAlarms: readonly IAlarm[];
  /** Subscribed by email to the alarm topic (the address must confirm the subscription). */
  readonly alarmEmail?: string;
  /** API p95 latency that pages, in ms. Default 5000 (long-polls with ?wait= count too). */
  readonly apiP95LatencyMs?: number;
}

/**
 * One dashboard (jobs by status, render duration, errors, queue depth) and the alarms that page: every
 * alarm sends to one SNS topic (`alarmTopic`; `alarmEmail` subscribes an address), so none fires unheard.
 */
export class Observability extends Construct {
  readonly alarms: IAlarm[] = [];
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'cutline alarms', enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const sm = props.stateMachine;
    const five = Duration.minutes(5);
    const page = (name: string, metric: IMetric, threshold: number, description: string, periods = 1) =>
      this.addAlarm(
        new Alarm(this, name, {
          metric,
          threshold,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: periods,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: description,
        }),
      );
    page(
      'FailedExecutions',
      sm.metricFailed({ period: five }),
      5,
      '5 or more render executions failed in 5 minutes.',
    );
    page(
      'TimedOutExecutions',
      sm.metricTimedOut({ period: five }),
      1,
      'A render execution ran past the state machine timeout.',
    );
    page(
      'Api5xx',
      props.api.metricServerError({ period: five }),
      1,
      'The API answered 5xx: a platform fault, never a client mistake.',
    );
    const latencyMs = props.apiP95LatencyMs ?? 5000;
    page(
      'ApiLatencyP95',
      props.api.metricLatency({ period: five, statistic: 'p95' }),
      latencyMs,
      `API p95 latency at or above ${latencyMs} ms for 15 minutes.`,
      3,
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      page(`${name}Errors`, fn.metricErrors({ period: five }), 1, `The ${name} function raised errors.`);
      page(
        `${name}Throttles`,
        fn.metricThrottles({ period: five }),
        1,
        `The ${name} function was throttled.`,
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues))
      page(
        `${name}NotEmpty`,
        queue.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
        1,
        `The ${name} dead-letter queue holds messages: deliveries failed after every retry.`,
      );
    for (const alarm of props.extraAlarms) this.addAlarm(alarm);
    const running = new Metric({
      namespace: 'AWS/States',
      metricName: 'ExecutionsStarted',
      dimensionsMap: { StateMachineArn: sm.stateMachineArn },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new GraphWidget({
            title: 'Jobs by outcome',
            left: ['JobsSucceeded', 'JobsFailed'].map(
              (name) =>
                new Metric({
                  namespace: 'Cutline',
                  metricName: name,
                  dimensionsMap: { service: 'cutline' },
                  statistic: 'Sum',
                }),
            ),
            right: [sm.metricAborted(), sm.metricTimedOut()],
          }),
          new GraphWidget({
            title: 'Render duration (execution time)',
            left: [sm.metricTime({ statistic: 'p50' }), sm.metricTime({ statistic: 'p95' })],
          }),
        ],
        [
          new GraphWidget({
            title: 'API errors',
            left: [props.api.metricClientError(), props.api.metricServerError()],
          }),
          new GraphWidget({
            title: 'Queue depth (executions started)',
            left: [running, sm.metricThrottled()],
          }),
        ],
      ],
    });
  }

  /** Sends an alarm to the alarm topic (and lists it); for alarms other parts make. */
  addAlarm<T extends IAlarm>(alarm: T): T {
    if (alarm instanceof Alarm) alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
    return alarm;
  }
}
