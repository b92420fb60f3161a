import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretBackend } from './secrets.js';
import { tracer } from '../aws/telemetry.js';

/**
 * The AWS backend: one secret per tenant, named `<prefix><tenant>` (the construct grants only that
 * prefix). Created on first use with CreateSecret, rotated with PutSecretValue (Secrets Manager keeps the
 * version history and moves AWSCURRENT), read with GetSecretValue. Nothing about it is in the template.
 */
export class SecretsManagerBackend implements SecretBackend {
  constructor(
    private readonly prefix: string,
    private readonly client: SecretsManagerClient = tracer.captureAWSv3Client(new SecretsManagerClient({})),
  ) {}

  private name(tenantId: string): string {
    return `${this.prefix}${tenantId}`;
  }

  async read(tenantId: string): Promise<string | undefined> {
    try {
      const res = await this.client.send(new GetSecretValueCommand({ SecretId: this.name(tenantId) }));
      return res.SecretString;
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  }

  async create(tenantId: string, value: string): Promise<boolean> {
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: this.name(tenantId),
          SecretString: value,
          Description: `cutline webhook signing secrets of tenant ${tenantId}`,
        }),
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceExistsException') return false;
      throw err;
    }
  }

  async write(tenantId: string, value: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: this.name(tenantId), SecretString: value }));
  }
}
