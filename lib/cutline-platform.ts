import { existsSync } from 'node:fs';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Period } from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { RetrySchedule } from '../lambdas/core/webhooks/schedule.js';
import { ENV, HANDLERS } from '../lambdas/core/config.js';
import { checkLimitOverrides, limitsEnv, type EditLimits } from '../lambdas/core/edit/limits.js';
import { Quota } from '../lambdas/core/quota/quota.js';
import { Api } from './api.js';
import { Events } from './events.js';
import { ExecutionWatch } from './execution-watch.js';
import { FfmpegLayer } from './ffmpeg-layer.js';
import { MediaConvertPackaging } from './mediaconvert.js';
import { WebConsole } from './console.js';
import { CutlineFunction, ROOT } from './functions.js';
import { Observability } from './observability.js';
import { Pipeline } from './pipeline.js';
import { RenderFleet } from './render-fleet.js';
import { State } from './state.js';
import { Storage } from './storage.js';

export interface CutlinePlatformProps {
  /** API throttle per key (requests per second and burst). Default 50 / 100. */
  apiThrottle?: { rateLimit: number; burstLimit: number };
  /** Requests per key per day. Default 100 000. */
  apiQuotaPerDay?: number;
  /** https hosts sources may be fetched from. Default: none. */
  allowedSourceHosts?: string[];
  /** Memory of the render functions (MiB); more memory is more vCPU. Default 3008. */
  renderMemoryMiB?: number;
  /**
   * Edit and source limits (lambdas/core/edit/limits.ts), numbers or text such as `'20GB'` for bytes and
   * `'4h'` for seconds: e.g. `{ maxSourceBytes: '20GB', maxSourcePixels: 100_000_000 }`. Defaults:
   * DEFAULT_LIMITS (10 GiB per source, 64 MP and 512 MiB per decoded frame, 3 h timelines).
   */
  limits?: Partial<Record<keyof EditLimits, number | string>>;
  /** Chunks rendered at once by the Map state. Default 50. */
  mapConcurrency?: number;
  /**
   * The render budget: reserved concurrency of each render function (chunks, audio, stitch), so a burst
   * of jobs queues on throttles (retried with backoff by the state machine) instead of taking the
   * account's whole Lambda concurrency. Default: unreserved. Keep mapConcurrency at or below it.
   */
  renderConcurrency?: number;
  /** Fargate task size for long renders. Default 4 vCPU / 8 GiB. */
  fargate?: { cpu: number; memoryLimitMiB: number };
  logRetention?: RetentionDays;
  /** Default RETAIN: deleting the stack keeps the buckets and the table. */
  removalPolicy?: RemovalPolicy;
  /**
   * AWS Elemental MediaConvert packages the `hls` preset where a job asks (`"packager": "mediaconvert"`),
   * through the state machine's `mediaconvert:createJob.sync` state; with `default: true`, also where it
   * names no packager. `queueArn` defaults to the account's Default queue. Default: off — hls runs on
   * ffmpeg, and a job asking for MediaConvert is refused at submit with NOT_SUPPORTED.
   */
  mediaConvert?: boolean | { readonly queueArn?: string; readonly default?: boolean };
  /**
   * Quota for tenants without their own (PK=TENANT#<key id>, SK=QUOTA in the table), e.g.
   * `{ renderMinutesPerMonth: 600 }`. Default: none (the usage plan's request quota only).
   */
  defaultQuota?: Quota;
  /**
   * Webhook delivery retries: `attempts` tries, waiting min(baseSeconds·2^(n-1), maxSeconds) after try n,
   * then the dead-letter queue (and its alarm). Default 14 tries over about 7 hours (30 s … 1 h).
   */
  webhookRetry?: RetrySchedule;
  /** Seconds an old tenant webhook secret keeps signing after a rotation. Default 86 400 (24 h). */
  webhookSecretGraceSeconds?: number;
  /** Deploy the web console (S3 + CloudFront, the API URL injected). Default false. */
  webConsole?: boolean;
  /**
   * The one tenant (API key id) every dropped file belongs to, keys then `drop/<…>`. Default: none, the
   * drop folder is per tenant, `drop/<tenant id>/<…>`.
   */
  dropFolderOwner?: string;
  /** An address subscribed (by email, it must confirm) to the topic every alarm sends to. Default: none. */
  alarmEmail?: string;
  /**
   * Synthesize without the built ffmpeg layer (offline checks and tests only: every render would fail).
   * Default: the `allowMissingFfmpegLayer` context value, else false (synth fails).
   */
  allowMissingFfmpegLayer?: boolean;
}

/** The whole platform: API, pipeline, storage, events, render fleet and operations, with defaults. */
export class CutlinePlatform extends Construct {
  readonly api: Api;
  readonly pipeline: Pipeline;
  readonly storage: Storage;
  readonly state: State;
  readonly events: Events;
  readonly webConsole?: WebConsole;
  readonly observability: Observability;
  readonly executionWatch: ExecutionWatch;

  constructor(scope: Construct, id: string, props: CutlinePlatformProps = {}) {
    super(scope, id);
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.storage = new Storage(this, 'Storage', { removalPolicy, workExpiryDays: 7 });
    this.state = new State(this, 'State', { removalPolicy });
    const deliveryTimeout = Duration.seconds(30);
    this.events = new Events(this, 'Events', {
      archiveRetentionDays: 30,
      webhookRetry: props.webhookRetry,
      deliveryTimeout,
    });
    // Tenant webhook secrets: Secrets Manager names under one prefix per stack, the only ones granted.
    const secretPrefix = `cutline/webhook/${Stack.of(this).stackName}/`;
    const secretArns = [
      Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${secretPrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ];
    const grantSecrets = (fn: IGrantable, actions: string[]) =>
      fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: secretArns }));
    const secretEnv: Record<string, string> = {
      [ENV.WEBHOOK_SECRET_PREFIX]: secretPrefix,
      ...(props.webhookSecretGraceSeconds !== undefined
        ? { [ENV.WEBHOOK_SECRET_GRACE_SECONDS]: String(props.webhookSecretGraceSeconds) }
        : {}),
    };
    const logGroup = new LogGroup(this, 'FunctionLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const env: Record<string, string> = {
      CUTLINE_TABLE_NAME: this.state.table.tableName,
      CUTLINE_INGEST_BUCKET: this.storage.ingest.bucketName,
      CUTLINE_OUTPUTS_BUCKET: this.storage.outputs.bucketName,
      CUTLINE_EVENT_BUS_NAME: this.events.bus.eventBusName,
      CUTLINE_ALLOWED_SOURCE_HOSTS: (props.allowedSourceHosts ?? []).join(','),
      CUTLINE_PLAN_LIMITS: JSON.stringify({ maxConcurrency: props.mapConcurrency ?? 50 }),
      // Checked at synth: a bad limit fails `cdk synth` with its name, not a running function.
      ...limitsEnv(checkLimitOverrides(props.limits, 'CutlinePlatform limits')),
    };
    const mcProps = typeof props.mediaConvert === 'object' ? props.mediaConvert : {};
    const mediaConvert = props.mediaConvert
      ? new MediaConvertPackaging(this, 'MediaConvert', {
          outputs: this.storage.outputs,
          ...(mcProps.queueArn ? { queueArn: mcProps.queueArn } : {}),
        })
      : undefined;
    if (mediaConvert) {
      env[ENV.MEDIACONVERT_ROLE_ARN] = mediaConvert.role.roleArn;
      env[ENV.MEDIACONVERT_QUEUE_ARN] = mediaConvert.queueArn;
      if (mcProps.default) env[ENV.HLS_PACKAGER] = 'mediaconvert';
    }
    const fleet = new RenderFleet(this, 'RenderFleet', {
      cpu: props.fargate?.cpu ?? 4096,
      memoryLimitMiB: props.fargate?.memoryLimitMiB ?? 8192,
      environment: env,
      logGroup,
    });
    const ffmpeg = new FfmpegLayer(this, 'Ffmpeg', { allowMissing: props.allowMissingFfmpegLayer });
    this.pipeline = new Pipeline(this, 'Pipeline', {
      table: this.state.table,
      ingest: this.storage.ingest,
      outputs: this.storage.outputs,
      bus: this.events.bus,
      fleet,
      ffmpegLayer: ffmpeg.layer,
      environment: env,
      renderMemoryMiB: props.renderMemoryMiB ?? 3008,
      renderConcurrency: props.renderConcurrency,
      logGroup,
      logRetention: retention,
    });
    mediaConvert?.grantJobs(this.pipeline.stateMachine);
    const apiEnv: Record<string, string> = {
      ...env,
      CUTLINE_STATE_MACHINE_ARN: this.pipeline.stateMachine.stateMachineArn,
      ...(props.defaultQuota
        ? { CUTLINE_DEFAULT_QUOTA: JSON.stringify(Quota.parse(props.defaultQuota)) }
        : {}),
    };
    // Health reports the ffmpeg renders use, and submit reads source headers with ffprobe for the
    // estimate: those two carry the layer.
    const withFfmpeg = {
      layers: [ffmpeg.layer],
      environment: { CUTLINE_FFMPEG: '/opt/bin/ffmpeg', CUTLINE_FFPROBE: '/opt/bin/ffprobe' },
    };
    const apiFn = (entry: string, idName: string, extra?: typeof withFfmpeg) =>
      new CutlineFunction(this, idName, {
        entry,
        memorySize: 512,
        timeout: Duration.seconds(29),
        environment: { ...apiEnv, ...extra?.environment },
        logGroup,
        ...(extra ? { layers: extra.layers } : {}),
      });
    const handlers = {
      health: apiFn(HANDLERS.api.health, 'HealthFunction', withFfmpeg),
      openapi: apiFn(HANDLERS.api.openapi, 'OpenApiFunction'),
      renders: apiFn(HANDLERS.api.renders, 'RendersFunction', withFfmpeg),
      uploads: apiFn(HANDLERS.api.uploads, 'UploadsFunction'),
      templates: apiFn(HANDLERS.api.templates, 'TemplatesFunction', withFfmpeg),
      usage: apiFn(HANDLERS.api.usage, 'UsageFunction'),
      metrics: apiFn(HANDLERS.api.metrics, 'MetricsFunction'),
      // Projects plan on the backing track's beats: ffmpeg decodes it (read in place).
      projects: apiFn(HANDLERS.api.projects, 'ProjectsFunction', withFfmpeg),
      // Validate answers the submit estimate too: ffprobe reads the headers of `length: "auto"` sources.
      validate: apiFn(HANDLERS.api.validate, 'ValidateFunction', withFfmpeg),
      // One frame through the real compiler: the layer's ffmpeg, and a full vCPU (1769 MB) to draw it fast.
      preview: new CutlineFunction(this, 'PreviewFunction', {
        entry: HANDLERS.api.preview,
        memorySize: 1769,
        timeout: Duration.seconds(29),
        environment: { ...apiEnv, ...withFfmpeg.environment },
        logGroup,
        layers: withFfmpeg.layers,
      }),
      webhooks: new CutlineFunction(this, 'WebhooksFunction', {
        entry: HANDLERS.api.webhooks,
        memorySize: 256,
        timeout: Duration.seconds(10),
        environment: { ...apiEnv, ...secretEnv },
        logGroup,
      }),
    };
    // Show (Get) and rotate (Put) a tenant's secret; Create for a tenant's first one.
    grantSecrets(handlers.webhooks, [
      'secretsmanager:GetSecretValue',
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
    ]);
    // Health: one GetItem, HeadBucket on both buckets, DescribeStateMachine — and nothing else.
    this.state.table.grant(handlers.health, 'dynamodb:GetItem');
    handlers.health.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.storage.ingest.bucketArn, this.storage.outputs.bucketArn],
      }),
    );
    this.pipeline.stateMachine.grant(handlers.health, 'states:DescribeStateMachine');
    this.state.table.grantReadData(handlers.usage);
    this.state.table.grantReadData(handlers.metrics);
    // Submit reads source headers through presigned GETs (the estimate) and the month's usage (quotas).
    this.storage.ingest.grantRead(handlers.renders);
    this.storage.ingest.grantRead(handlers.templates);
    this.storage.outputs.grantRead(handlers.templates);
    this.storage.ingest.grantPut(handlers.uploads);
    this.state.table.grantReadWriteData(handlers.templates);
    this.pipeline.stateMachine.grantStartExecution(handlers.templates);
    // Projects: the table, starting compose jobs, and presigned GETs of their assets and final videos.
    this.state.table.grantReadWriteData(handlers.projects);
    this.pipeline.stateMachine.grantStartExecution(handlers.projects);
    this.storage.ingest.grantRead(handlers.projects);
    this.storage.outputs.grantRead(handlers.projects);
    this.state.table.grantReadWriteData(handlers.renders);
    this.storage.outputs.grantRead(handlers.renders);
    // Validate checks sources as submit does: HeadObject for their size (maxSourceBytes).
    this.storage.ingest.grantRead(handlers.validate);
    this.storage.outputs.grantRead(handlers.validate);
    // Preview checks sources as validate does, then reads them in place (ranged GETs) to draw one frame.
    this.storage.ingest.grantRead(handlers.preview);
    this.storage.outputs.grantRead(handlers.preview);
    // Cancel removes what the job stored (work/ and outputs/) after it marks the job CANCELLED.
    this.storage.outputs.grantDelete(handlers.renders);
    this.pipeline.stateMachine.grantStartExecution(handlers.renders);
    // StopExecution is authorized against the execution (…:execution:<machine>:<name>), not the machine.
    this.pipeline.stateMachine.grantExecution(handlers.renders, 'states:StopExecution');
    this.events.bus.grantPutEventsTo(handlers.renders);
    this.api = new Api(this, 'Api', {
      handlers,
      throttle: props.apiThrottle ?? { rateLimit: 50, burstLimit: 100 },
      quota: { limit: props.apiQuotaPerDay ?? 100_000, period: Period.DAY },
      logRetention: retention,
    });

    // The drop folder: objects under drop/ in the ingest bucket start jobs.
    let drop: CutlineFunction | undefined;
    if (existsSync(`${ROOT}${HANDLERS.triggers.dropFolder}`)) {
      drop = new CutlineFunction(this, 'DropFolderFunction', {
        entry: HANDLERS.triggers.dropFolder,
        memorySize: 512,
        timeout: Duration.minutes(1),
        environment: {
          ...apiEnv,
          ...(props.dropFolderOwner ? { [ENV.DROP_TENANT]: props.dropFolderOwner } : {}),
        },
        logGroup,
      });
      this.state.table.grantReadWriteData(drop);
      this.storage.ingest.grantReadWrite(drop);
      this.pipeline.stateMachine.grantStartExecution(drop);
      this.storage.ingest.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(drop), {
        prefix: 'drop/',
      });
    }
    const webhook = new CutlineFunction(this, 'WebhookFunction', {
      entry: HANDLERS.triggers.webhook,
      memorySize: 256,
      timeout: deliveryTimeout,
      environment: {
        ...env,
        ...secretEnv,
        [ENV.WEBHOOK_RETRY]: JSON.stringify(this.events.schedule),
      },
      logGroup,
    });
    this.state.table.grant(webhook, 'dynamodb:GetItem');
    // Reads a tenant's secrets; creates the first one when a tenant's first event goes out.
    grantSecrets(webhook, ['secretsmanager:GetSecretValue', 'secretsmanager:CreateSecret']);
    this.events.deliverWebhooks(webhook);

    this.executionWatch = new ExecutionWatch(this, 'ExecutionWatch', {
      stateMachine: this.pipeline.stateMachine,
      table: this.state.table,
      ingest: this.storage.ingest,
      outputs: this.storage.outputs,
      bus: this.events.bus,
      environment: env,
      logGroup,
    });

    this.observability = new Observability(this, 'Observability', {
      stateMachine: this.pipeline.stateMachine,
      api: this.api.api,
      functions: {
        ...handlers,
        ...Object.fromEntries(
          Object.entries(this.pipeline.functions).map(([name, fn]) => [`pipeline-${name}`, fn]),
        ),
        webhook,
        executionEnded: this.executionWatch.fn,
        ...(drop ? { dropFolder: drop } : {}),
      },
      deadLetterQueues: { ExecutionEnded: this.executionWatch.deadLetters },
      extraAlarms: [this.events.dlqAlarm],
      alarmEmail: props.alarmEmail,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.alarmTopic.topicArn });
    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    new CfnOutput(this, 'ApiKeyId', {
      value: this.api.key.keyId,
      description: 'aws apigateway get-api-key --api-key <id> --include-value',
    });
    if (props.webConsole) {
      this.webConsole = new WebConsole(this, 'Console', {
        // The stage URL (…/v1/); the console appends the routes (/v1/renders, …) to it.
        apiUrl: this.api.api.url,
        logsBucket: this.storage.logs,
        removalPolicy,
      });
      new CfnOutput(this, 'ConsoleUrl', { value: this.webConsole.url });
    }
    new CfnOutput(this, 'IngestBucket', { value: this.storage.ingest.bucketName });
    new CfnOutput(this, 'OutputsBucket', { value: this.storage.outputs.bucketName });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
  }
}
