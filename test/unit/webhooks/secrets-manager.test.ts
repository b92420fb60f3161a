import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerBackend } from '../../../lambdas/core/webhooks/secrets-manager.js';
import { WebhookSecrets } from '../../../lambdas/core/webhooks/secrets.js';

/**
 * Contract of the three Secrets Manager calls (API reference: GetSecretValue, CreateSecret,
 * PutSecretValue): the secret is named by SecretId / Name under the stack's prefix; a missing secret is
 * ResourceNotFoundException; CreateSecret on an existing name is ResourceExistsException; PutSecretValue
 * without VersionStages moves AWSCURRENT to the new version. The behaviour on top is proven against the
 * file backend and on the local platform; this only pins the calls.
 */
const sm = mockClient(SecretsManagerClient);
const PREFIX = 'cutline/webhook/Cutline/';
afterAll(() => sm.restore());
beforeEach(() => sm.reset());

const notFound = () =>
  new ResourceNotFoundException({
    message: "Secrets Manager can't find the specified secret.",
    $metadata: {},
  });

describe('SecretsManagerBackend', () => {
  it('first use: GetSecretValue → not found → CreateSecret with the prefixed name and the JSON record', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({
      ARN: `arn:aws:secretsmanager:us-east-1:1:secret:${PREFIX}key1-AbCdEf`,
    });
    const s = new WebhookSecrets(
      new SecretsManagerBackend(PREFIX, new SecretsManagerClient({ region: 'us-east-1' })),
    );
    const [secret] = await s.signing('key1');
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: `${PREFIX}key1` });
    const create = sm.commandCalls(CreateSecretCommand)[0]!.args[0].input;
    expect(create).toEqual({
      Name: `${PREFIX}key1`,
      SecretString: expect.any(String),
      Description: expect.stringContaining('key1'),
    });
    expect(JSON.parse(create.SecretString!).current.value).toBe(secret);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('a create race (ResourceExistsException) reads the winner’s secret instead', async () => {
    const winner = JSON.stringify({
      current: { id: 'whsec_000000000000', value: 'w'.repeat(64), createdAt: '2026-12-01T00:00:00.000Z' },
    });
    sm.on(GetSecretValueCommand).rejectsOnce(notFound()).resolves({ SecretString: winner });
    sm.on(CreateSecretCommand).rejects(
      new ResourceExistsException({ message: 'the secret already exists', $metadata: {} }),
    );
    const s = new WebhookSecrets(
      new SecretsManagerBackend(PREFIX, new SecretsManagerClient({ region: 'us-east-1' })),
    );
    expect(await s.signing('key1')).toEqual(['w'.repeat(64)]);
  });

  it('rotation: PutSecretValue on the same SecretId with both versions in the record, no staging labels', async () => {
    const old = { id: 'whsec_111111111111', value: 'o'.repeat(64), createdAt: '2026-11-01T00:00:00.000Z' };
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current: old }) });
    sm.on(PutSecretValueCommand).resolves({ VersionStages: ['AWSCURRENT'] });
    const s = new WebhookSecrets(
      new SecretsManagerBackend(PREFIX, new SecretsManagerClient({ region: 'us-east-1' })),
    );
    const rotated = await s.rotate('key1');
    const put = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    expect(Object.keys(put).sort()).toEqual(['SecretId', 'SecretString']);
    expect(put.SecretId).toBe(`${PREFIX}key1`);
    const record = JSON.parse(put.SecretString!);
    expect(record.current.value).toBe(rotated.secret);
    expect(record.previous).toMatchObject({ ...old, expiresAt: expect.any(String) });
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('any other error (AccessDenied) is thrown, not mistaken for “no secret”', async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
    );
    const s = new WebhookSecrets(
      new SecretsManagerBackend(PREFIX, new SecretsManagerClient({ region: 'us-east-1' })),
    );
    await expect(s.signing('key1')).rejects.toThrow('denied');
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });
});
