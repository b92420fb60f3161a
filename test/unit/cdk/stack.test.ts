import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CutlineStack } from '../../../lib/cutline-stack.js';
import { HANDLERS } from '../../../lambdas/core/config.js';
import { applyNagSuppressions } from '../../../lib/nag.js';
import { CHROMIUM_TMP_BYTES, LAYER_MODULES } from '../../../lib/chromium-layer.js';
import { FFMPEG_LAYER_BUDGET_BYTES } from '../../../lib/ffmpeg-layer.js';
import { DEFAULT_PLAN_LIMITS } from '../../../lambdas/core/plan/planner.js';

let template: Template;
let definition: Record<string, unknown> & { States: Record<string, Record<string, unknown>> };
let nagError: unknown;
let outdir: string;

const ASL = readFileSync(new URL('../../../statemachines/render.asl.json', import.meta.url), 'utf8');
const placeholders = [...new Set([...ASL.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))];

/** The state machine is the very ASL file, uploaded as an asset, with CDK filling its placeholders. */
function stateMachineDefinition(t: Template) {
  const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as {
    Properties: { DefinitionS3Location: unknown; DefinitionSubstitutions: Record<string, unknown> };
  };
  expect(sm.Properties.DefinitionS3Location).toBeDefined();
  expect(Object.keys(sm.Properties.DefinitionSubstitutions).sort()).toEqual([...placeholders].sort());
  return JSON.parse(
    ASL.replace(/\$\{(\w+)\}/g, (_, k: string) =>
      k.endsWith('Arn') ? `arn:aws:lambda:us-east-1:123456789012:function:${k}` : k,
    ),
  );
}

beforeAll(() => {
  // One app, synthesised once (bundling every function takes a while), with cdk-nag as in bin/app.ts.
  // Explicitly synthesized without the built ffmpeg layer (see the layer test below).
  const app = new App({ context: { allowMissingFfmpegLayer: true } });
  const stack = new CutlineStack(app, 'Test', {
    platform: {
      mapConcurrency: 40,
      renderConcurrency: 40,
      fargate: { cpu: 2048, memoryLimitMiB: 4096 },
      limits: { maxSourceBytes: '20GB', maxSourcePixels: 100_000_000 },
    },
  });
  applyNagSuppressions(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  outdir = app.outdir;
  try {
    app.synth();
  } catch (err) {
    nagError = err;
  }
  template = Template.fromStack(stack);
  definition = stateMachineDefinition(template);
}, 360_000); // bundling ~22 functions with their AWS SDK: minutes on a loaded 2-core machine

describe('CutlineStack', () => {
  it('carries the limits prop to every function (CUTLINE_LIMITS) and gives Finalize the ffmpeg layer', () => {
    const fns = Object.entries(template.findResources('AWS::Lambda::Function')) as Array<
      [string, { Properties: { Environment?: { Variables?: Record<string, unknown> }; Layers?: unknown[] } }]
    >;
    const cutline = fns.filter(([, f]) => f.Properties.Environment?.Variables?.CUTLINE_TABLE_NAME);
    expect(cutline.length).toBeGreaterThan(10);
    for (const [, f] of cutline)
      expect(f.Properties.Environment!.Variables!.CUTLINE_LIMITS).toBe(
        JSON.stringify({ maxSourceBytes: 20e9, maxSourcePixels: 100_000_000 }),
      );
    const finalize = cutline.filter(([id]) => /finalize/i.test(id));
    expect(finalize).toHaveLength(1);
    expect(finalize[0]![1].Properties.Layers).toHaveLength(1);
    expect(finalize[0]![1].Properties.Environment!.Variables!.CUTLINE_FFPROBE).toBe('/opt/bin/ffprobe');
    // A bad setting fails the synth, naming it, before any function is built.
    expect(
      () => new CutlineStack(new App(), 'Bad', { platform: { limits: { maxSourceBytes: 'lots' } } }),
    ).toThrow(/CutlinePlatform limits: maxSourceBytes=lots is not a positive whole value/);
  });

  it('passes cdk-nag AwsSolutions with every acknowledgement justified', () => {
    expect(nagError).toBeUndefined();
    const nag = readFileSync(new URL('../../../lib/nag.ts', import.meta.url), 'utf8');
    // Every acknowledgement carries a sentence of reason.
    for (const m of nag.matchAll(/ack\([^,]+,\s*[^,]+,\s*'([^']*)'/g))
      expect(m[1]!.length).toBeGreaterThan(30);
  });

  it('requires an API key on every method but health; usage plan throttles and caps', () => {
    const methods = template.findResources('AWS::ApiGateway::Method');
    const byPath = Object.values(methods)
      .filter((m) => (m as { Properties: { HttpMethod: string } }).Properties.HttpMethod !== 'OPTIONS')
      .map(
        (m) =>
          (m as { Properties: { ApiKeyRequired?: boolean; ResourceId: unknown; HttpMethod: string } })
            .Properties,
      );
    expect(byPath.length).toBeGreaterThanOrEqual(6);
    const open = byPath.filter((m) => !m.ApiKeyRequired);
    expect(open).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'health' });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 50, BurstLimit: 100 },
      Quota: { Limit: 100000, Period: 'DAY' },
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      TracingEnabled: true,
    });
  });

  it('the ASL passes asl-validator once its placeholders are filled', async () => {
    const mod = (await import('asl-validator')) as unknown as {
      default: (d: unknown) => { isValid: boolean; errors: unknown[] };
    };
    const result = mod.default(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('runs the real state machine: Maps over prepare items, renditions and chunks, retries with backoff, every failure to MarkFailed', () => {
    type Item = { ItemProcessor: { States: Record<string, Record<string, unknown>> } } & Record<
      string,
      unknown
    >;
    const renditions = definition.States.RenderRenditions as Item;
    expect(renditions.Type).toBe('Map');
    expect(renditions.MaxConcurrencyPath).toBe('$.renditionConcurrency');
    const inner = renditions.ItemProcessor.States;
    const chunks = (inner.RenderParts as { Branches: Array<{ States: Record<string, Item> }> }).Branches[0]!
      .States.RenderChunks!;
    expect(chunks.Type).toBe('Map');
    expect(chunks.MaxConcurrencyPath).toBe('$.rendition.maxConcurrency');
    const retry = chunks.ItemProcessor.States.RenderChunk!.Retry as Array<{
      ErrorEquals: string[];
      BackoffRate: number;
    }>;
    expect(retry.flatMap((r) => r.ErrorEquals)).toEqual(
      expect.arrayContaining([
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
        'RenderRetryableError',
      ]),
    );
    expect(retry.every((r) => r.BackoffRate >= 2)).toBe(true);
    const prepare = definition.States.PrepareItems as Item;
    expect(prepare.Type).toBe('Map');
    expect(
      (prepare.ItemProcessor.States.PrepareItem!.Retry as Array<{ ErrorEquals: string[] }>).flatMap(
        (r) => r.ErrorEquals,
      ),
    ).toContain('RenderRetryableError');
    for (const name of ['Validate', 'PrepareItems', 'Probe', 'Plan', 'RenderRenditions', 'Finalize']) {
      expect((definition.States[name]!.Catch as Array<{ Next: string }>)[0]!.Next).toBe('MarkFailed');
    }
    expect(inner.RenderOnFargate!.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    // Plan tells the Map how wide to go.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ CUTLINE_PLAN_LIMITS: JSON.stringify({ maxConcurrency: 40 }) }),
      },
    });
  });

  it('has a render budget: reserved concurrency on the render functions, throttles retried for minutes', () => {
    const reserved = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) =>
        (f as { Properties: { ReservedConcurrentExecutions?: number } }).Properties
          .ReservedConcurrentExecutions === 40,
    );
    expect(reserved).toHaveLength(3); // renderChunk, renderAudio, stitch
    type Retrier = {
      ErrorEquals: string[];
      IntervalSeconds: number;
      MaxAttempts: number;
      BackoffRate: number;
      MaxDelaySeconds?: number;
    };
    const retriers: Retrier[] = [];
    const walk = (v: unknown) => {
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.Retry)) retriers.push(...(o.Retry as Retrier[]));
      for (const x of Object.values(o)) walk(x);
    };
    walk(definition);
    const throttles = retriers.filter((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'));
    expect(throttles.length).toBeGreaterThanOrEqual(10); // every Lambda task
    for (const r of throttles) {
      // Total wait over the attempts, each capped at MaxDelaySeconds: minutes, not seconds.
      let wait = 0;
      for (let i = 0; i < r.MaxAttempts; i++)
        wait += Math.min(r.IntervalSeconds * r.BackoffRate ** i, r.MaxDelaySeconds ?? Infinity);
      expect(r.MaxAttempts).toBeGreaterThanOrEqual(10);
      expect(wait).toBeGreaterThanOrEqual(300);
    }
    const fargate = retriers.find((r) => r.ErrorEquals.includes('AmazonECS.Unknown'));
    expect(fargate?.MaxAttempts).toBeGreaterThanOrEqual(5); // ECS capacity (RunTask Failures)
  });

  it('keeps state in one on-demand table with PITR, TTL and its three GSIs', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'GSI1' }),
        Match.objectLike({ IndexName: 'GSI2' }),
        Match.objectLike({ IndexName: 'GSI3' }),
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
    });
  });

  it('encrypts every bucket, blocks public access, enforces TLS, logs access and expires work/', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const b of Object.values(buckets) as Array<{ Properties: Record<string, unknown> }>) {
      expect(b.Properties.BucketEncryption).toBeDefined();
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as Array<{
      Properties: { PolicyDocument: { Statement: unknown[] } };
    }>;
    expect(policies).toHaveLength(3);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument.Statement)).toContain(
        '"aws:SecureTransport":"false"',
      );
    }
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'work/', ExpirationInDays: 7 }),
          // The whole bucket: the stitch assembles outputs/… by multipart upload.
          Match.objectLike({
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Prefix: Match.absent(),
          }),
        ]),
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'outputs/' }),
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({ Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'drop/' }] } } }),
        ],
      },
    });
    // No dropFolderOwner: the drop folder is per tenant (drop/<tenant id>/…), so no owner is set.
    const [dropFn] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
      id.includes('DropFolderFunction'),
    );
    expect(dropFn).toBeDefined();
    const vars = (dropFn![1] as { Properties: { Environment: { Variables: Record<string, unknown> } } })
      .Properties.Environment.Variables;
    expect(vars.CUTLINE_TABLE_NAME).toBeDefined();
    expect(vars).not.toHaveProperty('CUTLINE_DROP_TENANT');
  });

  it('has the event bus with an archive; webhooks go rule → SQS queue → delivery function, hours of retries, then a DLQ with an alarm', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::Events::Archive', 1);
    const queues = template.findResources('AWS::SQS::Queue');
    // The webhook queue and its DLQ, and the execution-status rule's DLQ (lib/execution-watch.ts).
    expect(Object.keys(queues)).toHaveLength(3);
    const [queueId, queue] = Object.entries(queues).find(
      ([, q]) => (q as { Properties: { RedrivePolicy?: unknown } }).Properties.RedrivePolicy,
    )! as [
      string,
      {
        Properties: {
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] }; maxReceiveCount: number };
          VisibilityTimeout: number;
          MessageRetentionPeriod: number;
          SqsManagedSseEnabled: boolean;
        };
      },
    ];
    const dlqId = queue.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    expect(dlqId).not.toBe(queueId);
    // The default schedule: 14 attempts (30 s doubling to hourly), about 7 h, inside the queue's retention.
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(14);
    expect(queue.Properties.MessageRetentionPeriod).toBeGreaterThanOrEqual(7 * 3600);
    expect(queue.Properties.VisibilityTimeout).toBe(180); // 6 × the delivery function's 30 s
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    // The rule targets the queue (not the function), with its own retries and the same DLQ.
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['cutline'], 'detail-type': ['Job Succeeded', 'Job Failed', 'Job Cancelled'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        }),
      ],
    });
    // Only this rule may put events on the queue (and its failures on the DLQ), over TLS only.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('WebhookRule'), 'Arn'] },
              },
            },
          }),
        ]),
      },
    });
    // The delivery function reads the queue with partial batch failures.
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Array<{
      Properties: {
        EventSourceArn: unknown;
        FunctionName: { Ref: string };
        FunctionResponseTypes?: string[];
      };
    }>;
    const mapping = mappings.find((m) => JSON.stringify(m.Properties.EventSourceArn).includes(queueId))!;
    expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const webhookFn = mapping.Properties.FunctionName.Ref;
    expect(webhookFn).toMatch(/WebhookFunction/);
    // No webhook secret anywhere in the template; the function is told the Secrets Manager prefix.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/CUTLINE_WEBHOOK_SECRET"|replace-me/);
    const fn = template.findResources('AWS::Lambda::Function')[webhookFn] as {
      Properties: {
        Environment: { Variables: Record<string, string> };
        Role: { 'Fn::GetAtt': [string, string] };
      };
    };
    expect(fn.Properties.Environment.Variables.CUTLINE_WEBHOOK_SECRET_PREFIX).toBe('cutline/webhook/Test/');
    expect(JSON.parse(fn.Properties.Environment.Variables.CUTLINE_WEBHOOK_RETRY!)).toEqual({
      attempts: 14,
      baseSeconds: 30,
      maxSeconds: 3600,
    });
    // Grants: the queue's consume actions (ChangeMessageVisibility is the backoff) and only the secret
    // actions used, scoped to this stack's name prefix.
    const statementsOf = (roleId: string) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) =>
          JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(roleId),
        )
        .flatMap(
          (p) =>
            (
              p as {
                Properties: {
                  PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> };
                };
              }
            ).Properties.PolicyDocument.Statement,
        );
    const actions = (roleId: string) => statementsOf(roleId).flatMap((st) => [st.Action].flat());
    const secretResource = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':secretsmanager:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':secret:cutline/webhook/Test/*',
        ],
      ],
    };
    const webhookRole = fn.Properties.Role['Fn::GetAtt'][0];
    expect(actions(webhookRole)).toEqual(
      expect.arrayContaining(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage']),
    );
    const secretStatements = (roleId: string) =>
      statementsOf(roleId).filter((st) => [st.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements(webhookRole)).toEqual([
      {
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:CreateSecret'],
        Effect: 'Allow',
        Resource: secretResource,
      },
    ]);
    const apiFn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
      /WebhooksFunction/.test(id),
    )![1] as typeof fn;
    expect(secretStatements(apiFn.Properties.Role['Fn::GetAtt'][0])).toEqual([
      {
        Action: [
          'secretsmanager:GetSecretValue',
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
        ],
        Effect: 'Allow',
        Resource: secretResource,
      },
    ]);
    // No other role may touch the secrets.
    const withSecrets = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('secretsmanager:'),
    );
    expect(withSecrets).toHaveLength(2);
    // The routes.
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'webhooks' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'rotate' });
    // The DLQ alarm watches the DLQ's depth.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('dead-letter'),
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Array<{
      Properties: { AlarmDescription: string };
    }>;
    expect(alarms.map((a) => a.Properties.AlarmDescription).join('\n')).toMatch(
      /failed[\s\S]*5xx|5xx[\s\S]*failed/i,
    );
    expect(alarms.some((a) => /dead-letter/.test(a.Properties.AlarmDescription))).toBe(true);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('defines the Fargate render task with the configured size, and every function on nodejs22.x', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '2048',
      Memory: '4096',
      ContainerDefinitions: [Match.objectLike({ Name: 'render' })],
    });
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Runtime?: string; Environment?: { Variables?: Record<string, unknown> } };
    }>;
    // The platform's own functions (CDK's S3-notification helper is not one of them).
    const ours = fns.filter((f) => f.Properties.Environment?.Variables?.CUTLINE_TABLE_NAME);
    expect(ours.length).toBeGreaterThanOrEqual(13);
    for (const f of ours) expect(f.Properties.Runtime).toBe('nodejs22.x');
  });
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
/** The statements of every inline policy attached to the role of the function whose handler matches `id`. */
function statementsOf(id: RegExp): Statement[] {
  const fns = template.findResources('AWS::Lambda::Function');
  const fn = Object.entries(fns).find(([, r]) => id.test(String(r.Metadata?.['cutline:handler'])));
  if (!fn) throw new Error(`no function ${id}`);
  const role = (fn[1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${role}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
/** An app that skips asset bundling (these stacks are only inspected; the main one above is bundled). */
const unbundled = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const exactly = (entry: string) => new RegExp(`^${entry.replace(/\./g, '\\.')}$`);
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('deployable in AWS (issue #15)', () => {
  it('cfn-lint finds no errors or warnings in the synthesized template (two CDK-made warnings ignored)', () => {
    // W3005: CDK adds DependsOn on a function's role beside the GetAtt that already orders them.
    // W3045: CDK grants S3 log delivery to the access-log bucket with the legacy AccessControl property.
    // Both are how aws-cdk-lib writes these resources, harmless, and not ours to change.
    const ignored = ['W3005', 'W3045'];
    const run = spawnSync(
      'cfn-lint',
      ['--format', 'parseable', '--ignore-checks', ...ignored, '--', join(outdir, 'Test.template.json')],
      { encoding: 'utf8' },
    );
    if (run.error) throw new Error(`cfn-lint is not installed (pip install cfn-lint): ${run.error.message}`);
    expect(run.stdout.trim().split('\n').filter(Boolean)).toEqual([]);
    expect(run.status).toBe(0);
  }, 120_000);

  it('every Lambda bundle CDK built loads in a clean folder with only what nodejs22.x provides, and exports handler', async () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Metadata?.['cutline:handler'],
    );
    const entries = new Set(fns.map((f) => f.Metadata['cutline:handler']));
    for (const group of Object.values(HANDLERS))
      for (const e of Object.values(group)) expect(entries).toContain(e);
    const failures: string[] = [];
    for (const f of fns) {
      const key = String(f.Properties.Code.S3Key);
      const asset = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      // A folder with nothing around it: no node_modules here or in any parent (as /var/task in Lambda).
      const clean = mkdtempSync(join(tmpdir(), 'cutline-bundle-'));
      cpSync(asset, clean, { recursive: true });
      const env: Record<string, string> = {
        PATH: '/usr/bin:/bin',
        AWS_REGION: 'us-east-1',
        LAMBDA_TASK_ROOT: clean,
      };
      for (const [k, v] of Object.entries(f.Properties.Environment?.Variables ?? {}))
        env[k] = typeof v === 'string' ? v : 'token';
      const run = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "const m = await import('./index.mjs'); if (typeof m.handler !== 'function') { console.error('handler is ' + typeof m.handler); process.exit(3); }",
        ],
        { cwd: clean, env, encoding: 'utf8', timeout: 60_000 },
      );
      if (run.status !== 0)
        failures.push(`${f.Metadata['cutline:handler']}: exit ${run.status} ${run.stderr.slice(-600)}`);
      rmSync(clean, { recursive: true, force: true });
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it('grants StopExecution on the executions of the state machine, which is what AWS authorizes it against', () => {
    const stop = statementsOf(/api\/renders\.ts/).filter((s) =>
      actionsOf(s).includes('states:StopExecution'),
    );
    expect(stop).toHaveLength(1);
    const resource = JSON.stringify(stop[0]!.Resource);
    expect(resource).toContain(':execution:');
    expect(resource).toMatch(/:\*"/);
    // StartExecution stays on the state machine itself.
    const start = statementsOf(/api\/renders\.ts/).find((s) =>
      actionsOf(s).includes('states:StartExecution'),
    )!;
    expect(JSON.stringify(start.Resource)).not.toContain(':execution:');
  });

  it("runs the Fargate task on arm64 Linux and builds the image for it; a function runs on its native layers' architecture, else arm64", () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    const layers = template.findResources('AWS::Lambda::LayerVersion');
    const ffmpegLayer = Object.keys(layers).find((id) => /Ffmpeg/.test(id))!;
    // The Chromium layer's binary is x86_64 only (lib/chromium-layer.ts): its functions and the ffmpeg
    // layer they carry are x86_64; the ffmpeg layer's functions share that one layer.
    expect(layers[ffmpegLayer]!.Properties.CompatibleArchitectures).toEqual(['x86_64']);
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.CUTLINE_TABLE_NAME,
    );
    for (const f of fns) {
      const native = (f.Properties.Layers ?? []).length > 0;
      expect(f.Properties.Architectures, f.Metadata['cutline:handler']).toEqual([
        native ? 'x86_64' : 'arm64',
      ]);
    }
    expect(fns.filter((f) => f.Properties.Architectures[0] === 'arm64').length).toBeGreaterThan(5);
    // A deployment without html assets keeps everything on arm64, and carries no Chromium.
    const noHtml = Template.fromStack(
      new CutlineStack(unbundled(), 'NoHtml', {
        platform: { allowMissingFfmpegLayer: true, htmlAssets: false },
      }),
    );
    for (const f of Object.values(noHtml.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.CUTLINE_TABLE_NAME,
    )) {
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.Environment.Variables.CUTLINE_HTML_RENDERER).toBeUndefined();
      expect(f.Properties.Environment.Variables.CUTLINE_CHROMIUM_LAYER).toBeUndefined();
    }
    expect(Object.keys(noHtml.findResources('AWS::Lambda::LayerVersion'))).toHaveLength(1);
    const manifest = readdirSync(outdir).find((f) => f.startsWith('Test') && f.endsWith('.assets.json'))!;
    const images = Object.values(
      (
        JSON.parse(readFileSync(join(outdir, manifest), 'utf8')) as {
          dockerImages: Record<string, { source: { directory: string; platform?: string } }>;
        }
      ).dockerImages,
    );
    expect(images).toHaveLength(1);
    expect(images[0]!.source.platform).toBe('linux/arm64');
    // The staged build context leaves out what the image never copies.
    const context = join(outdir, images[0]!.source.directory);
    for (const gone of ['layers', 'docs', 'test', 'node_modules', 'cdk.out'])
      expect(existsSync(join(context, gone)), gone).toBe(false);
    expect(existsSync(join(context, 'containers/render/Dockerfile'))).toBe(true);
  });

  it('refuses to synthesize without the ffmpeg layer unless allowMissingFfmpegLayer is set', () => {
    if (existsSync(new URL('../../../layers/ffmpeg/build/bin/ffmpeg', import.meta.url))) return;
    expect(() => new CutlineStack(unbundled(), 'NoLayer')).toThrow(
      /layers\/ffmpeg\/build\.sh[\s\S]*allowMissingFfmpegLayer=true/,
    );
    expect(
      () => new CutlineStack(unbundled(), 'Allowed', { platform: { allowMissingFfmpegLayer: true } }),
    ).not.toThrow();
  });

  it("ends jobs whose execution failed, timed out or was aborted, from Step Functions' own status events", () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter(
      (r) => r.Properties.EventPattern?.source?.[0] === 'aws.states',
    );
    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties;
    expect(rule.EventBusName).toBeUndefined(); // Step Functions publishes on the default bus
    expect(rule.EventPattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    expect(rule.EventPattern.detail.status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
    expect(JSON.stringify(rule.EventPattern.detail.stateMachineArn)).toContain('PipelineRender');
    expect(rule.Targets[0].DeadLetterConfig).toBeDefined();
    const fn = statementsOf(/triggers\/execution-ended\.ts/);
    expect(fn.flatMap(actionsOf)).toEqual(
      expect.arrayContaining(['dynamodb:UpdateItem', 'events:PutEvents']),
    );
  });

  it('every Lambda render task that counts frames may write its counter and publish Job Progress', () => {
    for (const task of [/pipeline\/render-chunk\.ts/, /pipeline\/render-audio\.ts/, /pipeline\/stitch\.ts/])
      expect(statementsOf(task).flatMap(actionsOf), String(task)).toEqual(
        expect.arrayContaining(['dynamodb:UpdateItem', 'events:PutEvents']),
      );
  });

  it('sends every alarm to one SNS topic, subscribes alarmEmail, and alarms on what matters', () => {
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
    const metrics = alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    for (const m of [
      'AWS/Lambda/Errors',
      'AWS/Lambda/Throttles',
      'AWS/States/ExecutionsFailed',
      'AWS/States/ExecutionsTimedOut',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'AWS/ApiGateway/Latency',
      'AWS/ApiGateway/5XXError',
    ])
      expect(metrics).toContain(m);
    // Errors and throttles for every function of the platform.
    const ours = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.CUTLINE_TABLE_NAME,
    );
    expect(metrics.filter((m) => m === 'AWS/Lambda/Errors')).toHaveLength(ours.length);
    expect(alarms.find((a) => a.Properties.MetricName === 'Latency')!.Properties.ExtendedStatistic).toBe(
      'p95',
    );
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = Template.fromStack(
      new CutlineStack(unbundled(), 'Email', {
        platform: { allowMissingFfmpegLayer: true, alarmEmail: 'ops@example.com' },
      }),
    );
    withEmail.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  }, 120_000);

  it('gives pipeline functions only the table and object actions their code calls, on their prefixes', () => {
    for (const name of [
      'validate',
      'prepareItem',
      'probe',
      'plan',
      'renderChunk',
      'renderAudio',
      'stitch',
      'finalize',
      'markFailed',
    ]) {
      const statements = statementsOf(exactly(HANDLERS.pipeline[name as keyof typeof HANDLERS.pipeline]));
      const actions = statements.flatMap(actionsOf);
      for (const broad of [
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:Scan',
        's3:DeleteObject*',
        's3:PutObject*',
      ])
        expect(actions, `${name}: ${broad}`).not.toContain(broad);
      for (const s of statements.filter((s) => actionsOf(s).some((a) => /^s3:(Put|Delete)Object$/.test(a)))) {
        const resources = JSON.stringify(s.Resource);
        expect(resources, name).toMatch(/\/(work|outputs|inputs|drop)\/\*/);
        expect(resources, name).not.toMatch(/"\/\*"/);
      }
    }
    // Only the functions that clean up delete, and only under work/.
    const deleters = ['validate', 'prepareItem', 'probe', 'plan', 'stitch'].filter((n) =>
      statementsOf(exactly(HANDLERS.pipeline[n as keyof typeof HANDLERS.pipeline])).some((s) =>
        actionsOf(s).includes('s3:DeleteObject'),
      ),
    );
    expect(deleters).toEqual([]);
  });
});

/** Bytes of a staged asset folder, as Lambda counts a function's code or a layer unzipped. */
function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? folderBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

describe('Lambda quotas of the functions that draw with Chromium (issue #17)', () => {
  /** Lambda's limit on a function's code and all its layers, unzipped. */
  const UNZIPPED_LIMIT = 262_144_000;
  const DRAWING = [
    HANDLERS.pipeline.probe,
    HANDLERS.pipeline.plan,
    HANDLERS.pipeline.renderChunk,
    HANDLERS.pipeline.renderAudio,
    HANDLERS.pipeline.stitch,
    HANDLERS.api.preview,
  ];
  const ours = () =>
    Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.CUTLINE_TABLE_NAME,
    );
  const assetDir = (s3Key: unknown) => join(outdir, `asset.${String(s3Key).replace(/\.zip$/, '')}`);

  it("keeps every function's code and layers within 250 MiB unzipped, counted from the cdk.out assets", () => {
    const layers = template.findResources('AWS::Lambda::LayerVersion');
    const layerBytes = (ref: { Ref: string }) => {
      const dir = assetDir(layers[ref.Ref]!.Properties.Content.S3Key);
      // The placeholder of a synth without layers/ffmpeg/build counts as the most synth lets a build hold.
      const placeholder = readdirSync(dir).join() === 'README.txt';
      return placeholder ? FFMPEG_LAYER_BUDGET_BYTES : folderBytes(dir);
    };
    const sizes = ours().map((f) => {
      const code = folderBytes(assetDir(f.Properties.Code.S3Key));
      const total =
        code + (f.Properties.Layers ?? []).reduce((n: number, l: { Ref: string }) => n + layerBytes(l), 0);
      return { fn: String(f.Metadata['cutline:handler']), code, total };
    });
    const biggest = sizes.sort((a, b) => b.total - a.total)[0]!;
    console.log(
      `largest unzipped: ${biggest.fn} ${(biggest.total / 1024 ** 2).toFixed(1)} MiB (code ${(biggest.code / 1024 ** 2).toFixed(1)} MiB) of 250 MiB`,
    );
    for (const s of sizes) expect(s.total, s.fn).toBeLessThanOrEqual(UNZIPPED_LIMIT);
    // The Chromium layer is really in the count: the drawing functions are the biggest.
    expect(DRAWING).toContain(biggest.fn);
    expect(biggest.total - biggest.code).toBeGreaterThan(FFMPEG_LAYER_BUDGET_BYTES + 60 * 1024 ** 2);
  });

  it('gives the drawing functions the layer, the fonts, /tmp for the inflated browser beside their scratch, and a browser-sized memory', () => {
    const layers = template.findResources('AWS::Lambda::LayerVersion');
    const chromium = Object.keys(layers).find((id) => /Chromium/.test(id))!;
    expect(layers[chromium]!.Properties.CompatibleArchitectures).toEqual(['x86_64']);
    expect(layers[chromium]!.Properties.CompatibleRuntimes).toEqual(['nodejs22.x']);
    const drawing = ours().filter((f) =>
      (f.Properties.Layers ?? []).some((l: { Ref: string }) => l.Ref === chromium),
    );
    expect(drawing.map((f) => f.Metadata['cutline:handler']).sort()).toEqual([...DRAWING].sort());
    for (const f of drawing) {
      const p = f.Properties;
      const name = f.Metadata['cutline:handler'];
      expect(p.Environment.Variables.CUTLINE_CHROMIUM_LAYER, name).toBe(LAYER_MODULES);
      expect(p.Environment.Variables.CUTLINE_FONTS_DIR, name).toBe('/var/task/fonts');
      expect(p.MemorySize, name).toBeGreaterThanOrEqual(1536);
      const tmp = p.EphemeralStorage.Size * 1024 ** 2;
      const scratch =
        name === HANDLERS.api.preview ? 256 * 1024 ** 2 : DEFAULT_PLAN_LIMITS.lambdaScratchBytes;
      expect(tmp, name).toBeGreaterThanOrEqual(CHROMIUM_TMP_BYTES + scratch);
    }
    // Every function accepts html, svg, shape and rich-text edits: they render in this deployment.
    for (const f of ours()) expect(f.Properties.Environment.Variables.CUTLINE_HTML_RENDERER).toBe('chromium');
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'CUTLINE_HTML_RENDERER', Value: 'chromium' }]),
        }),
      ]),
    });
  });
});
