import { tmpdir } from 'node:os';
import { join } from 'node:path';
/**
 * The environment contract between the stack (lib/) or the local runtime (local/) and the handlers.
 * One place names every variable, so the two sides cannot drift apart.
 */
export const ENV = {
  TABLE_NAME: 'CUTLINE_TABLE_NAME',
  INGEST_BUCKET: 'CUTLINE_INGEST_BUCKET',
  OUTPUTS_BUCKET: 'CUTLINE_OUTPUTS_BUCKET',
  STATE_MACHINE_ARN: 'CUTLINE_STATE_MACHINE_ARN',
  EVENT_BUS_NAME: 'CUTLINE_EVENT_BUS_NAME',
  /** Comma-separated https hosts sources may be fetched from; empty refuses all https sources. */
  ALLOWED_SOURCE_HOSTS: 'CUTLINE_ALLOWED_SOURCE_HOSTS',
  /** JSON of Partial<PlanLimits> (Map concurrency, Lambda budgets). */
  PLAN_LIMITS: 'CUTLINE_PLAN_LIMITS',
  /** JSON of Partial<EditLimits> (edit/limits.ts): source bytes and pixels, tracks, clips, durations. */
  LIMITS: 'CUTLINE_LIMITS',
  /** Fargate network for long renders: comma-separated subnet and security group ids. */
  FARGATE_SUBNETS: 'CUTLINE_FARGATE_SUBNETS',
  FARGATE_SECURITY_GROUPS: 'CUTLINE_FARGATE_SECURITY_GROUPS',
  /** Local mode only: file:// sources under this folder are allowed. Never set in AWS. */
  MEDIA_ROOT: 'CUTLINE_MEDIA_ROOT',
  /** JSON of a Quota (quota/quota.ts) for tenants without their own PK=TENANT#<id>, SK=QUOTA item. */
  DEFAULT_QUOTA: 'CUTLINE_DEFAULT_QUOTA',
  /** Tests only: a file every AWS call is appended to (aws/call-recorder.ts), for the IAM simulation. */
  RECORD_AWS_CALLS: 'CUTLINE_RECORD_AWS_CALLS',
  /** Tests only: the function a process runs as, for recorded calls made outside runAs (the Fargate task). */
  CALLER: 'CUTLINE_CALLER',
  /**
   * Development only: webhook callbacks and subscribers may target loopback (127.0.0.0/8, ::1). Off unless
   * exactly "true"; the stack never sets it.
   */
  WEBHOOK_ALLOW_LOOPBACK: 'CUTLINE_WEBHOOK_ALLOW_LOOPBACK',
  /** JSON of a webhook RetrySchedule (webhooks/schedule.ts): attempts, baseSeconds, maxSeconds. */
  WEBHOOK_RETRY: 'CUTLINE_WEBHOOK_RETRY',
  /** AWS: tenant webhook secrets live in Secrets Manager under this name prefix (`cutline/webhook/…/`). */
  WEBHOOK_SECRET_PREFIX: 'CUTLINE_WEBHOOK_SECRET_PREFIX',
  /** Local: tenant webhook secrets are 0600 files in this folder instead. */
  WEBHOOK_SECRETS_DIR: 'CUTLINE_WEBHOOK_SECRETS_DIR',
  /** Seconds an old webhook secret keeps signing after a rotation. Default 86400 (24 h). */
  WEBHOOK_SECRET_GRACE_SECONDS: 'CUTLINE_WEBHOOK_SECRET_GRACE_SECONDS',
  /**
   * ffmpeg processes at once in this process (media/processes.ts) and, locally, jobs running at once
   * (local/stepfunctions.ts); unset: no budget (Lambda renders one thing per invocation).
   */
  WORKERS: 'CUTLINE_WORKERS',
  /** Local mode only: pid files of the process groups the engine started, for ending orphans after a crash. */
  PID_DIR: 'CUTLINE_PID_DIR',
  /** Where render tasks keep their scratch files (sources, chunks, outputs); default `<tmpdir>/cutline`. */
  SCRATCH_DIR: 'CUTLINE_SCRATCH_DIR',
  /**
   * Local mode only: JSON `{ "<store>": "<folder>" }` of the disks behind the local stores (table, object
   * store, scratch) whose free space /v1/health reports. Never set in AWS (its stores do not fill).
   */
  LOCAL_STORES: 'CUTLINE_LOCAL_STORES',
  /** `ffmpeg` (default) or `mediaconvert`: who packages `hls` when the preset does not say. */
  HLS_PACKAGER: 'CUTLINE_HLS_PACKAGER',
  /** The role MediaConvert assumes (set when the deployment enables MediaConvert; locally a stand-in ARN). */
  MEDIACONVERT_ROLE_ARN: 'CUTLINE_MEDIACONVERT_ROLE_ARN',
  /** Optional MediaConvert queue ARN (default: the account's Default queue). */
  MEDIACONVERT_QUEUE_ARN: 'CUTLINE_MEDIACONVERT_QUEUE_ARN',
  /** `chromium` where the deployment's render tasks can draw html assets. */
  HTML_RENDERER: 'CUTLINE_HTML_RENDERER',
  /** Path of the Chromium binary that draws html assets (default: a system Chromium). */
  CHROMIUM_PATH: 'CUTLINE_CHROMIUM',
  FFMPEG_PATH: 'CUTLINE_FFMPEG',
  /** The one owner of the whole drop folder (construct prop dropFolderOwner); unset: drop/<tenant>/. */
  DROP_TENANT: 'CUTLINE_DROP_TENANT',
  FFPROBE_PATH: 'CUTLINE_FFPROBE',
} as const;

/** The worker budget (ENV.WORKERS): a whole number ≥ 1, or Infinity when unset (no budget). */
export function workerBudget(): number {
  const n = Number(process.env[ENV.WORKERS]);
  return Number.isInteger(n) && n > 0 ? n : Infinity;
}
/** The scratch root of render tasks (ENV.SCRATCH_DIR). */
export const scratchRoot = (): string => process.env[ENV.SCRATCH_DIR] || join(tmpdir(), 'cutline');

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
