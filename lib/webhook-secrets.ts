import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/core/config.js';

export interface WebhookSecretsProps {
  /** Seconds an old tenant webhook secret keeps signing after a rotation. Default: 86 400 (24 h, the runtime's). */
  readonly graceSeconds?: number;
}

/**
 * Tenant webhook secrets: Secrets Manager names under one prefix per stack (`cutline/webhook/<stack>/`),
 * the only secrets any function is granted, and the settings that tell the functions where they are.
 */
export class WebhookSecrets extends Construct {
  readonly prefix: string;
  /** ENV.WEBHOOK_SECRET_PREFIX (and the grace period when set) for the functions that read the secrets. */
  readonly environment: Readonly<Record<string, string>>;
  private readonly arns: string[];

  constructor(scope: Construct, id: string, props: WebhookSecretsProps = {}) {
    super(scope, id);
    this.prefix = `cutline/webhook/${Stack.of(this).stackName}/`;
    this.arns = [
      Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${this.prefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ];
    this.environment = {
      [ENV.WEBHOOK_SECRET_PREFIX]: this.prefix,
      ...(props.graceSeconds !== undefined
        ? { [ENV.WEBHOOK_SECRET_GRACE_SECONDS]: String(props.graceSeconds) }
        : {}),
    };
  }

  /** `actions` (secretsmanager:…) on this stack's tenant secrets, and nothing else. */
  grant(grantee: IGrantable, ...actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: this.arns }));
  }
}
