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
  /** Fargate network for long renders: comma-separated subnet and security group ids. */
  FARGATE_SUBNETS: 'CUTLINE_FARGATE_SUBNETS',
  FARGATE_SECURITY_GROUPS: 'CUTLINE_FARGATE_SECURITY_GROUPS',
  /** Local mode only: file:// sources under this folder are allowed. Never set in AWS. */
  MEDIA_ROOT: 'CUTLINE_MEDIA_ROOT',
  /** JSON of a Quota (usage/quota.ts) for tenants without their own PK=TENANT#<id>, SK=QUOTA item. */
  DEFAULT_QUOTA: 'CUTLINE_DEFAULT_QUOTA',
  /** `ffmpeg` (default) or `mediaconvert`: who packages `hls` when the preset does not say. */
  HLS_PACKAGER: 'CUTLINE_HLS_PACKAGER',
  /** The role MediaConvert assumes (set when the deployment enables MediaConvert; locally a stand-in ARN). */
  MEDIACONVERT_ROLE_ARN: 'CUTLINE_MEDIACONVERT_ROLE_ARN',
  /** Optional MediaConvert queue ARN (default: the account's Default queue). */
  MEDIACONVERT_QUEUE_ARN: 'CUTLINE_MEDIACONVERT_QUEUE_ARN',
  FFMPEG_PATH: 'CUTLINE_FFMPEG',
  FFPROBE_PATH: 'CUTLINE_FFPROBE',
} as const;

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
