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
} from 'aws-cdk-lib/aws-cloudwatch';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** One dashboard (jobs by status, render duration, errors, queue depth) and the alarms that page. */
export class Observability extends Construct {
  readonly alarms: IAlarm[];

  constructor(
    scope: Construct,
    id: string,
    props: { stateMachine: StateMachine; api: RestApi; extraAlarms: IAlarm[] },
  ) {
    super(scope, id);
    const sm = props.stateMachine;
    const failed = new Alarm(this, 'FailedExecutions', {
      metric: sm.metricFailed({ period: Duration.minutes(5) }),
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: '5 or more render executions failed in 5 minutes.',
    });
    const api5xx = new Alarm(this, 'Api5xx', {
      metric: props.api.metricServerError({ period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'The API answered 5xx: a platform fault, never a client mistake.',
    });
    this.alarms = [failed, api5xx, ...props.extraAlarms];
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
}
