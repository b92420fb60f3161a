import './polyfills.js';
import { LOCAL_MEDIACONVERT_QUEUE, LOCAL_MEDIACONVERT_ROLE } from './mediaconvert.js';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { clients, resetClients } from '../lambdas/core/aws/clients.js';
import { ENV } from '../lambdas/core/config.js';
import { jobEventDetail, type Job } from '../lambdas/core/jobs/model.js';
import { getPlatform, resetPlatform } from '../lambdas/core/platform.js';
import type { Quota } from '../lambdas/core/usage/quota.js';
import { recordUnfinished, resetQuotaCache, usageStore } from '../lambdas/core/usage/index.js';
import { startApiServer, Throttle, type ApiKey } from './api-server.js';
import { startAwsEndpoint } from './aws-endpoint.js';
import { consoleRoutes } from './console.js';
import { ensureTable } from './bootstrap.js';
import {
  handleEventBridgeRequest,
  LocalEventBus,
  type PutEventsEntry,
  type Subscriber,
} from './event-bus.js';
import { startDynalite, startS3rver } from './servers.js';
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
  webhookSecret?: string;
  /** Planner limits (e.g. a tiny lambdaSeconds sends renders down the Fargate path). */
  planLimits?: Record<string, number>;
  subscribers?: Subscriber[];
  /** Per-tenant quotas (usage/quota.ts), written to the table at start; `default` for every other tenant. */
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
  webhookSecret: string;
  interrupted: string[];
  close(): Promise<void>;
}

const TABLE = 'cutline';
const executionEndedModule = new URL('../lambdas/triggers/execution-ended.ts', import.meta.url);
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
 * The whole platform on this machine: dynalite, s3rver, the real state machine on aws-local-stepfunctions,
 * a local EventBridge, and an HTTP server in front of the same API handlers.
 */
export async function startLocalPlatform(opts: LocalPlatformOptions): Promise<LocalPlatform> {
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const log = opts.log ?? (() => {});
  const [db, s3] = await Promise.all([
    startDynalite(dataDir),
    startS3rver(dataDir, [INGEST, OUTPUTS], { putCors: [INGEST] }),
  ]);
  const key = await loadOrCreateKey(dataDir, opts.apiKey);
  const webhookSecret = await loadOrCreateSecret(dataDir, opts.webhookSecret);

  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    // s3rver accepts only its own fixed credentials; dynalite accepts any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    CUTLINE_S3_FORCE_PATH_STYLE: 'true',
    [ENV.TABLE_NAME]: TABLE,
    [ENV.INGEST_BUCKET]: INGEST,
    [ENV.OUTPUTS_BUCKET]: OUTPUTS,
    [ENV.STATE_MACHINE_ARN]: STATE_MACHINE_ARN,
    [ENV.EVENT_BUS_NAME]: 'cutline',
    [ENV.PLAN_LIMITS]: JSON.stringify({
      maxConcurrency: availableParallelism(),
      threadsPerWorker: 1,
      ...opts.planLimits,
    }),
    CUTLINE_WEBHOOK_SECRET: webhookSecret,
    // MediaConvert packaging runs through the local adapter (the same CreateJob settings, ffmpeg).
    [ENV.MEDIACONVERT_ROLE_ARN]: LOCAL_MEDIACONVERT_ROLE,
    [ENV.MEDIACONVERT_QUEUE_ARN]: LOCAL_MEDIACONVERT_QUEUE,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    ...(opts.mediaRoot ? { [ENV.MEDIA_ROOT]: resolve(opts.mediaRoot) } : {}),
    ...(opts.quotas?.default ? { [ENV.DEFAULT_QUOTA]: JSON.stringify(opts.quotas.default) } : {}),
  };
  Object.assign(process.env, env);
  if (!opts.quotas?.default) delete process.env[ENV.DEFAULT_QUOTA];
  resetClients();
  resetPlatform();
  await ensureTable(new DynamoDBClient({ endpoint: db.endpoint }), TABLE);
  for (const [tenant, quota] of Object.entries(opts.quotas ?? {}))
    if (tenant !== 'default') await usageStore().setQuota(tenant, quota);
  resetQuotaCache(); // a new table: nothing cached from an earlier one in this process

  // Subscribers from config: <data dir>/subscribers.json, [{ name, pattern, target: { type: 'webhook', url } }].
  const subscribersFile = join(dataDir, 'subscribers.json');
  const configured = existsSync(subscribersFile)
    ? (JSON.parse(await readFile(subscribersFile, 'utf8')) as Subscriber[])
    : [];
  const bus = new LocalEventBus({
    logFile: join(dataDir, 'events.jsonl'),
    subscribers: [...configured, ...(opts.subscribers ?? [])],
    defaultWebhookSecret: webhookSecret,
    callbackFor: async (detail: { jobId?: string }) =>
      detail.jobId ? (await getPlatform().jobs.get(detail.jobId))?.callback : undefined,
  });
  const sfn = new LocalStepFunctions({
    putEvents: async (entries) => {
      const failed = bus.put(entries as PutEventsEntry[]).filter((r) => 'ErrorCode' in r);
      if (failed.length)
        throw new Error(`PutEvents refused ${failed.length} entries: ${JSON.stringify(failed)}`);
    },
    env: { ...process.env, ...env },
    // The same handler AWS runs from the Execution Status Change rule (lib/execution-watch.ts).
    onEnded: async (e) => {
      try {
        const mod = (await import(executionEndedModule.href)) as {
          handler: (event: unknown) => Promise<unknown>;
        };
        await mod.handler({
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
        });
      } catch (err) {
        log(`execution ${e.name} ended ${e.status}; ending its job failed: ${(err as Error).message}`);
      }
    },
  });
  const aws = await startAwsEndpoint({ sfn, eventBridge: (body) => handleEventBridgeRequest(bus, body) });
  process.env.AWS_ENDPOINT_URL_SFN = aws.endpoint;
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = aws.endpoint;
  resetClients();

  // Jobs that were running when the process died are failed, never left running.
  const interrupted: string[] = [];
  for (const status of ['QUEUED', 'RUNNING']) {
    const res = await clients().db.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :s',
        ExpressionAttributeValues: { ':s': `STATUS#${status}` },
      }),
    );
    for (const item of res.Items ?? []) {
      const job = item as unknown as Job;
      const failed = await getPlatform().jobs.update(job.id, {
        status: 'FAILED',
        error: {
          code: 'INTERRUPTED',
          message: 'the local platform stopped while this job was running; submit it again',
        },
        timings: { ...job.timings, endedAt: new Date().toISOString() },
      });
      if (failed) {
        interrupted.push(job.id);
        // Its quota reservation is given back (and what it computed recorded), as MarkFailed would.
        await recordUnfinished(failed).catch(() => undefined);
        bus.put([
          { Source: 'cutline', DetailType: 'Job Failed', Detail: JSON.stringify(jobEventDetail(failed)) },
        ]);
      }
    }
  }

  // The drop folder: objects created under drop/ in the ingest bucket go to the same trigger handler.
  const dropModule = new URL('../lambdas/triggers/drop-folder.ts', import.meta.url);
  s3.onObjectCreated((bucket, objectKey, eTag) => {
    if (bucket !== INGEST || !objectKey.startsWith('drop/') || objectKey.endsWith('.error.json')) return;
    void (async () => {
      try {
        const mod = (await import(dropModule.href)) as { handler: (e: unknown) => Promise<unknown> };
        await mod.handler({
          Records: [
            {
              eventName: 'ObjectCreated:Put',
              s3: {
                bucket: { name: bucket },
                object: { key: encodeURIComponent(objectKey).replace(/%2F/g, '/'), eTag },
              },
            },
          ],
        });
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
    interrupted,
    async close() {
      await api.close();
      await sfn.drain().catch(() => {});
      await bus.drain?.();
      await aws.close();
      await Promise.all([db.close(), s3.close()]);
    },
  };
}

export const LOCAL_BUCKETS = { ingest: INGEST, outputs: OUTPUTS, table: TABLE };
