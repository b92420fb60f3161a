import { tmpdir } from 'node:os';
import { join } from 'node:path';
/** The one service name of logs, metrics and traces (core/observability.ts; POWERTOOLS_SERVICE_NAME in AWS). */
export const SERVICE_NAME = 'cutline';

/** Who sets a variable: the CDK stack (lib/), the local platform (local/), the render image, a person, tests. */
export type EnvSetter = 'stack' | 'local' | 'image' | 'operator' | 'tests';

interface EnvVar {
  readonly name: string;
  readonly meaning: string;
  /** The value code falls back to when the variable is unset or empty (read through `setting`). */
  readonly fallback?: string;
  /** The default in words, where it is computed (a folder) or means "off". */
  readonly default?: string;
  readonly setBy: readonly EnvSetter[];
}

/**
 * The environment contract between the stack (lib/) or the local runtime (local/) and the handlers: every
 * variable code under lambdas/ reads or lib/ sets, with its meaning, its default and who sets it. The
 * constructs import the names from here, and test/unit/config/env-table.test.ts fails on any name that is
 * read or set without a row; docs/environment.md is generated from it (core/env-doc.ts).
 */
export const ENV_VARS = {
  TABLE_NAME: {
    name: 'CUTLINE_TABLE_NAME',
    meaning: 'The DynamoDB table (jobs, templates, projects, usage).',
    setBy: ['stack', 'local'],
  },
  INGEST_BUCKET: {
    name: 'CUTLINE_INGEST_BUCKET',
    meaning: 'The bucket of uploads (inputs/) and the drop folder (drop/).',
    setBy: ['stack', 'local'],
  },
  OUTPUTS_BUCKET: {
    name: 'CUTLINE_OUTPUTS_BUCKET',
    meaning: 'The bucket of results (outputs/) and intermediates (work/).',
    setBy: ['stack', 'local'],
  },
  STATE_MACHINE_ARN: {
    name: 'CUTLINE_STATE_MACHINE_ARN',
    meaning: 'The render state machine that submit starts.',
    setBy: ['stack', 'local'],
  },
  EVENT_BUS_NAME: {
    name: 'CUTLINE_EVENT_BUS_NAME',
    meaning: 'The custom bus job events go to.',
    setBy: ['stack', 'local'],
  },
  DESTINATION_BUCKETS: {
    name: 'CUTLINE_DESTINATION_BUCKETS',
    meaning:
      'Comma-separated S3 buckets output.destinations may send to (CutlinePlatform destinationBuckets).',
    default: 'empty: every destination is refused',
    setBy: ['stack', 'local'],
  },
  ALLOWED_SOURCE_HOSTS: {
    name: 'CUTLINE_ALLOWED_SOURCE_HOSTS',
    meaning: 'Comma-separated https hosts sources may be fetched from.',
    default: 'empty: every https source is refused',
    setBy: ['stack', 'operator'],
  },
  PLAN_LIMITS: {
    name: 'CUTLINE_PLAN_LIMITS',
    meaning: 'JSON of Partial<PlanLimits> (Map concurrency, Lambda budgets).',
    default: '{} (DEFAULT_PLAN_LIMITS)',
    setBy: ['stack', 'local'],
  },
  LIMITS: {
    name: 'CUTLINE_LIMITS',
    meaning:
      'JSON of Partial<EditLimits> (edit/limits.ts): source bytes and pixels, tracks, clips, durations.',
    default: 'DEFAULT_LIMITS',
    setBy: ['stack', 'local', 'operator'],
  },
  FARGATE_SUBNETS: {
    name: 'CUTLINE_FARGATE_SUBNETS',
    meaning: 'Comma-separated subnet ids of the Fargate render tasks.',
    setBy: ['stack'],
  },
  FARGATE_SECURITY_GROUPS: {
    name: 'CUTLINE_FARGATE_SECURITY_GROUPS',
    meaning: 'Comma-separated security group ids of the Fargate render tasks.',
    setBy: ['stack'],
  },
  MEDIA_ROOT: {
    name: 'CUTLINE_MEDIA_ROOT',
    meaning: 'Local mode only: file:// sources under this folder are allowed. Never set in AWS.',
    default: 'unset: file:// sources are refused',
    setBy: ['local'],
  },
  DATA_DIR: {
    name: 'CUTLINE_DATA_DIR',
    meaning:
      'Local mode only: the data folder of the local platform, hidden like other internal paths in error messages.',
    setBy: ['local'],
  },
  DEFAULT_QUOTA: {
    name: 'CUTLINE_DEFAULT_QUOTA',
    meaning: 'JSON of a Quota (quota/quota.ts) for tenants without their own PK=TENANT#<id>, SK=QUOTA item.',
    default: 'none',
    setBy: ['stack', 'local'],
  },
  DROP_TENANT: {
    name: 'CUTLINE_DROP_TENANT',
    meaning: 'The one owner of the whole drop folder (construct prop dropFolderOwner).',
    default: 'unset: the drop folder is per tenant, drop/<tenant id>/',
    setBy: ['stack', 'tests'],
  },
  S3_FORCE_PATH_STYLE: {
    name: 'CUTLINE_S3_FORCE_PATH_STYLE',
    meaning: 'Local mode only: "true" makes S3 clients use path-style URLs (s3rver).',
    default: 'off',
    setBy: ['local'],
  },
  RECORD_AWS_CALLS: {
    name: 'CUTLINE_RECORD_AWS_CALLS',
    meaning:
      'Tests only: a file every AWS call is appended to (aws/call-recorder.ts), for the IAM simulation.',
    setBy: ['tests'],
  },
  CALLER: {
    name: 'CUTLINE_CALLER',
    meaning:
      'Tests only: the function a process runs as, for recorded calls made outside runAs (the Fargate task).',
    setBy: ['tests', 'local'],
  },
  WEBHOOK_ALLOW_LOOPBACK: {
    name: 'CUTLINE_WEBHOOK_ALLOW_LOOPBACK',
    meaning:
      'Development only: webhook callbacks and subscribers may target loopback (127.0.0.0/8, ::1) when exactly "true". The stack never sets it.',
    default: 'off',
    setBy: ['local'],
  },
  WEBHOOK_RETRY: {
    name: 'CUTLINE_WEBHOOK_RETRY',
    meaning: 'JSON of a webhook RetrySchedule (webhooks/schedule.ts): attempts, baseSeconds, maxSeconds.',
    default: '14 tries over about 7 hours',
    setBy: ['stack', 'local'],
  },
  WEBHOOK_SECRET_PREFIX: {
    name: 'CUTLINE_WEBHOOK_SECRET_PREFIX',
    meaning:
      'AWS: tenant webhook secrets live in Secrets Manager under this name prefix (`cutline/webhook/…/`).',
    setBy: ['stack'],
  },
  WEBHOOK_SECRETS_DIR: {
    name: 'CUTLINE_WEBHOOK_SECRETS_DIR',
    meaning: 'Local: tenant webhook secrets are 0600 files in this folder instead.',
    setBy: ['local'],
  },
  WEBHOOK_SECRET_GRACE_SECONDS: {
    name: 'CUTLINE_WEBHOOK_SECRET_GRACE_SECONDS',
    meaning: 'Seconds an old webhook secret keeps signing after a rotation.',
    default: '86400 (24 h)',
    setBy: ['stack', 'local'],
  },
  WORKERS: {
    name: 'CUTLINE_WORKERS',
    meaning:
      'ffmpeg processes at once in this process (media/processes.ts) and, locally, jobs running at once (local/stepfunctions.ts).',
    default: 'unset: no budget (Lambda renders one thing per invocation)',
    setBy: ['local', 'operator'],
  },
  PID_DIR: {
    name: 'CUTLINE_PID_DIR',
    meaning:
      'Local mode only: pid files of the process groups the engine started, for ending orphans after a crash.',
    setBy: ['local'],
  },
  SCRATCH_DIR: {
    name: 'CUTLINE_SCRATCH_DIR',
    meaning: 'Where render tasks keep their scratch files (sources, chunks, outputs).',
    default: '<tmpdir>/cutline',
    setBy: ['local', 'operator'],
  },
  LOCAL_STORES: {
    name: 'CUTLINE_LOCAL_STORES',
    meaning:
      'Local mode only: JSON `{ "<store>": "<folder>" }` of the disks behind the local stores whose free space /v1/health reports. Never set in AWS (its stores do not fill).',
    setBy: ['local'],
  },
  HLS_PACKAGER: {
    name: 'CUTLINE_HLS_PACKAGER',
    meaning: '`ffmpeg` or `mediaconvert`: who packages `hls` when the preset does not say.',
    default: 'ffmpeg',
    setBy: ['stack'],
  },
  MEDIACONVERT_ROLE_ARN: {
    name: 'CUTLINE_MEDIACONVERT_ROLE_ARN',
    meaning:
      'The role MediaConvert assumes (set when the deployment enables MediaConvert; locally a stand-in ARN).',
    default: 'unset: MediaConvert packaging is refused with NOT_SUPPORTED',
    setBy: ['stack', 'local'],
  },
  MEDIACONVERT_QUEUE_ARN: {
    name: 'CUTLINE_MEDIACONVERT_QUEUE_ARN',
    meaning: 'The MediaConvert queue jobs go to.',
    default: "the account's Default queue",
    setBy: ['stack', 'local'],
  },
  HTML_RENDERER: {
    name: 'CUTLINE_HTML_RENDERER',
    meaning:
      '`chromium` where the deployment’s render tasks can draw html, svg, shape and rich-text assets (the stack sets it unless `htmlAssets: false`).',
    default: 'unset: those assets are refused on the platform',
    setBy: ['stack', 'local'],
  },
  CHROMIUM_PATH: {
    name: 'CUTLINE_CHROMIUM',
    meaning: 'Path of the Chromium binary that draws html assets.',
    default: 'the Chromium layer where CUTLINE_CHROMIUM_LAYER is set, else a system Chromium',
    setBy: ['image', 'operator'],
  },
  CHROMIUM_LAYER: {
    name: 'CUTLINE_CHROMIUM_LAYER',
    meaning:
      'The node_modules folder of the Chromium Lambda layer (@sparticuz/chromium and playwright-core; lib/chromium-layer.ts): the browser is inflated from it into /tmp.',
    default: 'unset: no layer (a system Chromium, or none)',
    setBy: ['stack', 'tests'],
  },
  TRANSCRIBER: {
    name: 'CUTLINE_TRANSCRIBER',
    meaning: 'Transcription engine: pocketsphinx | whisper | transcribe | none (core/providers/settings.ts).',
    default: 'unset: pocketsphinx where it is installed, else none (NOT_SUPPORTED)',
    setBy: ['stack', 'local', 'operator'],
  },
  VOICE: {
    name: 'CUTLINE_VOICE',
    meaning: 'Voice engine: espeak | polly | none.',
    default: 'unset: espeak where espeak-ng is installed, else none',
    setBy: ['stack', 'local', 'operator'],
  },
  RANKER: {
    name: 'CUTLINE_RANKER',
    meaning: 'Clip ranking: heuristic | bedrock | openai.',
    default: 'heuristic',
    setBy: ['stack', 'operator'],
  },
  FACE_DETECTOR: {
    name: 'CUTLINE_FACE_DETECTOR',
    meaning: 'Face detection for reframe mode "face": face-api | rekognition | none.',
    default: 'unset: face-api (its model ships in @vladmandic/face-api) where it loads, else none',
    setBy: ['stack', 'local', 'operator'],
  },
  POCKETSPHINX_PATH: {
    name: 'CUTLINE_POCKETSPHINX',
    meaning: 'The pocketsphinx_continuous binary.',
    default: 'pocketsphinx_continuous',
    setBy: ['operator'],
  },
  POCKETSPHINX_MODEL: {
    name: 'CUTLINE_POCKETSPHINX_MODEL',
    meaning: 'A pocketsphinx model folder (pocketsphinx-en-us layout).',
    default: '/usr/share/pocketsphinx/model/en-us',
    setBy: ['operator'],
  },
  WHISPER_PATH: {
    name: 'CUTLINE_WHISPER',
    meaning: 'whisper.cpp CLI binary; with WHISPER_MODEL selects whisper when TRANSCRIBER is unset.',
    setBy: ['operator'],
  },
  WHISPER_MODEL: {
    name: 'CUTLINE_WHISPER_MODEL',
    meaning: 'A ggml model file for whisper.cpp.',
    setBy: ['operator'],
  },
  POLLY_ENGINE: {
    name: 'CUTLINE_POLLY_ENGINE',
    meaning: 'Amazon Polly engine (neural, standard, long-form, generative).',
    default: 'neural',
    setBy: ['stack'],
  },
  POLLY_VOICE: {
    name: 'CUTLINE_POLLY_VOICE',
    meaning: 'Amazon Polly default voice id.',
    setBy: ['stack'],
  },
  TRANSCRIBE_LANGUAGE: {
    name: 'CUTLINE_TRANSCRIBE_LANGUAGE',
    meaning: 'Language of speech to transcribe (BCP-47).',
    default: 'en-US',
    setBy: ['stack', 'operator'],
  },
  BEDROCK_MODEL_ID: {
    name: 'CUTLINE_BEDROCK_MODEL_ID',
    meaning: 'Bedrock model id (or inference profile) that ranks clip candidates (Converse API).',
    setBy: ['stack'],
  },
  LLM_ENDPOINT: {
    name: 'CUTLINE_LLM_ENDPOINT',
    meaning:
      'An OpenAI-compatible chat completions URL (a local model server), for openai ranking and planning.',
    setBy: ['operator'],
  },
  LLM_MODEL: {
    name: 'CUTLINE_LLM_MODEL',
    meaning: 'The model name sent to LLM_ENDPOINT.',
    setBy: ['operator'],
  },
  PLANNER: {
    name: 'CUTLINE_PLANNER',
    meaning: 'Who writes planned scenes’ prompts and shot notes: bedrock | openai | none.',
    default: 'unset: openai when LLM_ENDPOINT is set, else none (NOT_SUPPORTED)',
    setBy: ['stack', 'local', 'operator'],
  },
  PLANNER_MODEL_ID: {
    name: 'CUTLINE_PLANNER_MODEL_ID',
    meaning: 'Bedrock model id (or inference profile) that plans project scenes (Converse API).',
    setBy: ['stack'],
  },
  LLM_PRICE: {
    name: 'CUTLINE_LLM_USD_PER_MILLION_TOKENS',
    meaning: 'Estimated USD per million tokens of LLM_ENDPOINT, for usage and the providerUsdPerMonth quota.',
    default: '0 (a local model server)',
    setBy: ['operator'],
  },
  AI_REGION: {
    name: 'CUTLINE_AI_REGION',
    meaning: 'Region of the AI services when it is not the stack region.',
    default: 'AWS_REGION',
    setBy: ['stack'],
  },
  GENERATOR: {
    name: 'CUTLINE_GENERATOR',
    meaning:
      'Image/video generation (generate scenes, text-to-image and image-to-video assets): bedrock | http | none (core/providers/generation/settings.ts).',
    default: 'unset: http when GENERATION_ENDPOINT is set, else none (NOT_SUPPORTED)',
    setBy: ['stack', 'local', 'operator'],
  },
  GENERATION_ENDPOINT: {
    name: 'CUTLINE_GENERATION_ENDPOINT',
    meaning: 'Base URL of an HTTP generation provider (the protocol in docs/generation-http.md).',
    setBy: ['operator'],
  },
  GENERATION_POLL_SECONDS: {
    name: 'CUTLINE_GENERATION_POLL_SECONDS',
    meaning:
      "Seconds the state machine waits between polls of a generation that is running (the Wait state's).",
    default: '30 for Bedrock, 5 for the HTTP provider',
    setBy: ['operator', 'tests'],
  },
  GENERATION_RETRIES: {
    name: 'CUTLINE_GENERATION_RETRIES',
    meaning: 'How many times a scene or asset whose generation the provider failed is started again.',
    fallback: '2',
    setBy: ['stack', 'operator'],
  },
  GENERATION_MAX_USD: {
    name: 'CUTLINE_GENERATION_MAX_USD',
    meaning:
      "Per-job cap on the estimated cost of a job's planned generations (USD); a job over it is refused at submit.",
    fallback: '10',
    setBy: ['stack', 'operator'],
  },
  VIDEO_MODEL_ID: {
    name: 'CUTLINE_VIDEO_MODEL_ID',
    meaning: 'Bedrock model of text-to-video and image-to-video (StartAsyncInvoke).',
    fallback: 'amazon.nova-reel-v1:1',
    setBy: ['stack'],
  },
  IMAGE_MODEL_ID: {
    name: 'CUTLINE_IMAGE_MODEL_ID',
    meaning: 'Bedrock model of text-to-image and character references (InvokeModel).',
    fallback: 'amazon.nova-canvas-v1:0',
    setBy: ['stack'],
  },
  FFMPEG_PATH: {
    name: 'CUTLINE_FFMPEG',
    meaning: 'The ffmpeg binary.',
    fallback: 'ffmpeg',
    setBy: ['stack', 'image', 'operator'],
  },
  SMART_RENDER: {
    name: 'CUTLINE_SMART_RENDER',
    meaning:
      'Smart rendering on one machine (CLI, Fargate, local jobs): `off` encodes every frame; otherwise spans of an untouched full-frame H.264 clip matching the output are copied from the source between its keyframes (render/smart.ts).',
    fallback: 'on',
    setBy: ['image', 'operator', 'tests'],
  },
  FFPROBE_PATH: {
    name: 'CUTLINE_FFPROBE',
    meaning: 'The ffprobe binary.',
    fallback: 'ffprobe',
    setBy: ['stack', 'image', 'operator'],
  },
  ESPEAK_PATH: {
    name: 'CUTLINE_ESPEAK',
    meaning: 'The espeak-ng binary that voices scenes.',
    fallback: 'espeak-ng',
    setBy: ['operator'],
  },
  FONTS_DIR: {
    name: 'CUTLINE_FONTS_DIR',
    meaning: 'Where the shipped fonts are (flat, the render functions’ bundle).',
    default: 'assets/fonts in the repository',
    setBy: ['stack', 'tests'],
  },
  METRICS_FILE: {
    name: 'CUTLINE_METRICS_FILE',
    meaning:
      'Local mode only: CloudWatch EMF metric lines are appended to this file instead of standard output.',
    default: 'unset: standard output (CloudWatch reads them there in AWS)',
    setBy: ['local'],
  },
  ALARM_EMAIL: {
    name: 'CUTLINE_ALARM_EMAIL',
    meaning:
      'Read by bin/app.ts at synth: an address subscribed to the alarm topic (the `alarmEmail` context wins).',
    default: 'none',
    setBy: ['operator'],
  },
  AWS_ENDPOINT_URL: {
    name: 'AWS_ENDPOINT_URL',
    meaning:
      'The prefix of the SDK’s endpoint overrides (AWS_ENDPOINT_URL_<SERVICE>): the local platform points the SDK at its servers, and error messages hide these endpoints.',
    default: 'unset: the services’ public endpoints',
    setBy: ['local'],
  },
  NODE_OPTIONS: {
    name: 'NODE_OPTIONS',
    meaning: 'Node flags of the functions: source-mapped stack traces.',
    setBy: ['stack'],
  },
  NODE_ENV: { name: 'NODE_ENV', meaning: 'The render image runs in production mode.', setBy: ['image'] },
  POWERTOOLS_SERVICE_NAME: {
    name: 'POWERTOOLS_SERVICE_NAME',
    meaning: 'The service name of logs, metrics and traces (core/observability.ts names it too).',
    default: 'cutline',
    setBy: ['stack'],
  },
  LAMBDA_MEMORY_MB: {
    name: 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
    meaning: "The function's memory in MB, set by Lambda; render tasks choose ffmpeg thread counts from it.",
    setBy: ['operator'],
  },
  AWS_REGION: {
    name: 'AWS_REGION',
    meaning:
      'The region the code runs in (Lambda and ECS set it); output.destinations in another region get their own client.',
    setBy: ['operator'],
  },
  POWERTOOLS_LOG_LEVEL: {
    name: 'POWERTOOLS_LOG_LEVEL',
    meaning: 'The log level of the handlers.',
    default: 'INFO (WARN locally)',
    setBy: ['local', 'operator'],
  },
  POWERTOOLS_TRACE_ENABLED: {
    name: 'POWERTOOLS_TRACE_ENABLED',
    meaning: 'X-Ray tracing of the handlers; the local platform turns it off.',
    default: 'on in Lambda',
    setBy: ['local'],
  },
} as const satisfies Record<string, EnvVar>;

export type EnvKey = keyof typeof ENV_VARS;

/** The variables' names by key (`ENV.TABLE_NAME` is `'CUTLINE_TABLE_NAME'`): what lib/ sets, code reads. */
export const ENV = Object.fromEntries(Object.entries(ENV_VARS).map(([k, v]) => [k, v.name])) as {
  readonly [K in EnvKey]: (typeof ENV_VARS)[K]['name'];
};

/** The keys whose row names a fallback: their setting is always a string. */
type WithFallback = { [K in EnvKey]: (typeof ENV_VARS)[K] extends { fallback: string } ? K : never }[EnvKey];

/** A variable's value, or its table fallback when unset or empty. */
export function setting<K extends EnvKey>(
  key: K,
  env?: NodeJS.ProcessEnv,
): K extends WithFallback ? string : string | undefined;
export function setting(key: EnvKey, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const row: EnvVar = ENV_VARS[key];
  const value = env[row.name];
  return value === undefined || value === '' ? (row.fallback ?? value) : value;
}

/** The function's memory in MB where Lambda states it (its own AWS_LAMBDA_FUNCTION_MEMORY_SIZE), else undefined. */
export function lambdaMemoryMb(): number | undefined {
  const n = Number(setting('LAMBDA_MEMORY_MB'));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Whether smart rendering is on (ENV.SMART_RENDER: anything but `off`, `0` or `false`). */
export const smartRenderEnabled = (): boolean => !/^(off|0|false|no)$/i.test(setting('SMART_RENDER'));

/** The worker budget (ENV.WORKERS): a whole number ≥ 1, or Infinity when unset (no budget). */
export function workerBudget(): number {
  const n = Number(setting('WORKERS'));
  return Number.isInteger(n) && n > 0 ? n : Infinity;
}
/** The scratch root of render tasks (ENV.SCRATCH_DIR). */
export const scratchRoot = (): string => setting('SCRATCH_DIR') || join(tmpdir(), 'cutline');

export function requireEnv(name: (typeof ENV)[keyof typeof ENV]): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; the stack or the local runtime must set it`);
  return v;
}

/** The Lambda handlers and the state machine tasks, by id: entry files under lambdas/. */
export const HANDLERS = {
  api: {
    health: 'lambdas/api/health.ts',
    openapi: 'lambdas/api/openapi.ts',
    renders: 'lambdas/api/renders.ts',
    uploads: 'lambdas/api/uploads.ts',
    templates: 'lambdas/api/templates.ts',
    projects: 'lambdas/api/projects.ts',
    usage: 'lambdas/api/usage.ts',
    metrics: 'lambdas/api/metrics.ts',
    validate: 'lambdas/api/validate.ts',
    preview: 'lambdas/api/preview.ts',
    webhooks: 'lambdas/api/webhooks.ts',
  },
  pipeline: {
    validate: 'lambdas/pipeline/validate.ts',
    prepareItem: 'lambdas/pipeline/prepare-item.ts',
    probe: 'lambdas/pipeline/probe.ts',
    plan: 'lambdas/pipeline/plan.ts',
    renderChunk: 'lambdas/pipeline/render-chunk.ts',
    renderAudio: 'lambdas/pipeline/render-audio.ts',
    stitch: 'lambdas/pipeline/stitch.ts',
    packageMediaConvert: 'lambdas/pipeline/package-mediaconvert.ts',
    finalize: 'lambdas/pipeline/finalize.ts',
    markFailed: 'lambdas/pipeline/mark-failed.ts',
  },
  triggers: {
    dropFolder: 'lambdas/triggers/drop-folder.ts',
    webhook: 'lambdas/triggers/webhook.ts',
    executionEnded: 'lambdas/triggers/execution-ended.ts',
  },
} as const;
