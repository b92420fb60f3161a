import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Agent } from 'node:http';
import { recordCalls } from './call-recorder.js';
import { tracer } from '../observability.js';
import { setting } from '../config.js';

/**
 * SDK clients, made once per process. Endpoints come from the SDK's own AWS_ENDPOINT_URL_* variables,
 * so the local runtime points the same code at dynalite and s3rver.
 */
let cached:
  { db: DynamoDBDocumentClient; s3: S3Client; sfn: SFNClient; events: EventBridgeClient } | undefined;

const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);

export function clients() {
  cached ??= {
    db: DynamoDBDocumentClient.from(recordCalls(traced(new DynamoDBClient({})), 'dynamodb'), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    s3: recordCalls(
      traced(
        new S3Client(
          setting('S3_FORCE_PATH_STYLE') === 'true'
            ? // Local S3 (s3rver) neither path-styles nor understands aws-chunked checksum framing.
              {
                forcePathStyle: true,
                requestChecksumCalculation: 'WHEN_REQUIRED',
                responseChecksumValidation: 'WHEN_REQUIRED',
                // s3rver closes idle keep-alive sockets after 5 s; a busy machine reuses one just as it
                // closes ("socket hang up"), and a streamed upload cannot be retried. No reuse locally.
                requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
              }
            : {},
        ),
      ),
      's3',
    ),
    sfn: recordCalls(traced(new SFNClient({})), 'states'),
    events: recordCalls(traced(new EventBridgeClient({})), 'events'),
  };
  return cached;
}

/** The local runtime re-points the SDK (new endpoints) and must drop clients made before. */
export function resetClients(): void {
  cached = undefined;
}
