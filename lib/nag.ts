import { Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { WebConsole } from './console.js';
import type { CutlineStack } from './cutline-stack.js';

const ack = (scope: IConstruct, rule: string, reason: string) =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });

/**
 * Acknowledged cdk-nag (AWS Solutions) findings, each with why it is acceptable, scoped to the part of the
 * platform it concerns. Anything not listed here fails `cdk synth`.
 */
export function applyNagSuppressions(stack: Stack): void {
  const p = (stack as CutlineStack).platform;
  const arn = (c: IConstruct) => `<${stack.getLogicalId(c.node.defaultChild as CfnElement)}.Arn>`;

  ack(
    p,
    'L1',
    'The platform targets the nodejs22.x runtime on purpose (its issue fixes it); upgrading is a deliberate change.',
  );
  for (const policy of ['AWSLambdaBasicExecutionRole', 'AmazonAPIGatewayPushToCloudWatchLogs']) {
    // The S3 notifications helper function lives at stack level, hence the stack scope.
    ack(
      stack,
      `IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
      `${policy} only allows writing logs; it is the standard way to grant it.`,
    );
  }
  const wildcards: Array<[string, string]> = [
    ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map(
      (a) =>
        [`Action::${a}`, `${a} comes from CDK bucket grants limited to this stack’s buckets.`] as [
          string,
          string,
        ],
    ),
    [
      'Resource::*',
      'X-Ray segments, log delivery, ECS DescribeTasks/StopTask (conditioned on the cluster), MediaConvert jobs (as Step Functions documents for createJob.sync), Polly SynthesizeSpeech and Rekognition Video Start/GetFaceDetection can only be granted on "*".',
    ],
    [
      `Resource::${arn(p.state.table)}/index/*`,
      'Queries use the table’s own GSIs (jobs by tenant and by status).',
    ],
    [
      `Resource::${arn(p.storage.ingest)}/*`,
      'Objects of the platform’s own ingest bucket (inputs/ and drop/).',
    ],
    [
      `Resource::${arn(p.storage.ingest)}/inputs/*`,
      'Generated scene media (voice-overs) is written under the tenants’ inputs/ prefix only.',
    ],
    [
      `Resource::${arn(p.storage.outputs)}/outputs/*`,
      'MediaConvert’s service role reads rendered main files and writes their HLS packages under outputs/ only.',
    ],
    [
      `Resource::${arn(p.storage.outputs)}/*`,
      'Objects of the platform’s own outputs bucket (outputs/ and work/).',
    ],
    [
      `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:cutline/webhook/${stack.stackName}/*`,
      'Tenant webhook secrets are created on first use, one per tenant, so the grant is their name prefix.',
    ],
    [
      `Resource::${arn(p.storage.ingest)}/drop/*`,
      'A drop-folder job’s failure is written beside its input, under the drop/ prefix only.',
    ],
    [
      `Resource::${arn(p.storage.outputs)}/work/*`,
      'Intermediates of a job live under work/<jobId>/ (the job id is only known at run time), among them the Plan step’s rendition manifest the Distributed Map reads.',
    ],
    [
      `Resource::${arn(p.storage.outputs)}/outputs/*`,
      'Results live under outputs/<tenant>/<jobId>/; tenant and job are only known at run time.',
    ],
    [
      `Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(p.pipeline.stateMachine.node.defaultChild as CfnElement)}"}]}]}:*`,
      'Cancel stops executions of the platform’s own state machine; StopExecution is authorized per execution.',
    ],
    [
      `Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${p.pipeline.stateMachineName}/*`,
      'Distributed Map child executions of this very state machine, named by their map run.',
    ],
    ...Object.values(p.pipeline.functions).map(
      (fn) =>
        [`Resource::${arn(fn)}:*`, 'The state machine invokes its own task functions (any version).'] as [
          string,
          string,
        ],
    ),
  ];
  // ai.generation: Bedrock names an async invocation when it starts, and GetAsyncInvoke authorizes per
  // invocation, so the poll's grant is the account's invocations (acknowledged whether or not enabled).
  wildcards.push([
    'Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:async-invoke/*',
    'Nova Reel invocations are named by Bedrock at StartAsyncInvoke; the prepare items poll them with GetAsyncInvoke, authorized per invocation ARN.',
  ]);
  for (const b of p.destinationBuckets)
    wildcards.push([
      `Resource::arn:<AWS::Partition>:s3:::${b}/*`,
      'An output.destinations bucket the deployer allowed (destinationBuckets): Finalize writes job files under any key of it, named by the edit.',
    ]);
  for (const [finding, reason] of wildcards) ack(p, `IAM5[${finding}]`, reason);
  ack(
    p.events.deadLetters,
    'SQS3',
    'This queue is itself the dead-letter queue of the webhook delivery target.',
  );
  ack(
    p.executionWatch.deadLetters,
    'SQS3',
    'This queue is itself the dead-letter queue of the execution-status rule’s target.',
  );
  ack(
    p,
    'ECS2',
    'The render task’s environment holds only resource names (table, buckets, bus), no secrets.',
  );
  ack(
    p.api,
    'APIG3',
    'API keys with usage-plan throttling and quotas guard the API; WAF is optional and can be attached by the deployer.',
  );
  ack(
    p.api,
    'APIG4',
    'Callers authenticate with per-tenant API keys (usage plans), the product’s auth model; /v1/health is public on purpose.',
  );
  if (p.webConsole) acknowledgeConsole(stack, p.webConsole);
  ack(p.api, 'COG4', 'The API uses API keys, not Cognito user pools: clients are servers, not end users.');
}

/** The web console's acknowledged findings (lib/console.ts), when it is deployed. */
export function acknowledgeConsole(stack: Stack, web: WebConsole): void {
  ack(
    web,
    'CFR1',
    'The console is static files with nothing private in them; every request for data goes to the API, which checks API keys.',
  );
  ack(
    web,
    'CFR2',
    'The distribution serves only static files; the API behind it is throttled per key, and a deployer may attach a WAF web ACL.',
  );
  ack(
    web,
    'CFR4',
    'With the default *.cloudfront.net certificate CloudFront cannot pin the TLS version; deployers with a custom domain set a certificate and TLSv1.2_2021.',
  );
  // BucketDeployment's handler is a singleton function at stack level, with CDK's own grants.
  const deployer = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!deployer) return;
  const reasons: Array<[string, string]> = [
    [
      'L1',
      'The BucketDeployment handler’s runtime is chosen by the aws-cdk-lib version; it runs only at deploy time.',
    ],
    [
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AWSLambdaBasicExecutionRole only allows writing logs; it is the standard way to grant it.',
    ],
    ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map(
      (a) =>
        [
          `IAM5[Action::${a}]`,
          `${a} comes from BucketDeployment's grants on the console bucket and the CDK asset bucket only.`,
        ] as [string, string],
    ),
    [
      'IAM5[Resource::*]',
      'CloudFront CreateInvalidation/GetInvalidation, granted by BucketDeployment, take no resource narrower than "*".',
    ],
    [
      `IAM5[Resource::<${stack.getLogicalId(web.bucket.node.defaultChild as CfnElement)}.Arn>/*]`,
      'The deployment writes the console’s own files into its own bucket.',
    ],
    [
      'IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      'The deployment reads the console’s asset zip from the CDK bootstrap asset bucket.',
    ],
  ];
  for (const [finding, reason] of reasons) ack(deployer, finding, reason);
}
