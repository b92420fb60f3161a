import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ENV, requireEnv } from '../config.js';
import { clients } from './clients.js';

/**
 * The platform's EventBridge bus (source `cutline`). The bus name and the client are taken per call:
 * only the functions that publish are given the name, and the local runtime points the SDK at its bus
 * only once that listens.
 */
export async function publishEvent(detailType: string, detail: unknown): Promise<void> {
  const res = await clients().events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: requireEnv(ENV.EVENT_BUS_NAME),
          Source: 'cutline',
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if (res.FailedEntryCount)
    throw new Error(
      `EventBridge refused the ${detailType} event: ${res.Entries?.[0]?.ErrorMessage ?? 'unknown'}`,
    );
}
