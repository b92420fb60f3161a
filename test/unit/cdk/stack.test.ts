import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CutlineStack } from '../../../lib/cutline-stack.js';
import { applyNagSuppressions } from '../../../lib/nag.js';

let template: Template;
let definition: Record<string, unknown> & { States: Record<string, Record<string, unknown>> };
let nagError: unknown;

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
  const app = new App();
  const stack = new CutlineStack(app, 'Test', {
    platform: {
      mapConcurrency: 40,
      fargate: { cpu: 2048, memoryLimitMiB: 4096 },
      limits: { maxSourceBytes: '20GB', maxSourcePixels: 100_000_000 },
    },
  });
  applyNagSuppressions(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (err) {
    nagError = err;
  }
  template = Template.fromStack(stack);
  definition = stateMachineDefinition(template);
}, 180_000);

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

  it('keeps state in one on-demand table with PITR, TTL and both GSIs', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'GSI1' }),
        Match.objectLike({ IndexName: 'GSI2' }),
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
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'work/', ExpirationInDays: 7 })]),
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
  });

  it('has the event bus with an archive, the webhook rule with retries and a DLQ, and alarms', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['cutline'], 'detail-type': ['Job Succeeded', 'Job Failed', 'Job Cancelled'] },
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    template.resourceCountIs('AWS::SQS::Queue', 1);
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
