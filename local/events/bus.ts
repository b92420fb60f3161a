import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { appendFile } from 'node:fs/promises';
import { signWebhook } from '../../lambdas/core/webhook-signature.js';
import { matches, type Pattern } from './pattern.js';

export interface Envelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type Target =
  | { type: 'webhook'; url: string; secret?: string }
  | { type: 'function'; fn: (e: Envelope) => Promise<void> };
export interface Subscriber {
  name: string;
  pattern: Pattern;
  target: Target;
}

export interface PutEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName?: string;
}

/** POSTs a signed event, retrying with exponential backoff; resolves to the attempts made, throws after the last. */
export async function deliverWebhook(
  url: string,
  envelope: Envelope,
  secret: string,
  opts: { attempts?: number; baseDelayMs?: number } = {},
): Promise<number> {
  if (!/^https?:\/\//.test(url)) throw new Error(`webhook URL must be http(s): ${url}`);
  const body = JSON.stringify(envelope);
  const attempts = opts.attempts ?? 4;
  let last = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signWebhook(body, secret) },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return i;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (i < attempts) await new Promise((r) => setTimeout(r, (opts.baseDelayMs ?? 500) * 2 ** (i - 1)));
  }
  throw new Error(`webhook ${url} failed after ${attempts} attempts: ${last}`);
}

/**
 * The local EventBridge: every event is appended to a JSONL log, then delivered to the subscribers whose
 * pattern matches and to the job's callback URL, without holding up the publisher.
 */
export class LocalEventBus extends EventEmitter {
  private readonly subscribers: Subscriber[];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly opts: {
      logFile: string;
      subscribers?: Subscriber[];
      defaultWebhookSecret: string;
      callbackFor?: (detail: Record<string, unknown>) => Promise<string | undefined>;
      retry?: { attempts?: number; baseDelayMs?: number };
    },
  ) {
    super();
    this.subscribers = [...(opts.subscribers ?? [])];
  }

  subscribe(sub: Subscriber): void {
    this.subscribers.push(sub);
  }

  async put(entries: readonly PutEntry[]): Promise<string[]> {
    const ids: string[] = [];
    for (const e of entries) {
      const envelope: Envelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': e.DetailType,
        source: e.Source,
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: [],
        detail: JSON.parse(e.Detail) as Record<string, unknown>,
      };
      ids.push(envelope.id);
      await appendFile(this.opts.logFile, `${JSON.stringify(envelope)}\n`);
      this.emit('event', envelope);
      this.track(this.deliver(envelope));
    }
    return ids;
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(envelope: Envelope): Promise<void> {
    const jobs: Array<Promise<unknown>> = [];
    const failed = (name: string) => (err: Error) =>
      appendFile(
        this.opts.logFile,
        `${JSON.stringify({ 'delivery-failed': { target: name, eventId: envelope.id, error: err.message } })}\n`,
      );
    for (const s of this.subscribers) {
      if (!matches(s.pattern, envelope as unknown as Record<string, unknown>)) continue;
      const t = s.target;
      const run =
        t.type === 'webhook'
          ? deliverWebhook(t.url, envelope, t.secret ?? this.opts.defaultWebhookSecret, this.opts.retry)
          : t.fn(envelope);
      jobs.push(run.catch(failed(s.name)));
    }
    const callback = await this.opts.callbackFor?.(envelope.detail).catch(() => undefined);
    if (callback && envelope.source === 'cutline' && envelope['detail-type'] !== 'Job Progress') {
      jobs.push(
        deliverWebhook(callback, envelope, this.opts.defaultWebhookSecret, this.opts.retry).catch(
          failed(`callback ${callback}`),
        ),
      );
    }
    await Promise.all(jobs);
  }

  /** Waits for deliveries in flight (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
