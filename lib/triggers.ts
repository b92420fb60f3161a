import { existsSync } from 'node:fs';
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { EventType, type Bucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, HANDLERS } from '../lambdas/core/config.js';
import type { Events } from './events.js';
import { CutlineFunction, ROOT } from './functions.js';
import type { WebhookSecrets } from './webhook-secrets.js';

export interface TriggersProps {
  /** The table: the drop folder writes jobs, delivery reads a job's callback. */
  readonly table: ITable;
  /** The ingest bucket whose drop/ prefix starts jobs (a Bucket: the notification is added to it). */
  readonly ingest: Bucket;
  /** The render state machine drop-folder jobs start. */
  readonly stateMachine: IStateMachine;
  /** The bus and webhook queue deliveries come from (lib/events.ts). */
  readonly events: Events;
  /** Settings of the drop-folder function: it submits jobs as the API does (ENV names). */
  readonly submitEnvironment: Readonly<Record<string, string>>;
  /** The one tenant every dropped file belongs to. Default: none, the drop folder is per tenant (drop/<tenant id>/). */
  readonly dropFolderOwner?: string;
  /** Settings of the webhook delivery function (ENV names). */
  readonly environment: Readonly<Record<string, string>>;
  /** The tenants' webhook secrets deliveries are signed with. */
  readonly webhookSecrets: WebhookSecrets;
  /** The delivery function's timeout (the webhook queue's visibility timeout is sized from it). */
  readonly deliveryTimeout: Duration;
  readonly logGroup: ILogGroup;
}

/**
 * What starts work from outside the API: objects under drop/ in the ingest bucket (the drop-folder
 * function submits them) and job events on the bus (the delivery function posts them to callbacks).
 */
export class Triggers extends Construct {
  /** Undefined when the drop-folder handler is not part of this build. */
  readonly dropFolder?: CutlineFunction;
  readonly webhook: CutlineFunction;

  constructor(scope: Construct, id: string, props: TriggersProps) {
    super(scope, id);
    if (existsSync(`${ROOT}${HANDLERS.triggers.dropFolder}`)) {
      const drop = new CutlineFunction(this, 'DropFolderFunction', {
        entry: HANDLERS.triggers.dropFolder,
        memorySize: 512,
        timeout: Duration.minutes(1),
        environment: {
          ...props.submitEnvironment,
          ...(props.dropFolderOwner ? { [ENV.DROP_TENANT]: props.dropFolderOwner } : {}),
        },
        logGroup: props.logGroup,
      });
      props.table.grantReadWriteData(drop);
      props.ingest.grantReadWrite(drop);
      props.stateMachine.grantStartExecution(drop);
      props.ingest.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(drop), {
        prefix: 'drop/',
      });
      this.dropFolder = drop;
    }
    this.webhook = new CutlineFunction(this, 'WebhookFunction', {
      entry: HANDLERS.triggers.webhook,
      memorySize: 256,
      timeout: props.deliveryTimeout,
      environment: {
        ...props.environment,
        ...props.webhookSecrets.environment,
        [ENV.WEBHOOK_RETRY]: JSON.stringify(props.events.schedule),
      },
      logGroup: props.logGroup,
    });
    props.table.grant(this.webhook, 'dynamodb:GetItem');
    // Reads a tenant's secrets; creates the first one when a tenant's first event goes out.
    props.webhookSecrets.grant(this.webhook, 'secretsmanager:GetSecretValue', 'secretsmanager:CreateSecret');
    props.events.deliverWebhooks(this.webhook);
  }
}
