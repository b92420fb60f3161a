import { awsPlatform } from './aws/platform.js';
import type { ObjectStore } from './aws/storage.js';
import type { JobStore } from './jobs/store.js';
import type { TemplateStore } from './jobs/templates.js';
import type { ProjectStore } from './projects/store.js';
import type { UsageStore } from './usage/store.js';

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
 * Everything core reaches outside the process, built once per process: the stores, the objects and the
 * pipeline's executions. Core and the handlers go through this, never through an SDK client
 * (test/unit/platform-seam.test.ts). Providers of managed or AI capabilities are not part of it: each
 * capability resolves its own implementation from configuration (ARCHITECTURE §5).
 */
export interface Platform {
  jobs: JobStore;
  templates: TemplateStore;
  projects: ProjectStore;
  usage: UsageStore;
  objects: ObjectStore;
  executions: Executions;
  table: string;
  ingestBucket: string;
  outputsBucket: string;
}

let platform: Platform | undefined;

/**
 * The platform of this process: AWS's services as the environment names them (aws/platform.ts), which
 * is also what the local runtime runs against its own servers.
 */
export function getPlatform(): Platform {
  platform ??= awsPlatform();
  return platform;
}

/** Tests and the local runtime reset it after changing the environment. */
export function resetPlatform(): void {
  platform = undefined;
}
