import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretBackend } from '../../../lambdas/core/webhooks/file-secrets.js';
import { webhookSecrets } from '../../../lambdas/core/webhooks/index.js';
import { WebhookSecrets } from '../../../lambdas/core/webhooks/secrets.js';

const dir = () => mkdtemp(join(tmpdir(), 'cutline-secrets-'));

/** A clock the test moves by hand: grace periods and rotation limits are hours, not waits. */
function clock(start = Date.parse('2026-12-01T10:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (s: number) => (t += s * 1000) };
}

describe('tenant webhook secrets (file backend)', () => {
  it('creates a tenant’s secret on first use, per tenant, in a 0600 file in a 0700 folder', async () => {
    const d = join(await dir(), 'webhook-secrets');
    const s = new WebhookSecrets(new FileSecretBackend(d));
    const [a] = await s.signing('tenant-a');
    const [b] = await s.signing('tenant-b');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
    expect(await s.signing('tenant-a')).toEqual([a]);
    expect((await readdir(d)).sort()).toEqual(['tenant-a.json', 'tenant-b.json']);
    expect((await stat(join(d, 'tenant-a.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(d)).mode & 0o777).toBe(0o700);
    // Another process (a fresh instance, no cache) reads the same secret.
    expect(await new WebhookSecrets(new FileSecretBackend(d)).signing('tenant-a')).toEqual([a]);
  });

  it('describes without revealing; rotation returns the new secret once and both sign for the grace period', async () => {
    const c = clock();
    const s = new WebhookSecrets(new FileSecretBackend(await dir()), { now: c.now, graceSeconds: 3600 });
    expect(await s.describe('t')).toBeUndefined();
    const first = await s.rotate('t'); // none yet: creates one, nothing to overlap
    expect(first.previous).toBeUndefined();
    expect(await s.signing('t')).toEqual([first.secret]);
    const info = await s.describe('t');
    expect(info).toEqual({ id: first.id, createdAt: '2026-12-01T10:00:00.000Z' });
    expect(JSON.stringify(info)).not.toContain(first.secret);
    expect(first.id).toMatch(/^whsec_[0-9a-f]{12}$/);

    c.advance(700);
    const second = await s.rotate('t');
    expect(second.secret).not.toBe(first.secret);
    expect(second.previous).toEqual({
      id: first.id,
      createdAt: first.createdAt,
      expiresAt: '2026-12-01T11:11:40.000Z',
    });
    expect(await s.signing('t')).toEqual([second.secret, first.secret]);
    c.advance(3599);
    expect(await s.signing('t')).toEqual([second.secret, first.secret]);
    c.advance(2);
    expect(await s.signing('t')).toEqual([second.secret]);
    expect((await s.describe('t'))?.previous).toBeUndefined();
  });

  it('refuses a second rotation within 10 minutes (Secrets Manager’s advice) with a retry time', async () => {
    const c = clock();
    const s = new WebhookSecrets(new FileSecretBackend(await dir()), { now: c.now });
    await s.signing('t'); // made on first use
    await s.rotate('t'); // the first rotation is always allowed
    c.advance(120);
    await expect(s.rotate('t')).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', retryAfterSeconds: 480 });
    c.advance(480);
    await expect(s.rotate('t')).resolves.toHaveProperty('secret');
  });

  it('another instance sees a rotation once its short cache expires', async () => {
    const d = await dir();
    const writer = new WebhookSecrets(new FileSecretBackend(d));
    const reader = new WebhookSecrets(new FileSecretBackend(d), { cacheTtlMs: 0 });
    const cached = new WebhookSecrets(new FileSecretBackend(d), { cacheTtlMs: 60_000 });
    const [old] = await reader.signing('t');
    await cached.signing('t');
    const { secret } = await writer.rotate('t');
    expect(await reader.signing('t')).toEqual([secret, old]);
    expect(await cached.signing('t')).toEqual([old]); // within its TTL: the old one, which still signs
  });

  it('two processes creating the first secret at once agree on one', async () => {
    const d = await dir();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => new WebhookSecrets(new FileSecretBackend(d)).signing('race')),
    );
    expect(new Set(results.map((r) => r[0])).size).toBe(1);
    expect(JSON.parse(await readFile(join(d, 'race.json'), 'utf8')).current.value).toBe(results[0]![0]);
  });

  it('refuses tenant ids that could escape the folder or the name prefix', async () => {
    const s = new WebhookSecrets(new FileSecretBackend(await dir()));
    for (const bad of ['../x', 'a/b', '', '.hidden', 'x'.repeat(200), 'a\0b'])
      await expect(s.signing(bad)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('webhookSecrets() picks files or Secrets Manager from the environment, and refuses neither', async () => {
    expect(() => webhookSecrets({})).toThrow(
      expect.objectContaining({
        code: 'NOT_SUPPORTED',
        message: expect.stringMatching(/CUTLINE_WEBHOOK_SECRET_PREFIX/),
      }),
    );
    const d = await dir();
    const a = webhookSecrets({ CUTLINE_WEBHOOK_SECRETS_DIR: d });
    expect(webhookSecrets({ CUTLINE_WEBHOOK_SECRETS_DIR: d })).toBe(a);
    await a.signing('t');
    expect(await readdir(d)).toEqual(['t.json']);
  });
});
