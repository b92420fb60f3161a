import { parseEdit } from '../core/edit/parse.js';
import { enterStage, type PipelineState } from './common.js';

/** Validate: the job exists and is not ended; its edit still passes the schema and limits. */
export async function handler(state: PipelineState): Promise<PipelineState> {
  const job = await enterStage(state, 'validating', 1);
  parseEdit(job.request);
  return { jobId: state.jobId, tenantId: state.tenantId };
}
