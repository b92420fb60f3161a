import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HANDLERS } from '../lambdas/core/config.js';
import { CutlineFunction } from './functions.js';

export interface ExecutionWatchProps {
  /** The machine whose failed, timed-out and aborted executions end their jobs. */
  readonly stateMachine: IStateMachine;
  readonly table: ITable;
  /** Where a drop-folder job's error file is written (drop/). */
  readonly ingest: IBucket;
  /** Where the ended job's intermediates are removed (work/). */
  readonly outputs: IBucket;
  /** Where the job's Job Failed / Job Cancelled event goes. */
  readonly bus: IEventBus;
  /** Settings of the function, by ENV names. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logGroup: ILogGroup;
}

/**
 * Ends jobs whose execution ended without them: `States.ALL` catches neither an execution timeout nor
 * `States.DataLimitExceeded` nor a failing MarkFailed, so a rule on Step Functions' own "Execution Status
 * Change" events (FAILED, TIMED_OUT, ABORTED of this state machine, on the default bus) runs
 * lambdas/triggers/execution-ended.ts, which ends the job unless it already ended.
 */
export class ExecutionWatch extends Construct {
  readonly fn: CutlineFunction;
  readonly deadLetters: Queue;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ExecutionWatchProps) {
    super(scope, id);
    this.fn = new CutlineFunction(this, 'Function', {
      entry: HANDLERS.triggers.executionEnded,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: props.environment,
      logGroup: props.logGroup,
    });
    props.table.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.bus.grantPutEventsTo(this.fn);
    props.ingest.grantPut(this.fn, 'drop/*');
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: [props.outputs.arnForObjects('work/*')],
      }),
    );
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.outputs.bucketArn],
        conditions: { StringLike: { 's3:prefix': 'work/*' } },
      }),
    );
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.rule = new Rule(this, 'Rule', {
      description: 'cutline: end the job of a render execution that failed, timed out or was aborted',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [props.stateMachine.stateMachineArn],
        },
      },
      targets: [
        new LambdaFunction(this.fn, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });
  }
}
