import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ENV } from '../config.js';
import { CutlineError, QuotaExceededError } from '../errors.js';

/**
 * Per-tenant webhook signing secrets. Each tenant has one stored record: the current secret and, for a
 * grace period after a rotation, the previous one; both sign while the grace lasts (two `v1=` values in
 * `cutline-signature`), so a receiver can switch over at its own pace. The record is created on first use
 * (a delivery or a rotation) and lives in a `SecretBackend`: Secrets Manager in AWS, 0600 files locally.
 */
const Version = z.object({ id: z.string(), value: z.string().min(32), createdAt: z.string() });
const Stored = z.object({
  current: Version,
  previous: Version.extend({ expiresAt: z.string() }).optional(),
});
type Stored = z.infer<typeof Stored>;

/** Where the records are kept; one JSON string per tenant. */
export interface SecretBackend {
  read(tenantId: string): Promise<string | undefined>;
  /** Creates the record; false when one exists already (another process won a race). */
  create(tenantId: string, value: string): Promise<boolean>;
  write(tenantId: string, value: string): Promise<void>;
}

/** What GET /v1/webhooks/secret shows: never the secret, only its id and when it was made. */
export interface SecretInfo {
  id: string;
  createdAt: string;
  previous?: { id: string; createdAt: string; expiresAt: string };
}

export interface RotatedSecret extends SecretInfo {
  /** The new secret, shown this once. */
  secret: string;
}

/** Tenant ids become secret names and file names: a conservative alphabet, no path tricks. */
const TENANT = /^[A-Za-z0-9][A-Za-z0-9_.@+=-]{0,127}$/;

export function assertTenantId(tenantId: string): void {
  if (!TENANT.test(tenantId))
    throw new CutlineError('VALIDATION_FAILED', 'the tenant id cannot name a webhook secret', [
      { path: 'tenantId', message: 'not a valid tenant id' },
    ]);
}

/** A secret's public id: the first 12 hex characters of its SHA-256, enough to tell versions apart. */
export const secretId = (value: string): string =>
  `whsec_${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;

const newVersion = (now: Date) => {
  const value = randomBytes(32).toString('hex');
  return { id: secretId(value), value, createdAt: now.toISOString() };
};

export interface WebhookSecretsOptions {
  /** How long a read record is reused; short, so a rotation elsewhere is seen soon. Default 30 s. */
  cacheTtlMs?: number;
  /** How long the old secret still signs after a rotation. Default 24 h. */
  graceSeconds?: number;
  /**
   * Least time between two rotations. Default 600 s: Secrets Manager advises against PutSecretValue more
   * than once every 10 minutes (versions younger than a day are never pruned and count against a quota).
   */
  minRotationSeconds?: number;
  now?: () => Date;
}

export class WebhookSecrets {
  private readonly cache = new Map<string, { at: number; stored: Stored }>();
  private readonly ttl: number;
  private readonly grace: number;
  private readonly minRotation: number;
  private readonly now: () => Date;

  constructor(
    private readonly backend: SecretBackend,
    opts: WebhookSecretsOptions = {},
  ) {
    this.ttl = opts.cacheTtlMs ?? 30_000;
    this.grace = opts.graceSeconds ?? 86_400;
    this.minRotation = opts.minRotationSeconds ?? 600;
    this.now = opts.now ?? (() => new Date());
  }

  /** The secrets that sign a delivery now, newest first; creates the tenant's first secret if needed. */
  async signing(tenantId: string): Promise<string[]> {
    const stored = (await this.load(tenantId)) ?? (await this.createFirst(tenantId));
    const out = [stored.current.value];
    if (stored.previous && Date.parse(stored.previous.expiresAt) > this.now().getTime())
      out.push(stored.previous.value);
    return out;
  }

  /** The tenant's secret ids and times, or undefined when it has none yet. */
  async describe(tenantId: string): Promise<SecretInfo | undefined> {
    const stored = await this.load(tenantId, true);
    return stored && this.info(stored);
  }

  /** A new current secret (returned once); the old one keeps signing until the grace period ends. */
  async rotate(tenantId: string): Promise<RotatedSecret> {
    const now = this.now();
    const old = await this.load(tenantId, true);
    // The first rotation after a secret made on first use is always allowed: it is how a tenant sees one.
    const since = old?.previous ? (now.getTime() - Date.parse(old.current.createdAt)) / 1000 : Infinity;
    if (since < this.minRotation)
      throw new QuotaExceededError(
        `the webhook secret was rotated ${Math.floor(since)} s ago; rotate at most once every ${this.minRotation} s`,
        Math.ceil(this.minRotation - since),
      );
    const current = newVersion(now);
    const stored: Stored = {
      current,
      ...(old
        ? {
            previous: {
              ...old.current,
              expiresAt: new Date(now.getTime() + this.grace * 1000).toISOString(),
            },
          }
        : {}),
    };
    const text = JSON.stringify(stored);
    if (old) await this.backend.write(tenantId, text);
    else if (!(await this.backend.create(tenantId, text))) return this.rotate(tenantId);
    this.cache.set(tenantId, { at: Date.now(), stored });
    return { ...this.info(stored), secret: current.value };
  }

  private info(s: Stored): SecretInfo {
    const previous =
      s.previous && Date.parse(s.previous.expiresAt) > this.now().getTime()
        ? { id: s.previous.id, createdAt: s.previous.createdAt, expiresAt: s.previous.expiresAt }
        : undefined;
    return { id: s.current.id, createdAt: s.current.createdAt, ...(previous ? { previous } : {}) };
  }

  private async createFirst(tenantId: string): Promise<Stored> {
    const stored: Stored = { current: newVersion(this.now()) };
    if (!(await this.backend.create(tenantId, JSON.stringify(stored)))) {
      const won = await this.load(tenantId, true);
      if (!won) throw new Error(`webhook secret of ${tenantId} exists but cannot be read`);
      return won;
    }
    this.cache.set(tenantId, { at: Date.now(), stored });
    return stored;
  }

  private async load(tenantId: string, fresh = false): Promise<Stored | undefined> {
    assertTenantId(tenantId);
    const hit = this.cache.get(tenantId);
    if (!fresh && hit && Date.now() - hit.at < this.ttl) return hit.stored;
    const text = await this.backend.read(tenantId);
    if (text === undefined) return undefined;
    let stored: Stored;
    try {
      stored = Stored.parse(JSON.parse(text));
    } catch {
      throw new Error(`the webhook secret record of tenant ${tenantId} is not in the expected form`);
    }
    this.cache.set(tenantId, { at: Date.now(), stored });
    return stored;
  }
}

export const graceSecondsFromEnv = (env: NodeJS.ProcessEnv = process.env): number | undefined => {
  const raw = env[ENV.WEBHOOK_SECRET_GRACE_SECONDS];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${ENV.WEBHOOK_SECRET_GRACE_SECONDS} must be whole seconds ≥ 0`);
  return n;
};
