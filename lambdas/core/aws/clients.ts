import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, made once per process. Endpoints come from the SDK's own AWS_ENDPOINT_URL_* variables,
 * so the local runtime points the same code at dynalite and s3rver.
 */
let cached:
  { db: DynamoDBDocumentClient; s3: S3Client; sfn: SFNClient; events: EventBridgeClient } | undefined;

export function clients() {
  cached ??= {
    db: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    s3: new S3Client({ forcePathStyle: process.env.CUTLINE_S3_FORCE_PATH_STYLE === 'true' }),
    sfn: new SFNClient({}),
    events: new EventBridgeClient({}),
  };
  return cached;
}
