import { STAGE_PROGRESS } from '../core/jobs/progress.js';
import { jobKind, storedRequest } from '../core/kinds/registry.js';
import { enterStage } from './stage.js';
import type { PipelineState } from './state.js';

/** Validate: the job exists and is not ended; its request still passes its kind's schema and limits. */
export async function handler(state: PipelineState): Promise<PipelineState> {
  const job = await enterStage(state, 'validating', STAGE_PROGRESS.validating);
  const kind = jobKind(job.type);
  const prepare = kind.prepareItems?.(storedRequest(kind, job.request)) ?? [];
  return { jobId: state.jobId, tenantId: state.tenantId, prepare };
}
