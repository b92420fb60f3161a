import { basename } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { RecordedCall } from '../../lambdas/core/aws/call-recorder.js';
import { CutlineStack } from '../../lib/cutline-stack.js';
import { HANDLER_METADATA } from '../../lib/functions.js';
import { LOCAL_BUCKETS } from '../../local/platform.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, STATE_MACHINE_ARN } from '../../local/stepfunctions.js';

/**
 * The IAM simulation: the AWS calls each function made on the local platform (aws/call-recorder.ts),
 * evaluated with @cloud-copilot/iam-simulate against that function's policies in the synthesized
 * template. The template's resources are given the names the local platform uses (table `cutline`,
 * buckets `cutline-ingest`/`cutline-outputs`, the state machine `cutline-render`, bus `cutline`), so a
 * recorded call's resource is the ARN it would have in AWS.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface Resources {
  [logicalId: string]: { Type: string; Properties?: Json; Metadata?: Json };
}

/** The stack as `cdk synth` makes it, without bundling (the policies do not depend on the bundles). */
export function synthesizedTemplate(
  extra: Partial<NonNullable<ConstructorParameters<typeof CutlineStack>[2]>['platform']> = {},
): Json {
  const app = new App({ context: { allowMissingFfmpegLayer: true, 'aws:cdk:bundling-stacks': [] } });
  // Configured as the local platform runs: MediaConvert packaging enabled (its local adapter), and the
  // output.destinations bucket iam.test.ts sends to.
  const stack = new CutlineStack(app, 'Iam', {
    env: { account: ACCOUNT, region: REGION },
    platform: { mediaConvert: true, destinationBuckets: ['cutline-test-destination'], ...extra },
  });
  return Template.fromStack(stack).toJSON();
}

const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
const SM_NAME = STATE_MACHINE_ARN.slice(STATE_MACHINE_ARN.lastIndexOf(':') + 1);

function bucketName(id: string): string {
  if (/Ingest/.test(id)) return LOCAL_BUCKETS.ingest;
  if (/Outputs/.test(id)) return LOCAL_BUCKETS.outputs;
  return `bucket-${id.toLowerCase()}`;
}

/** Ref and Fn::GetAtt of a resource, named as the local platform names it. */
function attribute(resources: Resources, id: string, attr: 'Ref' | string): string {
  const type = resources[id]?.Type;
  switch (type) {
    case 'AWS::DynamoDB::Table':
      return attr === 'Ref' ? LOCAL_BUCKETS.table : arn('dynamodb', `table/${LOCAL_BUCKETS.table}`);
    case 'AWS::S3::Bucket':
      return attr === 'Ref' || attr === 'BucketName' ? bucketName(id) : `arn:aws:s3:::${bucketName(id)}`;
    case 'AWS::StepFunctions::StateMachine':
      return attr === 'Name' ? SM_NAME : arn('states', `stateMachine:${SM_NAME}`);
    case 'AWS::Events::EventBus':
      return attr === 'Arn' ? arn('events', 'event-bus/cutline') : 'cutline';
    case 'AWS::IAM::Role':
      return attr === 'Ref' ? id : `arn:aws:iam::${ACCOUNT}:role/${id}`;
    case 'AWS::Lambda::Function': {
      // Named as the local ASL runner names its task functions: cutline-<entry file name>.
      const entry = resources[id]?.Metadata?.[HANDLER_METADATA] as string | undefined;
      const name = entry ? `cutline-${basename(entry, '.ts')}` : id;
      return attr === 'Ref' ? name : arn('lambda', `function:${name}`);
    }
    case 'AWS::ECS::TaskDefinition':
      return arn('ecs', 'task-definition/cutline-render:1');
    case 'AWS::ECS::Cluster':
      return attr === 'Ref' ? 'cutline' : arn('ecs', 'cluster/cutline');
    default:
      return attr === 'Ref' ? id : arn('cloudformation', `${type}/${id}/${attr}`);
  }
}

/** Evaluates the intrinsic functions CDK writes into policies. */
export function resolve(value: Json, resources: Resources): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, resources));
  if (!value || typeof value !== 'object') return value;
  const [key] = Object.keys(value);
  const arg = value[key!];
  switch (key) {
    case 'Ref':
      return (
        (
          {
            'AWS::Region': REGION,
            'AWS::AccountId': ACCOUNT,
            'AWS::Partition': 'aws',
            'AWS::URLSuffix': 'amazonaws.com',
            'AWS::StackName': 'Iam',
          } as Record<string, string>
        )[arg] ?? attribute(resources, arg, 'Ref')
      );
    case 'Fn::GetAtt':
      return attribute(resources, arg[0], arg[1]);
    case 'Fn::Join':
      return (resolve(arg[1], resources) as string[]).join(arg[0]);
    case 'Fn::Split':
      return String(resolve(arg[1], resources)).split(arg[0]);
    case 'Fn::Select':
      return (resolve(arg[1], resources) as string[])[Number(arg[0])];
    default:
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, resources)]));
  }
}

export interface Principal {
  roleArn: string;
  policies: Array<{ name: string; policy: Json }>;
}

/** The role and inline policies of the function running `entry` (or of the Fargate task). */
export function principalFor(template: Json, entry: string): Principal {
  const resources = template.Resources as Resources;
  let role: string | undefined;
  if (entry === 'statemachine') {
    const sm = Object.values(resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine')!;
    role = sm.Properties.RoleArn['Fn::GetAtt'][0];
  } else if (entry === 'containers/render/main.ts') {
    const task = Object.values(resources).find((r) => r.Type === 'AWS::ECS::TaskDefinition')!;
    role = task.Properties.TaskRoleArn['Fn::GetAtt'][0];
  } else {
    const fn = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[HANDLER_METADATA] === entry,
    );
    if (!fn) throw new Error(`no function in the template runs ${entry}`);
    role = fn.Properties.Role['Fn::GetAtt'][0];
  }
  const policies = Object.entries(resources)
    .filter(
      ([, r]) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as Json[]).some((x) => x.Ref === role),
    )
    .map(([id, r]) => ({ name: id, policy: resolve(r.Properties.PolicyDocument, resources) }));
  return { roleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, policies };
}

/** Bucket policies by bucket name (the TLS-only denies apply to every S3 call). */
export function bucketPolicies(template: Json): Map<string, Json> {
  const resources = template.Resources as Resources;
  const out = new Map<string, Json>();
  for (const r of Object.values(resources))
    if (r.Type === 'AWS::S3::BucketPolicy')
      out.set(resolve(r.Properties.Bucket, resources), resolve(r.Properties.PolicyDocument, resources));
  return out;
}

export interface IamRequest {
  action: string;
  resource: string;
  context: Record<string, string>;
  bucket?: string;
}

const toAws = (a: string) => a.replace(`:${LOCAL_REGION}:${LOCAL_ACCOUNT}:`, `:${REGION}:${ACCOUNT}:`);
const s3Object = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** The IAM actions and resources AWS authorizes a recorded call against (Service Authorization Reference). */
export function iamRequests(call: RecordedCall, template?: Json): IamRequest[] {
  const i = call.input as Record<string, string> & { DeleteKeys?: string[]; EventBusNames?: string[] };
  const cmd = call.command.replace(/Command$/, '');
  const s3 = (action: string, key = i.Key!, bucket = i.Bucket!) => ({
    action: `s3:${action}`,
    resource: s3Object(bucket, key),
    context: {},
    bucket,
  });
  switch (call.service) {
    // Bedrock Runtime: InvokeModel, and StartAsyncInvoke (authorized as bedrock:InvokeModel, and Bedrock
    // writes the output with the caller's own s3:PutObject), on the foundation model; GetAsyncInvoke on
    // the invocation.
    case 'bedrock': {
      const model = `arn:aws:bedrock:${REGION}::foundation-model/${i.modelId}`;
      if (cmd === 'InvokeModel' || cmd === 'Converse')
        return [{ action: 'bedrock:InvokeModel', resource: model, context: {} }];
      if (cmd === 'StartAsyncInvoke') {
        const uri = (call.input as { outputDataConfig?: { s3OutputDataConfig?: { s3Uri?: string } } })
          .outputDataConfig?.s3OutputDataConfig?.s3Uri;
        const [bucket, ...prefix] = (uri ?? '').replace(/^s3:\/\//, '').split('/');
        return [
          { action: 'bedrock:InvokeModel', resource: model, context: {} },
          { ...s3('PutObject', `${prefix.join('/')}/abc123def456/output.mp4`, bucket) },
        ];
      }
      if (cmd === 'GetAsyncInvoke')
        return [{ action: 'bedrock:GetAsyncInvoke', resource: toAws(i.invocationArn!), context: {} }];
      break;
    }
    case 's3':
      switch (cmd) {
        case 'GetObject':
        case 'HeadObject':
          return [s3('GetObject')];
        case 'PutObject':
        case 'CreateMultipartUpload':
        case 'UploadPart':
        case 'CompleteMultipartUpload':
          return [s3('PutObject')];
        case 'AbortMultipartUpload':
          return [s3('AbortMultipartUpload')];
        case 'DeleteObject':
          return [s3('DeleteObject')];
        case 'DeleteObjects':
          return (i.DeleteKeys ?? []).map((k) => s3('DeleteObject', k));
        // UploadPartCopy reads its source range as GetObject does and writes the part as PutObject
        // (S3 User Guide, "Multipart upload API and permissions").
        case 'UploadPartCopy': {
          const [srcBucket, ...srcKey] = decodeURIComponent(i.CopySource!).replace(/^\//, '').split('/');
          return [s3('GetObject', srcKey.join('/'), srcBucket), s3('PutObject')];
        }
        case 'CopyObject': {
          const [srcBucket, ...srcKey] = decodeURIComponent(i.CopySource!).replace(/^\//, '').split('/');
          return [
            s3('GetObject', srcKey.join('/'), srcBucket),
            s3('PutObject'),
            ...(i.ACL ? [s3('PutObjectAcl')] : []),
          ];
        }
        case 'ListObjectsV2':
        case 'ListObjects':
          return [
            {
              action: 's3:ListBucket',
              resource: `arn:aws:s3:::${i.Bucket}`,
              context: i.Prefix ? { 's3:prefix': i.Prefix } : {},
              bucket: i.Bucket,
            },
          ];
        case 'HeadBucket':
          return [
            { action: 's3:ListBucket', resource: `arn:aws:s3:::${i.Bucket}`, context: {}, bucket: i.Bucket },
          ];
      }
      break;
    case 'dynamodb': {
      const action = (
        {
          Get: 'GetItem',
          GetItem: 'GetItem',
          Put: 'PutItem',
          PutItem: 'PutItem',
          Update: 'UpdateItem',
          UpdateItem: 'UpdateItem',
          Delete: 'DeleteItem',
          DeleteItem: 'DeleteItem',
          Query: 'Query',
          Scan: 'Scan',
          BatchWrite: 'BatchWriteItem',
          BatchWriteItem: 'BatchWriteItem',
          BatchGet: 'BatchGetItem',
          BatchGetItem: 'BatchGetItem',
          DescribeTable: 'DescribeTable',
        } as Record<string, string>
      )[cmd];
      if (!action) break;
      const table = arn('dynamodb', `table/${i.TableName}`);
      return [
        {
          action: `dynamodb:${action}`,
          resource: i.IndexName ? `${table}/index/${i.IndexName}` : table,
          context: {},
        },
      ];
    }
    case 'states':
      switch (cmd) {
        case 'StartExecution':
        case 'DescribeStateMachine':
          return [{ action: `states:${cmd}`, resource: toAws(i.stateMachineArn!), context: {} }];
        // Authorized against the execution, not the state machine.
        case 'StopExecution':
        case 'DescribeExecution':
        case 'GetExecutionHistory':
          return [{ action: `states:${cmd}`, resource: toAws(i.executionArn!), context: {} }];
      }
      break;
    case 'states-integration': {
      // The Task state's Resource: what the state machine's role is authorized for.
      const integration = call.command
        .replace(/^arn:aws:states:::/, '')
        .replace(/\.(sync|waitForTaskToken)(:2)?$/, '');
      switch (integration) {
        case 'lambda:invoke':
          return [{ action: 'lambda:InvokeFunction', resource: toAws(i.FunctionName!), context: {} }];
        case 'events:putEvents':
          return [...new Set(i.EventBusNames ?? ['default'])].map((bus) => ({
            action: 'events:PutEvents',
            resource: arn('events', `event-bus/${bus}`),
            context: {},
          }));
        case 'ecs:runTask':
          return [
            { action: 'ecs:RunTask', resource: toAws(i.TaskDefinition!), context: {} },
            // RunTask passes the task definition's task and execution roles to ECS.
            ...passRoles(template, 'ecs-tasks.amazonaws.com'),
            // .sync watches the task through a rule Step Functions manages in the account.
            ...['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map((action) => ({
              action,
              resource: arn('events', 'rule/StepFunctionsGetEventsForECSTaskRule'),
              context: {},
            })),
          ];
        case 'mediaconvert:createJob':
          return [
            {
              action: 'mediaconvert:CreateJob',
              resource: toAws(i.Queue ?? arn('mediaconvert', 'queues/Default')),
              context: {},
            },
            // The job's Role: the template's MediaConvert service role (locally a stand-in ARN).
            ...passRoles(template, 'mediaconvert.amazonaws.com'),
            ...['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map((action) => ({
              action,
              resource: arn('events', 'rule/StepFunctionsGetEventsForMediaConvertJobRule'),
              context: {},
            })),
          ];
      }
      break;
    }
    case 'events':
      if (cmd === 'PutEvents')
        return [...new Set(i.EventBusNames ?? ['default'])].map((bus) => ({
          action: 'events:PutEvents',
          resource: arn('events', `event-bus/${bus}`),
          context: {},
        }));
  }
  throw new Error(`the IAM simulation does not know ${call.service} ${call.command}; add it to iamRequests`);
}

/** iam:PassRole of the template's roles that `service` assumes (none without a template). */
function passRoles(template: Json | undefined, service: string): IamRequest[] {
  if (!template) return [];
  const resources = template.Resources as Resources;
  return Object.entries(resources)
    .filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Role' &&
        JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes(`"${service}"`),
    )
    .map(([id]) => ({
      action: 'iam:PassRole',
      resource: attribute(resources, id, 'Arn'),
      context: { 'iam:PassedToService': service },
    }));
}

export interface Verdict {
  caller: string;
  action: string;
  resource: string;
  result: string;
  errors?: string;
}

/** Evaluates one request of `caller` against its identity policies (and the bucket's policy for S3). */
export async function evaluate(
  caller: string,
  principal: Principal,
  request: IamRequest,
  buckets: Map<string, Json>,
): Promise<Verdict> {
  const resourcePolicy = request.bucket ? buckets.get(request.bucket) : undefined;
  const res = await runSimulation(
    {
      identityPolicies: principal.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        principal: principal.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: { 'aws:SecureTransport': 'true', ...request.context },
      },
    } as never,
    {},
  );
  const base = { caller, action: request.action, resource: request.resource };
  if (res.resultType === 'error')
    return { ...base, result: 'SimulationError', errors: JSON.stringify(res.errors) };
  return { ...base, result: res.overallResult };
}
