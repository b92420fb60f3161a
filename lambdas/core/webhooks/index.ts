import { SecretsManagerBackend } from './secrets-manager.js';
import { ENV } from '../config.js';
import { CutlineError } from '../errors.js';
import { FileSecretBackend } from './file-secrets.js';
import { graceSecondsFromEnv, WebhookSecrets } from './secrets.js';

let cached: { key: string; secrets: WebhookSecrets } | undefined;

/**
 * The tenant webhook secrets of this deployment: files under CUTLINE_WEBHOOK_SECRETS_DIR locally,
 * Secrets Manager under CUTLINE_WEBHOOK_SECRET_PREFIX in AWS. Neither set refuses with NOT_SUPPORTED.
 * One instance per configuration, so its short cache is shared by a process's handlers.
 */
export function webhookSecrets(env: NodeJS.ProcessEnv = process.env): WebhookSecrets {
  const dir = env[ENV.WEBHOOK_SECRETS_DIR];
  const prefix = env[ENV.WEBHOOK_SECRET_PREFIX];
  const key = `${dir ?? ''}|${prefix ?? ''}|${env[ENV.WEBHOOK_SECRET_GRACE_SECONDS] ?? ''}`;
  if (cached?.key === key) return cached.secrets;
  if (!dir && !prefix)
    throw new CutlineError(
      'NOT_SUPPORTED',
      `webhook secrets are not configured: set ${ENV.WEBHOOK_SECRET_PREFIX} (Secrets Manager) or ${ENV.WEBHOOK_SECRETS_DIR} (local files)`,
    );
  const backend = dir ? new FileSecretBackend(dir) : new SecretsManagerBackend(prefix!);
  cached = { key, secrets: new WebhookSecrets(backend, { graceSeconds: graceSecondsFromEnv(env) }) };
  return cached.secrets;
}
