import './polyfills.js';
import { readGenerationSettings } from '../lambdas/core/providers/generation/settings.js';
import { LOCAL_MEDIACONVERT_QUEUE, LOCAL_MEDIACONVERT_ROLE } from './mediaconvert.js';
import { chromiumPath } from '../lambdas/core/html/rasterize.js';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resetClients } from '../lambdas/core/aws/clients.js';
import { runAs } from '../lambdas/core/aws/call-recorder.js';
import { ENV, HANDLERS, scratchRoot } from '../lambdas/core/config.js';
import { CutlineError } from '../lambdas/core/errors.js';
import { endAllProcesses, endOrphans } from '../lambdas/core/media/processes.js';
import { limitsEnv, type EditLimits } from '../lambdas/core/edit/limits.js';
import { jobEventDetail, wantsCallback } from '../lambdas/core/jobs/model.js';
import { getPlatform, resetPlatform } from '../lambdas/core/platform.js';
import type { Resolve } from '../lambdas/core/net/fetch.js';
import type { Quota } from '../lambdas/core/quota/quota.js';
import { webhookSecrets } from '../lambdas/core/webhooks/index.js';
import type { RetrySchedule } from '../lambdas/core/webhooks/schedule.js';
import { recordUnfinished, resetQuotaCache, usageStore } from '../lambdas/core/usage/index.js';
import { startApiServer, Throttle, type ApiKey } from './api-server.js';
import { startAwsEndpoint } from './aws-endpoint.js';
import { consoleRoutes } from './console.js';
import { ensureTable } from './bootstrap.js';
import {
  DEFAULT_CALLBACK_PATTERN,
  handleEventBridgeRequest,
  LocalEventBus,
  type PutEventsEntry,
  type Subscriber,
} from './event-bus.js';
import { LOCAL_S3_CREDENTIALS, startDynalite, startS3rver } from './servers.js';
import { makePrivateDataDir } from './private-files.js';
import { runnableModule } from './modules.js';
import { LocalStepFunctions, STATE_MACHINE_ARN } from './stepfunctions.js';

export interface LocalPlatformOptions {
  port?: number;
  dataDir: string;
  /** The API key; default: generated once and kept in the data dir. */
  apiKey?: string;
  /** More keys (each key's id is its tenant), e.g. for a second tenant in tests. */
  extraKeys?: ApiKey[];
  /** file:// sources must lie under this folder. */
  mediaRoot?: string;
  /** Usage-plan throttle per key. */
  rateLimit?: { rate: number; burst: number };
  /** Signs the subscribers' webhooks (subscribers.json); job callbacks use their tenant's own secrets. */
  webhookSecret?: string;
  /**
   * Development: let callbacks and subscribers target loopback (a receiver on this machine). Off by
   * default, as in AWS; `cutline start --allow-local-webhooks` and `cutline demo` turn it on.
   */
  allowLocalWebhooks?: boolean;
  /** The webhook retry schedule (default: hours, as the SQS queue in AWS); tests shrink it. */
  webhookRetry?: RetrySchedule;
  /** Seconds the old tenant secret keeps signing after a rotation. Default 24 h. */
  webhookSecretGraceSeconds?: number;
  /** Tests: the resolver webhook deliveries use (a name they control). Default: the OS resolver. */
  webhookResolve?: Resolve;
  /** Buckets `output.destinations` (s3) may send to: made in the local S3, as the user's own would be. */
  destinationBuckets?: string[];
  /** Edit and source limits of this deployment (edit/limits.ts), e.g. { maxSourceBytes: 5e9 }. */
  limits?: Partial<EditLimits>;
  /** Planner limits (e.g. a tiny lambdaSeconds sends renders down the Fargate path). */
  planLimits?: Record<string, number>;
  subscribers?: Subscriber[];
  /**
   * The worker budget: jobs running at once (the rest wait QUEUED, in order) and ffmpeg processes at
   * once across them. Default: the number of cores.
   */
  workers?: number;
  /** Scratch folder of the render tasks (ENV.SCRATCH_DIR); default `<tmpdir>/cutline`. */
  scratchDir?: string;
  /** Per-tenant quotas (quota/quota.ts), written to the table at start; `default` for every other tenant. */
  quotas?: Record<string, Quota> & { default?: Quota };
  log?: (line: string) => void;
}

export interface LocalPlatform {
  url: string;
  apiKey: string;
  apiKeyId: string;
  dataDir: string;
  bus: LocalEventBus;
  sfn: LocalStepFunctions;
  /** The subscribers' signing secret (job callbacks are signed per tenant: webhookSecretsOf). */
  webhookSecret: string;
  /** A tenant's current signing secrets, newest first (created on first use). */
  webhookSecretsOf(tenantId: string): Promise<string[]>;
  interrupted: string[];
  /** Process groups a previous run left behind (after a crash) that this start ended. */
  orphansEnded: number[];
  workers: number;
  close(): Promise<void>;
}

const TABLE = 'cutline';
const executionEndedModule = new URL(
  runnableModule('../lambdas/triggers/execution-ended.ts'),
  import.meta.url,
);
const INGEST = 'cutline-ingest';
const OUTPUTS = 'cutline-outputs';

async function loadOrCreateKey(dataDir: string, given?: string): Promise<ApiKey> {
  const id = (v: string) => `key-${createHash('sha256').update(v).digest('hex').slice(0, 12)}`;
  if (given) return { id: id(given), value: given };
  const file = join(dataDir, 'api-key.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as ApiKey;
  const value = `cl_${randomBytes(24).toString('base64url')}`;
  const key = { id: id(value), value };
  await writeFile(file, JSON.stringify(key, null, 2), { mode: 0o600 });
  return key;
}

async function loadOrCreateSecret(dataDir: string, given?: string): Promise<string> {
  if (given) return given;
  const file = join(dataDir, 'webhook-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(32).toString('hex');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Marks QUEUED or RUNNING jobs (all, or those in `only`) FAILED (INTERRUPTED) with a Job Failed event;
 * returns their ids.
 */
async function failUnfinished(
  bus: LocalEventBus,
  message: string,
  only?: ReadonlySet<string>,
): Promise<string[]> {
  const ended: string[] = [];
  for (const status of ['QUEUED', 'RUNNING'] as const) {
    for (const job of await getPlatform().jobs.allInStatus(status)) {
      if (only && !only.has(job.id)) continue;
      const failed = await getPlatform().jobs.update(
        job.id,
        {
          status: 'FAILED',
          error: { code: 'INTERRUPTED', message },
          timings: { ...job.timings, endedAt: new Date().toISOString() },
        },
        { tenantId: job.tenantId },
      );
      if (failed) {
        ended.push(job.id);
        // Its quota reservation is given back (and what it computed recorded), as MarkFailed would.
        await recordUnfinished(failed).catch(() => undefined);
        bus.put([
          { Source: 'cutline', DetailType: 'Job Failed', Detail: JSON.stringify(jobEventDetail(failed)) },
        ]);
      }
    }
  }
  return ended;
}

/**
 * The whole platform on this machine: dynalite, s3rver, the real state machine on aws-local-stepfunctions,
 * a local EventBridge, and an HTTP server in front of the same API handlers.
 */
export async function startLocalPlatform(opts: LocalPlatformOptions): Promise<LocalPlatform> {
  const dataDir = resolve(opts.dataDir);
  await makePrivateDataDir(dataDir);
  const scratch = opts.scratchDir ? resolve(opts.scratchDir) : scratchRoot();
  await mkdir(scratch, { recursive: true });
  const log = opts.log ?? (() => {});
  const workers = opts.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`workers must be a whole number of at least 1, got ${workers}`);
  // What a killed run left rendering ends before anything new starts.
  const pidDir = join(dataDir, 'pids');
  const orphansEnded = endOrphans(pidDir);
  if (orphansEnded.length) log(`ended ${orphansEnded.length} process group(s) left by the previous run`);
  const [db, s3] = await Promise.all([
    startDynalite(dataDir),
    startS3rver(dataDir, [INGEST, OUTPUTS, ...(opts.destinationBuckets ?? [])], {
      putCors: [INGEST],
      getCors: [OUTPUTS],
    }),
  ]);
  const key = await loadOrCreateKey(dataDir, opts.apiKey);
  const webhookSecret = await loadOrCreateSecret(dataDir, opts.webhookSecret);

  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    // The local S3 endpoint verifies SigV4 with these (servers.ts); dynalite accepts any.
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    [ENV.S3_FORCE_PATH_STYLE]: 'true',
    [ENV.TABLE_NAME]: TABLE,
    [ENV.INGEST_BUCKET]: INGEST,
    [ENV.OUTPUTS_BUCKET]: OUTPUTS,
    [ENV.STATE_MACHINE_ARN]: STATE_MACHINE_ARN,
    [ENV.EVENT_BUS_NAME]: 'cutline',
    [ENV.WORKERS]: String(workers),
    [ENV.DATA_DIR]: dataDir,
    // CloudWatch EMF lines (metrics) go to a file, not mid-way through the terminal's output.
    [ENV.METRICS_FILE]: join(dataDir, 'metrics.jsonl'),
    [ENV.PID_DIR]: pidDir,
    [ENV.PLAN_LIMITS]: JSON.stringify({
      maxConcurrency: workers,
      threadsPerWorker: 1,
      // A laptop's cores are shared with everything else running on it (a Lambda's are not): task
      // limits get more room than in AWS. They are still written into the plan and enforced as written.
      timeoutFactor: 10,
      timeoutOverheadSeconds: 120,
      ...opts.planLimits,
    }),
    [ENV.WEBHOOK_SECRETS_DIR]: join(dataDir, 'webhook-secrets'),
    [ENV.WEBHOOK_ALLOW_LOOPBACK]: opts.allowLocalWebhooks ? 'true' : 'false',
    ...(opts.webhookRetry ? { [ENV.WEBHOOK_RETRY]: JSON.stringify(opts.webhookRetry) } : {}),
    ...(opts.webhookSecretGraceSeconds !== undefined
      ? { [ENV.WEBHOOK_SECRET_GRACE_SECONDS]: String(opts.webhookSecretGraceSeconds) }
      : {}),
    // MediaConvert packaging runs through the local adapter (the same CreateJob settings, ffmpeg).
    [ENV.MEDIACONVERT_ROLE_ARN]: LOCAL_MEDIACONVERT_ROLE,
    [ENV.MEDIACONVERT_QUEUE_ARN]: LOCAL_MEDIACONVERT_QUEUE,
    // html assets: drawn by the local Chromium, where one is installed.
    ...(chromiumPath() ? { [ENV.HTML_RENDERER]: 'chromium' } : {}),
    [ENV.DESTINATION_BUCKETS]: (opts.destinationBuckets ?? []).join(','),
    [ENV.POWERTOOLS_LOG_LEVEL]: process.env[ENV.POWERTOOLS_LOG_LEVEL] ?? 'WARN',
    [ENV.POWERTOOLS_TRACE_ENABLED]: 'false',
    ...(opts.mediaRoot ? { [ENV.MEDIA_ROOT]: resolve(opts.mediaRoot) } : {}),
    [ENV.SCRATCH_DIR]: scratch,
    // The disks /v1/health watches: a full one degrades health and names the store.
    [ENV.LOCAL_STORES]: JSON.stringify({
      table: join(dataDir, 'dynamodb'),
      objects: join(dataDir, 's3'),
      scratch,
    }),
    ...(opts.quotas?.default ? { [ENV.DEFAULT_QUOTA]: JSON.stringify(opts.quotas.default) } : {}),
    ...limitsEnv(opts.limits ?? {}),
  };
  Object.assign(process.env, env);
  // A bad generation setting (CUTLINE_GENERATOR, CUTLINE_GENERATION_ENDPOINT, …) stops the start, named.
  readGenerationSettings(process.env);
  if (!opts.limits || !Object.keys(opts.limits).length) delete process.env[ENV.LIMITS];
  if (!opts.quotas?.default) delete process.env[ENV.DEFAULT_QUOTA];
  if (!opts.webhookRetry) delete process.env[ENV.WEBHOOK_RETRY];
  if (opts.webhookSecretGraceSeconds === undefined) delete process.env[ENV.WEBHOOK_SECRET_GRACE_SECONDS];
  resetClients();
  resetPlatform();
  await ensureTable(new DynamoDBClient({ endpoint: db.endpoint }), TABLE);
  for (const [tenant, quota] of Object.entries(opts.quotas ?? {}))
    if (tenant !== 'default') await usageStore().setQuota(tenant, quota);
  resetQuotaCache(); // a new table: nothing cached from an earlier one in this process

  // Subscribers from config: <data dir>/subscribers.json, [{ name, pattern, target: { type: 'webhook', url } }].
  const subscribersFile = join(dataDir, 'subscribers.json');
  // A refused subscriber (a bad pattern, a loopback URL without the opt-in) stops the start, cleanly.
  const refuseConfig = async (err: unknown): Promise<never> => {
    await Promise.all([db.close(), s3.close()]);
    const message = (err as Error).message;
    throw new CutlineError('VALIDATION_FAILED', `${subscribersFile}: ${message}`, [
      { path: 'subscribers', message },
    ]);
  };
  let configured: Subscriber[] = [];
  try {
    if (existsSync(subscribersFile))
      configured = JSON.parse(await readFile(subscribersFile, 'utf8')) as Subscriber[];
  } catch (err) {
    await refuseConfig(err);
  }
  let bus: LocalEventBus;
  try {
    bus = new LocalEventBus({
      logFile: join(dataDir, 'events.jsonl'),
      subscribers: [...configured, ...(opts.subscribers ?? [])],
      deadLetterFile: join(dataDir, 'webhook-dead-letters.jsonl'),
      queueFile: join(dataDir, 'webhook-queue.jsonl'),
      defaultWebhookSecret: webhookSecret,
      // As the AWS webhook rules (lib/events.ts): terminal events, and Job Progress to jobs that ask for it.
      callbackPattern: {
        ...DEFAULT_CALLBACK_PATTERN,
        'detail-type': [...(DEFAULT_CALLBACK_PATTERN['detail-type'] as string[]), 'Job Progress'],
      },
      // In AWS the webhook function reads the job's callback.
      callbackFor: (detail: { jobId?: string }, detailType: string) =>
        runAs(HANDLERS.triggers.webhook, async () => {
          const job = detail.jobId ? await getPlatform().jobs.get(detail.jobId) : null;
          return job?.callback && wantsCallback(job, detailType)
            ? { url: job.callback, tenantId: job.tenantId }
            : undefined;
        }),
      secretsFor: (tenantId) => webhookSecrets().signing(tenantId),
      retry: opts.webhookRetry,
      webhookPolicy: { allowLoopback: opts.allowLocalWebhooks === true },
      resolve: opts.webhookResolve,
      onAlarm: log,
    });
  } catch (err) {
    return refuseConfig(err);
  }
  // The Fargate stand-in's environment; the local AWS endpoint is added once it listens (below).
  const taskEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  const sfn = new LocalStepFunctions({
    putEvents: async (entries) => {
      const failed = bus.put(entries as PutEventsEntry[]).filter((r) => 'ErrorCode' in r);
      if (failed.length)
        throw new Error(`PutEvents refused ${failed.length} entries: ${JSON.stringify(failed)}`);
    },
    env: taskEnv,
    maxRunning: workers,
    // The same handler AWS runs from the Execution Status Change rule (lib/execution-watch.ts).
    onEnded: async (e) => {
      try {
        const mod = (await import(executionEndedModule.href)) as {
          handler: (event: unknown) => Promise<unknown>;
        };
        await runAs(HANDLERS.triggers.executionEnded, () =>
          mod.handler({
            source: 'aws.states',
            'detail-type': 'Step Functions Execution Status Change',
            detail: {
              executionArn: e.executionArn,
              stateMachineArn: STATE_MACHINE_ARN,
              name: e.name,
              status: e.status,
              error: e.error ?? null,
              cause: e.cause ?? null,
            },
          }),
        );
      } catch (err) {
        log(`execution ${e.name} ended ${e.status}; ending its job failed: ${(err as Error).message}`);
      }
    },
  });
  const aws = await startAwsEndpoint({ sfn, eventBridge: (body) => handleEventBridgeRequest(bus, body) });
  process.env.AWS_ENDPOINT_URL_SFN = aws.endpoint;
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = aws.endpoint;
  // The render task publishes Job Progress itself, as a Fargate task does in AWS.
  taskEnv.AWS_ENDPOINT_URL_SFN = aws.endpoint;
  taskEnv.AWS_ENDPOINT_URL_EVENTBRIDGE = aws.endpoint;
  resetClients();

  // Jobs that were running when the process died are failed, never left running.
  const interrupted = await failUnfinished(
    bus,
    'the local platform stopped while this job was running; submit it again',
  );

  // Webhook retries that were waiting when the platform last stopped continue on their schedule.
  const resumed = bus.resume();
  if (resumed) log(`webhooks: resuming ${resumed} deliveries waiting for a retry`);

  // The drop folder: objects created under drop/ in the ingest bucket go to the same trigger handler.
  const dropModule = new URL(runnableModule('../lambdas/triggers/drop-folder.ts'), import.meta.url);
  s3.onObjectCreated((bucket, objectKey, eTag) => {
    if (bucket !== INGEST || !objectKey.startsWith('drop/') || objectKey.endsWith('.error.json')) return;
    void (async () => {
      try {
        const mod = (await import(dropModule.href)) as { handler: (e: unknown) => Promise<unknown> };
        await runAs(HANDLERS.triggers.dropFolder, () =>
          mod.handler({
            Records: [
              {
                eventName: 'ObjectCreated:Put',
                s3: {
                  bucket: { name: bucket },
                  object: { key: encodeURIComponent(objectKey).replace(/%2F/g, '/'), eTag },
                },
              },
            ],
          }),
        );
      } catch (err) {
        log(`drop folder: ${objectKey}: ${(err as Error).message}`);
      }
    })();
  });

  const keys = [key, ...(opts.extraKeys ?? [])];
  let api: Awaited<ReturnType<typeof startApiServer>>;
  try {
    api = await startApiServer({
      port: opts.port ?? 0,
      keys: () => keys,
      throttle: new Throttle(opts.rateLimit?.rate ?? 20, opts.rateLimit?.burst ?? 40),
      // The web console at `/`, same-origin with the API.
      extra: consoleRoutes({ mediaRoot: opts.mediaRoot }),
    });
  } catch (err) {
    // Leave nothing running behind a failed start (a taken port, say).
    await Promise.all([aws.close(), db.close(), s3.close()]);
    throw err;
  }

  return {
    url: api.url,
    apiKey: key.value,
    apiKeyId: key.id,
    dataDir,
    bus,
    sfn,
    webhookSecret,
    webhookSecretsOf: (tenantId) => webhookSecrets().signing(tenantId),
    interrupted,
    orphansEnded,
    workers,
    async close() {
      await api.close();
      // Stopping means stopped: running jobs end with their processes and, like queued ones, are
      // marked FAILED (INTERRUPTED).
      const stopped = new Set(sfn.stopAll());
      await sfn.drain().catch(() => {});
      endAllProcesses();
      await failUnfinished(
        bus,
        'the local platform was stopped while this job was queued or running; submit it again',
        stopped,
      ).catch((err: Error) => log(`could not mark the unfinished jobs: ${err.message}`));
      // Deliveries waiting for a retry stay in the queue file for the next start.
      await bus.close();
      await aws.close();
      await Promise.all([db.close(), s3.close()]);
    },
  };
}

export const LOCAL_BUCKETS = { ingest: INGEST, outputs: OUTPUTS, table: TABLE };
