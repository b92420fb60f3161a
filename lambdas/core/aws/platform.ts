import { ENV, requireEnv } from '../config.js';
import { JobStore } from '../jobs/store.js';
import { TemplateStore } from '../jobs/templates.js';
import { ProjectStore } from '../projects/store.js';
import { UsageStore } from '../usage/store.js';
import { clients } from './clients.js';
import { StepFunctionsExecutions } from './executions.js';
import { ObjectStore } from './storage.js';

/**
 * The platform on AWS services (core/platform.ts): the single DynamoDB table's stores, S3 and the Step
 * Functions pipeline, named by the function's environment. The local runtime (local/platform.ts) builds
 * this same one: its servers speak these services' APIs (dynalite, s3rver behind SigV4, the ASL runner
 * behind a Step Functions endpoint), so the calls it makes are the calls AWS gets, and the IAM
 * simulation checks them against the synthesized policies.
 */
export function awsPlatform() {
  const c = clients();
  const table = requireEnv(ENV.TABLE_NAME);
  return {
    jobs: new JobStore(c.db, table),
    templates: new TemplateStore(c.db, table),
    projects: new ProjectStore(c.db, table),
    usage: new UsageStore(c.db, table),
    objects: new ObjectStore(c.s3),
    executions: new StepFunctionsExecutions(() => requireEnv(ENV.STATE_MACHINE_ARN)),
    table,
    ingestBucket: requireEnv(ENV.INGEST_BUCKET),
    outputsBucket: requireEnv(ENV.OUTPUTS_BUCKET),
  };
}
