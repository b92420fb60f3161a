import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clients } from './aws/clients.js';
import { StepFunctionsExecutions } from './aws/executions.js';
import { ObjectStore } from './aws/storage.js';
import { ENV, requireEnv } from './config.js';
import { JobStore } from './jobs/store.js';
import { TemplateStore } from './jobs/templates.js';
import { platformUnavailable } from './platform-off.js';

/** The pipeline's executions, one per job (named by the job id). */
export interface Executions {
  /** The ARN the execution named `name` has (or will have once started). */
  arnFor(name: string): string;
  start(name: string, input: unknown): Promise<void>;
  /** Stops it; an execution that no longer exists counts as stopped. */
  stop(executionArn: string, reason: { error: string; cause: string }): Promise<void>;
  /** Throws when the pipeline does not answer (the health check). */
  ping(): Promise<void>;
}

/**
 * Everything core reaches outside the process, built once per process: the job and template stores, the
 * objects, the pipeline's executions, and the single table (`db`, `table`) from which the project and
 * usage stores are made in their own folders (they use the platform, so it may not import them: the
 * folder graph stays acyclic, test/architecture/import-graph.test.ts). Core and the handlers go through
 * this, never through an SDK client of their own (test/unit/platform-seam.test.ts). Providers of managed
 * or AI capabilities are not part of it: each capability resolves its implementation from configuration
 * (ARCHITECTURE §5).
 */
export interface Platform {
  jobs: JobStore;
  templates: TemplateStore;
  objects: ObjectStore;
  executions: Executions;
  /** The single table's document client, for the stores made in their own folders. */
  db: DynamoDBDocumentClient;
  table: string;
  ingestBucket: string;
  outputsBucket: string;
}

/**
 * The platform on AWS services as the function's environment names them: DynamoDB, S3 and Step
 * Functions. The local runtime (local/platform.ts) builds this same one: its servers speak these
 * services' APIs (dynalite, s3rver behind SigV4, the ASL runner behind a Step Functions endpoint), so the
 * calls it makes are the calls AWS gets, and the IAM simulation checks them against the synthesized
 * policies.
 */
function awsPlatform(): Platform {
  const c = clients();
  const table = requireEnv(ENV.TABLE_NAME);
  return {
    jobs: new JobStore(c.db, table),
    templates: new TemplateStore(c.db, table),
    objects: new ObjectStore(c.s3),
    executions: new StepFunctionsExecutions(() => requireEnv(ENV.STATE_MACHINE_ARN)),
    db: c.db,
    table,
    ingestBucket: requireEnv(ENV.INGEST_BUCKET),
    outputsBucket: requireEnv(ENV.OUTPUTS_BUCKET),
  };
}

let platform: Platform | undefined;

export function getPlatform(): Platform {
  const unavailable = platformUnavailable();
  if (!platform && unavailable) throw unavailable();
  platform ??= awsPlatform();
  return platform;
}

export { withoutPlatform } from './platform-off.js';

/** Tests and the local runtime reset it after changing the environment. */
export function resetPlatform(): void {
  platform = undefined;
}
