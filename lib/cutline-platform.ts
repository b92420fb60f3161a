import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Period } from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { RetrySchedule } from '../lambdas/core/webhooks/schedule.js';
import { ENV } from '../lambdas/core/config.js';
import { checkLimitOverrides, limitsEnv, type EditLimits } from '../lambdas/core/edit/limits.js';
import { Quota } from '../lambdas/core/quota/quota.js';
import { aiEnvironment, grantAiPlanning, grantAiProviders, type AiProvidersProps } from './ai-providers.js';
import { Api } from './api.js';
import { Events } from './events.js';
import { ExecutionWatch } from './execution-watch.js';
import { FfmpegLayer } from './ffmpeg-layer.js';
import { CHROMIUM_ARCHITECTURE, ChromiumLayer } from './chromium-layer.js';
import { MediaConvertPackaging } from './mediaconvert.js';
import { WebConsole } from './console.js';
import { Observability } from './observability.js';
import { Pipeline } from './pipeline.js';
import { RenderFleet } from './render-fleet.js';
import { State } from './state.js';
import { Storage } from './storage.js';
import { Triggers } from './triggers.js';
import { WebhookSecrets } from './webhook-secrets.js';

export interface CutlinePlatformProps {
  /** API throttle per key (requests per second and burst). Default 50 / 100. */
  readonly apiThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Requests per key per day. Default 100 000. */
  readonly apiQuotaPerDay?: number;
  /** https hosts sources may be fetched from. Default: none. */
  readonly allowedSourceHosts?: readonly string[];
  /** Memory of the render functions (MiB); more memory is more vCPU. Default 3008. */
  readonly renderMemoryMiB?: number;
  /**
   * Edit and source limits (lambdas/core/edit/limits.ts), numbers or text such as `'20GB'` for bytes and
   * `'4h'` for seconds: e.g. `{ maxSourceBytes: '20GB', maxSourcePixels: 100_000_000 }`. Defaults:
   * DEFAULT_LIMITS (10 GiB per source, 64 MP and 512 MiB per decoded frame, 3 h timelines).
   */
  readonly limits?: Partial<Record<keyof EditLimits, number | string>>;
  /** Chunks rendered at once by the Map state. Default 50. */
  readonly mapConcurrency?: number;
  /**
   * The render functions' time per second of the cost model (PlanLimits.costScale): 1.3 where renders take
   * 1.3× the estimate, as GET /v1/metrics's estimate error shows after some jobs. Scales the estimates
   * and the task time limits. Default 1. Between 0.1 and 10.
   */
  readonly costScale?: number;
  /**
   * The render budget: reserved concurrency of each render function (chunks, audio, stitch), so a burst
   * of jobs queues on throttles (retried with backoff by the state machine) instead of taking the
   * account's whole Lambda concurrency. Default: unreserved. Keep mapConcurrency at or below it.
   */
  readonly renderConcurrency?: number;
  /** Fargate task size for long renders. Default 4 vCPU / 8 GiB. */
  readonly fargate?: { readonly cpu: number; readonly memoryLimitMiB: number };
  /** Retention of the function, execution and access logs. Default one month. */
  readonly logRetention?: RetentionDays;
  /** Default RETAIN: deleting the stack keeps the buckets and the table. */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * AWS Elemental MediaConvert packages the `hls` preset where a job asks (`"packager": "mediaconvert"`),
   * through the state machine's `mediaconvert:createJob.sync` state; with `default: true`, also where it
   * names no packager. `queueArn` defaults to the account's Default queue. Default: off — hls runs on
   * ffmpeg, and a job asking for MediaConvert is refused at submit with NOT_SUPPORTED.
   */
  readonly mediaConvert?: boolean | { readonly queueArn?: string; readonly default?: boolean };
  /**
   * Quota for tenants without their own (PK=TENANT#<key id>, SK=QUOTA in the table), e.g.
   * `{ renderMinutesPerMonth: 600 }`. Default: none (the usage plan's request quota only).
   */
  readonly defaultQuota?: Quota;
  /**
   * Webhook delivery retries: `attempts` tries, waiting min(baseSeconds·2^(n-1), maxSeconds) after try n,
   * then the dead-letter queue (and its alarm). Default 14 tries over about 7 hours (30 s … 1 h).
   */
  readonly webhookRetry?: RetrySchedule;
  /** Seconds an old tenant webhook secret keeps signing after a rotation. Default 86 400 (24 h). */
  readonly webhookSecretGraceSeconds?: number;
  /**
   * S3 buckets (in this account or another) that edits may name in `output.destinations` (provider
   * `s3`): Finalize copies the job's files there, and its role is granted s3:PutObject and
   * s3:PutObjectAcl on these buckets only. A bucket in another account must also allow that role in its
   * bucket policy. Default: none — an s3 destination is refused at submit with NOT_SUPPORTED.
   */
  readonly destinationBuckets?: string[];
  /** Deploy the web console (S3 + CloudFront, the API URL injected). Default false. */
  readonly webConsole?: boolean;
  /**
   * The one tenant (API key id) every dropped file belongs to, keys then `drop/<…>`. Default: none, the
   * drop folder is per tenant, `drop/<tenant id>/<…>`.
   */
  readonly dropFolderOwner?: string;
  /** An address subscribed (by email, it must confirm) to the topic every alarm sends to. Default: none. */
  readonly alarmEmail?: string;
  /**
   * Synthesize without the built ffmpeg layer (offline checks and tests only: every render would fail).
   * Default: the `allowMissingFfmpegLayer` context value, else false (synth fails).
   */
  readonly allowMissingFfmpegLayer?: boolean;
  /**
   * Draw html, svg, shape and rich-text assets (default true): the functions that draw carry the Chromium
   * layer (lib/chromium-layer.ts) and run on x86_64 with an x86_64 ffmpeg layer, the Fargate image has
   * Chromium. false: those assets are refused at submit (NOT_SUPPORTED), and every function is arm64.
   */
  readonly htmlAssets?: boolean;
  /**
   * AI providers (lib/ai-providers.ts): Amazon Transcribe, Amazon Polly, Bedrock ranking, Amazon
   * Rekognition face detection, and their region. Default: none enabled — transcription, voice and face
   * reframing are refused with NOT_SUPPORTED, clip ranking is the built-in heuristic.
   */
  readonly ai?: AiProvidersProps;
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
  /** The buckets output.destinations may send to (props.destinationBuckets). */
  readonly destinationBuckets: readonly string[];
  readonly executionWatch: ExecutionWatch;
  readonly triggers: Triggers;

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
    const webhookSecrets = new WebhookSecrets(this, 'WebhookSecrets', {
      graceSeconds: props.webhookSecretGraceSeconds,
    });
    const logGroup = new LogGroup(this, 'FunctionLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const htmlAssets = props.htmlAssets ?? true;
    const chromium = htmlAssets ? new ChromiumLayer(this, 'Chromium') : undefined;
    const mediaArchitecture = htmlAssets ? CHROMIUM_ARCHITECTURE : Architecture.ARM_64;
    const env: Record<string, string> = {
      [ENV.TABLE_NAME]: this.state.table.tableName,
      [ENV.INGEST_BUCKET]: this.storage.ingest.bucketName,
      [ENV.OUTPUTS_BUCKET]: this.storage.outputs.bucketName,
      [ENV.EVENT_BUS_NAME]: this.events.bus.eventBusName,
      [ENV.ALLOWED_SOURCE_HOSTS]: (props.allowedSourceHosts ?? []).join(','),
      [ENV.DESTINATION_BUCKETS]: (props.destinationBuckets ?? []).join(','),
      [ENV.PLAN_LIMITS]: JSON.stringify({
        maxConcurrency: props.mapConcurrency ?? 50,
        ...(props.costScale !== undefined ? { costScale: checkCostScale(props.costScale) } : {}),
      }),
      // Checked at synth: a bad limit fails `cdk synth` with its name, not a running function.
      ...limitsEnv(checkLimitOverrides(props.limits, 'CutlinePlatform limits')),
      ...aiEnvironment(props.ai),
      ...(htmlAssets ? { [ENV.HTML_RENDERER]: 'chromium' } : {}),
      // Provider calls in the pipeline (transcription, voice, ranking) are checked against it too.
      ...(props.defaultQuota ? { [ENV.DEFAULT_QUOTA]: JSON.stringify(Quota.parse(props.defaultQuota)) } : {}),
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
    const ffmpeg = new FfmpegLayer(this, 'Ffmpeg', {
      allowMissing: props.allowMissingFfmpegLayer,
      architecture: mediaArchitecture,
    });
    this.pipeline = new Pipeline(this, 'Pipeline', {
      table: this.state.table,
      ingest: this.storage.ingest,
      outputs: this.storage.outputs,
      bus: this.events.bus,
      fleet,
      ffmpegLayer: ffmpeg.layer,
      mediaArchitecture,
      chromium,
      environment: env,
      renderMemoryMiB: props.renderMemoryMiB ?? 3008,
      renderConcurrency: props.renderConcurrency,
      logGroup,
      logRetention: retention,
    });
    mediaConvert?.grantJobs(this.pipeline.stateMachine);
    grantAiProviders(Stack.of(this), props.ai ?? {}, this.pipeline.functions);
    this.destinationBuckets = [...(props.destinationBuckets ?? [])];
    // output.destinations: the deployer's opt-in buckets, writable by Finalize alone.
    if (props.destinationBuckets?.length)
      this.pipeline.functions.finalize.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:PutObjectAcl'],
          resources: props.destinationBuckets.map((b) => `arn:${Stack.of(this).partition}:s3:::${b}/*`),
        }),
      );
    // The functions that submit jobs (the API, the drop folder) start executions and apply quotas.
    const submitEnv: Record<string, string> = {
      ...env,
      [ENV.STATE_MACHINE_ARN]: this.pipeline.stateMachine.stateMachineArn,
    };
    this.api = new Api(this, 'Api', {
      table: this.state.table,
      ingest: this.storage.ingest,
      outputs: this.storage.outputs,
      stateMachine: this.pipeline.stateMachine,
      bus: this.events.bus,
      environment: submitEnv,
      ffmpegLayer: ffmpeg.layer,
      mediaArchitecture,
      chromium,
      webhookSecrets,
      logGroup,
      throttle: props.apiThrottle,
      quota:
        props.apiQuotaPerDay !== undefined ? { limit: props.apiQuotaPerDay, period: Period.DAY } : undefined,
      logRetention: retention,
    });
    grantAiPlanning(Stack.of(this), props.ai ?? {}, this.api.functions.projects);
    this.triggers = new Triggers(this, 'Triggers', {
      table: this.state.table,
      ingest: this.storage.ingest,
      stateMachine: this.pipeline.stateMachine,
      events: this.events,
      submitEnvironment: submitEnv,
      dropFolderOwner: props.dropFolderOwner,
      environment: env,
      webhookSecrets,
      deliveryTimeout,
      logGroup,
    });

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
        ...this.api.functions,
        ...Object.fromEntries(
          Object.entries(this.pipeline.functions).map(([name, fn]) => [`pipeline-${name}`, fn]),
        ),
        webhook: this.triggers.webhook,
        executionEnded: this.executionWatch.fn,
        ...(this.triggers.dropFolder ? { dropFolder: this.triggers.dropFolder } : {}),
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

/** At synth: a scale outside 0.1–10 is a typo, and would write task limits that fail every render. */
function checkCostScale(scale: number): number {
  if (!Number.isFinite(scale) || scale < 0.1 || scale > 10)
    throw new Error(`CutlinePlatform costScale must be a number between 0.1 and 10, got ${scale}`);
  return scale;
}
