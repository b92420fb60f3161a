import { publishEvent } from '../aws/event-bus.js';
import { jobEventDetail, type Job } from './model.js';

export type JobEventType = 'Job Succeeded' | 'Job Failed' | 'Job Cancelled' | 'Job Progress';

/** Publishes a job event on the platform's bus (source `cutline`). */
export async function publishJobEvent(type: JobEventType, job: Job): Promise<void> {
  await publishEvent(type, jobEventDetail(job));
}
