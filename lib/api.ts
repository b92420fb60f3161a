import {
  AccessLogFormat,
  type IApiKey,
  ApiKeySourceType,
  Cors,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Architecture, ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { type ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, HANDLERS } from '../lambdas/core/config.js';
import type { ChromiumLayer } from './chromium-layer.js';
import { CutlineFunction } from './functions.js';
import type { WebhookSecrets } from './webhook-secrets.js';

export interface ApiProps {
  /** The table of jobs, templates, projects and usage. */
  readonly table: ITable;
  /** Uploads (inputs/) and the drop folder. */
  readonly ingest: IBucket;
  /** Results (outputs/) and intermediates (work/). */
  readonly outputs: IBucket;
  /** The render state machine submit starts and cancel stops. */
  readonly stateMachine: IStateMachine;
  /** The bus job events go to (cancel publishes Job Cancelled). */
  readonly bus: IEventBus;
  /** Settings of every API function, by ENV names (lambdas/core/config.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /** ffmpeg and ffprobe: health reports the ffmpeg renders use, submit reads source headers with ffprobe. */
  readonly ffmpegLayer: ILayerVersion;
  /** The architecture of the functions that carry the ffmpeg layer (the layer's own). */
  readonly mediaArchitecture: Architecture;
  /** Chromium for the preview (it draws html, svg, shape and rich-text assets); none: they are refused. */
  readonly chromium?: ChromiumLayer;
  /** The tenants' webhook secrets GET /v1/webhooks/secret shows and rotates. */
  readonly webhookSecrets: WebhookSecrets;
  readonly logGroup: ILogGroup;
  /** Throttle per key (requests per second and burst). Default 50 / 100. */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Requests per key per period. Default 100 000 per day. */
  readonly quota?: { readonly limit: number; readonly period: Period };
  /** Retention of the access logs. Default one month. */
  readonly logRetention?: RetentionDays;
}

/** The API functions by route family: what HANDLERS.api names. */
export type ApiFunctions = { readonly [K in keyof typeof HANDLERS.api]: CutlineFunction };

const errorBody = (code: string, message: string) =>
  JSON.stringify({ error: { code, message } }).replace('"$MSG"', '$context.error.messageString');

/**
 * The REST API of ARCHITECTURE §3: every route but health needs an API key (its id is the tenant); a
 * usage plan throttles and caps each key. API Gateway caps bodies at 10 MB; the handlers refuse more
 * than 1 MB with 413.
 */
export class Api extends Construct {
  readonly api: RestApi;
  readonly key: IApiKey;
  readonly functions: ApiFunctions;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.functions = apiFunctions(this, props);
    grantApiAccess(this.functions, props);
    const throttle = props.throttle ?? { rateLimit: 50, burstLimit: 100 };
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'cutline rendering API',
      apiKeySourceType: ApiKeySourceType.HEADER,
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: Cors.ALL_ORIGINS,
        allowHeaders: ['content-type', 'x-api-key', 'idempotency-key'],
        allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      },
    });
    // Gateway errors in the platform's error shape.
    for (const [type, code] of [
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, 'NOT_FOUND'],
      [ResponseType.INVALID_API_KEY, 'FORBIDDEN'],
      [ResponseType.QUOTA_EXCEEDED, 'QUOTA_EXCEEDED'],
      [ResponseType.THROTTLED, 'THROTTLED'],
      [ResponseType.REQUEST_TOO_LARGE, 'PAYLOAD_TOO_LARGE'],
    ] as const) {
      this.api.addGatewayResponse(`Gateway${code}`, {
        type,
        templates: { 'application/json': errorBody(code, '$MSG') },
        // Readable by the web console on its own origin (a wrong key must show as such, not as a CORS error).
        responseHeaders: {
          'Access-Control-Allow-Origin': "'*'",
          ...(type === ResponseType.THROTTLED || type === ResponseType.QUOTA_EXCEEDED
            ? { 'Retry-After': "'1'" }
            : {}),
        },
      });
    }
    // Bodies are validated by the handlers with the zod schemas (the OpenAPI document is generated from them).
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const keyed = { apiKeyRequired: true, requestValidator: validator };
    const handlers = this.functions;
    const v1 = this.api.root.addResource('v1');
    v1.addResource('health').addMethod('GET', new LambdaIntegration(handlers.health));
    v1.addResource('openapi.json').addMethod('GET', new LambdaIntegration(handlers.openapi), keyed);
    const renders = v1.addResource('renders');
    const rendersFn = new LambdaIntegration(handlers.renders);
    renders.addMethod('POST', rendersFn, keyed);
    renders.addMethod('GET', rendersFn, keyed);
    const one = renders.addResource('{id}');
    one.addMethod('GET', rendersFn, keyed);
    one.addResource('cancel').addMethod('POST', rendersFn, keyed);
    // Other job types share the renders function (one create path).
    v1.addResource('clips').addMethod('POST', rendersFn, keyed);
    v1.addResource('mixes').addMethod('POST', rendersFn, keyed);
    v1.addResource('validate').addMethod('POST', new LambdaIntegration(handlers.validate), keyed);
    v1.addResource('preview').addMethod('POST', new LambdaIntegration(handlers.preview), keyed);
    v1.addResource('uploads').addMethod('POST', new LambdaIntegration(handlers.uploads), keyed);
    const t = new LambdaIntegration(handlers.templates);
    const templates = v1.addResource('templates');
    templates.addMethod('POST', t, keyed);
    templates.addMethod('GET', t, keyed);
    const tpl = templates.addResource('{id}');
    for (const m of ['GET', 'PUT', 'DELETE']) tpl.addMethod(m, t, keyed);
    tpl.addResource('render').addMethod('POST', t, keyed);
    const p = new LambdaIntegration(handlers.projects);
    const projects = v1.addResource('projects');
    projects.addMethod('POST', p, keyed);
    projects.addMethod('GET', p, keyed);
    const project = projects.addResource('{id}');
    for (const m of ['GET', 'PUT', 'DELETE']) project.addMethod(m, p, keyed);
    const scenes = project.addResource('scenes');
    scenes.addMethod('POST', p, keyed);
    const scene = scenes.addResource('{n}');
    for (const m of ['PUT', 'DELETE']) scene.addMethod(m, p, keyed);
    project.addResource('order').addMethod('PUT', p, keyed);
    project.addResource('compose').addMethod('POST', p, keyed);
    project.addResource('final-video').addMethod('GET', p, keyed);
    project.addResource('plan').addMethod('POST', p, keyed);

    v1.addResource('usage').addMethod('GET', new LambdaIntegration(handlers.usage), keyed);
    v1.addResource('metrics').addMethod('GET', new LambdaIntegration(handlers.metrics), keyed);
    const w = new LambdaIntegration(handlers.webhooks);
    const secret = v1.addResource('webhooks').addResource('secret');
    secret.addMethod('GET', w, keyed);
    secret.addResource('rotate').addMethod('POST', w, keyed);

    const plan = this.api.addUsagePlan('UsagePlan', {
      throttle,
      quota: props.quota ?? { limit: 100_000, period: Period.DAY },
      apiStages: [{ stage: this.api.deploymentStage }],
    });
    this.key = this.api.addApiKey('DefaultKey', {
      description: 'the first tenant; create more keys per tenant',
    });
    plan.addApiKey(this.key);
  }
}

/** The API's functions: API Gateway's 29 s, 512 MiB; those that probe or draw with ffmpeg carry the layer. */
function apiFunctions(scope: Construct, props: ApiProps): ApiFunctions {
  const withFfmpeg = {
    layers: [props.ffmpegLayer],
    architecture: props.mediaArchitecture,
    environment: { [ENV.FFMPEG_PATH]: '/opt/bin/ffmpeg', [ENV.FFPROBE_PATH]: '/opt/bin/ffprobe' },
  };
  const fn = (entry: string, idName: string, extra?: typeof withFfmpeg) =>
    new CutlineFunction(scope, idName, {
      entry,
      memorySize: 512,
      timeout: Duration.seconds(29),
      environment: { ...props.environment, ...extra?.environment },
      logGroup: props.logGroup,
      ...(extra ? { layers: extra.layers, architecture: extra.architecture } : {}),
    });
  return {
    health: fn(HANDLERS.api.health, 'HealthFunction', withFfmpeg),
    openapi: fn(HANDLERS.api.openapi, 'OpenApiFunction'),
    renders: fn(HANDLERS.api.renders, 'RendersFunction', withFfmpeg),
    uploads: fn(HANDLERS.api.uploads, 'UploadsFunction'),
    templates: fn(HANDLERS.api.templates, 'TemplatesFunction', withFfmpeg),
    usage: fn(HANDLERS.api.usage, 'UsageFunction'),
    metrics: fn(HANDLERS.api.metrics, 'MetricsFunction'),
    // Projects plan on the backing track's beats: ffmpeg decodes it (read in place).
    projects: fn(HANDLERS.api.projects, 'ProjectsFunction', withFfmpeg),
    // Validate answers the submit estimate too: ffprobe reads the headers of `length: "auto"` sources.
    validate: fn(HANDLERS.api.validate, 'ValidateFunction', withFfmpeg),
    // One frame through the real compiler: the layer's ffmpeg, and a full vCPU (1769 MB) to draw it fast;
    // Chromium and the fonts for the assets it draws, with /tmp for the inflated browser (lib/chromium-layer.ts).
    preview: new CutlineFunction(scope, 'PreviewFunction', {
      entry: HANDLERS.api.preview,
      memorySize: 1769,
      timeout: Duration.seconds(29),
      environment: { ...props.environment, ...withFfmpeg.environment, ...props.chromium?.environment },
      logGroup: props.logGroup,
      layers: [...withFfmpeg.layers, ...(props.chromium ? [props.chromium.layer] : [])],
      architecture: props.mediaArchitecture,
      withFonts: true,
      ephemeralStorageMiB: 1024,
    }),
    webhooks: new CutlineFunction(scope, 'WebhooksFunction', {
      entry: HANDLERS.api.webhooks,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { ...props.environment, ...props.webhookSecrets.environment },
      logGroup: props.logGroup,
    }),
  };
}

/** Each API function's grants: the calls its code makes, on the resources it makes them on. */
function grantApiAccess(f: ApiFunctions, props: ApiProps): void {
  const { table, ingest, outputs, stateMachine, bus } = props;
  // Health: one GetItem, HeadBucket on both buckets, DescribeStateMachine — and nothing else.
  table.grant(f.health, 'dynamodb:GetItem');
  f.health.addToRolePolicy(
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [ingest.bucketArn, outputs.bucketArn] }),
  );
  stateMachine.grant(f.health, 'states:DescribeStateMachine');
  table.grantReadData(f.usage);
  table.grantReadData(f.metrics);
  // Submit reads source headers through presigned GETs (the estimate) and the month's usage (quotas).
  ingest.grantRead(f.renders);
  ingest.grantRead(f.templates);
  outputs.grantRead(f.templates);
  ingest.grantPut(f.uploads);
  table.grantReadWriteData(f.templates);
  stateMachine.grantStartExecution(f.templates);
  // Projects: the table, starting compose jobs, and presigned GETs of their assets and final videos.
  table.grantReadWriteData(f.projects);
  stateMachine.grantStartExecution(f.projects);
  ingest.grantRead(f.projects);
  outputs.grantRead(f.projects);
  table.grantReadWriteData(f.renders);
  outputs.grantRead(f.renders);
  // Validate checks sources as submit does: HeadObject for their size (maxSourceBytes).
  ingest.grantRead(f.validate);
  outputs.grantRead(f.validate);
  // Preview checks sources as validate does, then reads them in place (ranged GETs) to draw one frame.
  ingest.grantRead(f.preview);
  outputs.grantRead(f.preview);
  // Cancel removes what the job stored (work/ and outputs/) after it marks the job CANCELLED.
  outputs.grantDelete(f.renders);
  stateMachine.grantStartExecution(f.renders);
  // StopExecution is authorized against the execution (…:execution:<machine>:<name>), not the machine.
  stateMachine.grantExecution(f.renders, 'states:StopExecution');
  bus.grantPutEventsTo(f.renders);
  // Show (Get) and rotate (Put) a tenant's secret; Create for a tenant's first one.
  props.webhookSecrets.grant(
    f.webhooks,
    'secretsmanager:GetSecretValue',
    'secretsmanager:CreateSecret',
    'secretsmanager:PutSecretValue',
  );
}
