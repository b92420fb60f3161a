import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface MediaConvertPackagingProps {
  /** The bucket holding the finished main files (read) and their `-hls/` folders (written), under outputs/. */
  readonly outputs: IBucket;
  /** The queue jobs go to. Default: the account's `Default` queue in the stack's region. */
  readonly queueArn?: string;
}

/**
 * AWS Elemental MediaConvert for the `hls` preset: the service role MediaConvert assumes (read the main
 * file, write the HLS tree, nothing else) and what the state machine needs for `createJob.sync` — create,
 * watch and cancel jobs, pass exactly this role, and the managed EventBridge rule the integration uses
 * to learn that a job ended.
 */
export class MediaConvertPackaging extends Construct {
  readonly role: Role;
  readonly queueArn: string;

  constructor(scope: Construct, id: string, props: MediaConvertPackagingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.queueArn =
      props.queueArn ?? `arn:${stack.partition}:mediaconvert:${stack.region}:${stack.account}:queues/Default`;
    this.role = new Role(this, 'ServiceRole', {
      assumedBy: new ServicePrincipal('mediaconvert.amazonaws.com'),
      description: 'cutline: MediaConvert reads rendered outputs and writes their HLS packages',
    });
    props.outputs.grantRead(this.role, 'outputs/*');
    props.outputs.grantPut(this.role, 'outputs/*');
  }

  /** What the state machine's `mediaconvert:createJob.sync` state needs. */
  grantJobs(sm: StateMachine): void {
    const stack = Stack.of(this);
    // Step Functions' MediaConvert integration documents these on "*": MediaConvert scopes jobs only partly.
    sm.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'mediaconvert:CreateJob',
          'mediaconvert:GetJob',
          'mediaconvert:CancelJob',
          'mediaconvert:TagResource',
        ],
        resources: ['*'],
      }),
    );
    sm.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
      }),
    );
    sm.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/StepFunctionsGetEventsForMediaConvertJobRule`,
        ],
      }),
    );
  }
}
