import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { clients } from '../aws/clients.js';
import { ENV, requireEnv } from '../config.js';
import { jobEventDetail, type Job } from './model.js';

export type JobEventType = 'Job Succeeded' | 'Job Failed' | 'Job Cancelled' | 'Job Progress';

/** Publishes a job event on the platform's bus (source `cutline`). */
export async function publishJobEvent(type: JobEventType, job: Job): Promise<void> {
  const res = await clients().events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: requireEnv(ENV.EVENT_BUS_NAME),
          Source: 'cutline',
          DetailType: type,
          Detail: JSON.stringify(jobEventDetail(job)),
        },
      ],
    }),
  );
  if (res.FailedEntryCount)
    throw new Error(`EventBridge refused the ${type} event: ${res.Entries?.[0]?.ErrorMessage ?? 'unknown'}`);
}
