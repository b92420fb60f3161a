import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Resolve } from '../lambdas/core/net/fetch.js';
import { attemptDelivery } from '../lambdas/core/webhooks/deliver.js';
import {
  DEFAULT_RETRY_SCHEDULE,
  retryDelaySeconds,
  RetrySchedule,
} from '../lambdas/core/webhooks/schedule.js';
import type { EventEnvelope } from '../lambdas/core/webhooks/signature.js';
import { STRICT_POLICY, webhookUrlProblem, type WebhookPolicy } from '../lambdas/core/webhooks/target.js';
import { matches, validatePattern, type EventPattern } from './event-pattern.js';

export type { EventEnvelope } from '../lambdas/core/webhooks/signature.js';

export type SubscriberTarget =
  | { type: 'webhook'; url: string; secret?: string }
  | { type: 'function'; fn: (envelope: EventEnvelope) => Promise<void> };

export interface Subscriber {
  name: string;
  pattern: EventPattern;
  target: SubscriberTarget;
}

/** One PutEvents entry, as the SDK's `PutEventsRequestEntry` has it. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date | string | number;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface LocalEventBusOptions {
  /** Every event, and every delivery given up on, is appended here as one JSON object per line. */
  logFile: string;
  /** Events whose retries ran out, one JSON line each (0600): the local dead-letter queue. */
  deadLetterFile?: string;
  /**
   * Webhook deliveries waiting for a retry (0600 journal), so they survive a restart like messages on the
   * SQS queue; `resume()` picks them up. None: the retries live in memory only.
   */
  queueFile?: string;
  subscribers?: Subscriber[];
  /** Signs subscriber webhooks without a `secret` of their own (operators' receivers, every tenant). */
  defaultWebhookSecret: string;
  /**
   * The job's callback and tenant for an event (the platform looks the job up and says whether the job
   * wants this type: Job Progress only when it asked with `callbackEvents`); none → no callback.
   */
  callbackFor?(
    detail: Record<string, unknown>,
    detailType: string,
  ): Promise<{ url: string; tenantId: string } | undefined>;
  /** The tenant's signing secrets, newest first (webhooks/secrets.ts); needed with callbackFor. */
  secretsFor?(tenantId: string): Promise<string[]>;
  /**
   * Which events may go to a job's callback. Default: source `cutline` and Job Succeeded / Failed /
   * Cancelled; the platform adds Job Progress, which its callbackFor gives only to jobs that opted in.
   */
  callbackPattern?: EventPattern;
  /** The retry schedule of webhook and function targets, the one SQS applies in AWS. */
  retry?: RetrySchedule;
  /** Where webhooks may go (SSRF). Default: public addresses only. */
  webhookPolicy?: WebhookPolicy;
  /** Resolves webhook host names (tests point a name they control at an address). */
  resolve?: Resolve;
  /** Per-attempt timeout, ms. Default 10 s. */
  timeoutMs?: number;
  /** Called when the first event is dead-lettered (the local equivalent of the DLQ alarm). */
  onAlarm?(message: string): void;
  /** The bus name reported in logs; PutEvents' EventBusName is accepted whatever it is. */
  name?: string;
}

export const DEFAULT_CALLBACK_PATTERN: EventPattern = {
  source: ['cutline'],
  'detail-type': ['Job Succeeded', 'Job Failed', 'Job Cancelled'],
};

export interface DeliveryFailure {
  eventId: string;
  detailType: string;
  subscriber: string;
  target: string;
  attempts: number;
  error: string;
  /** refused: no retry can help; dead-letter: every retry failed; stopped: the bus closed first. */
  outcome: 'refused' | 'dead-letter' | 'stopped' | 'error';
  time: string;
}

export interface BusEvents {
  event: [EventEnvelope];
  delivered: [{ eventId: string; subscriber: string; target: string; attempts: number }];
  'delivery-failed': [DeliveryFailure];
  /** The event could not be appended to the log (a full disk); it was delivered all the same. */
  'log-failed': [{ eventId: string; error: string }];
}

/** AWS's limits on one PutEvents call (entries) and one entry (bytes). */
const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

class Stopped extends Error {}

/** A webhook delivery waiting for its next attempt, as the queue file keeps it. */
interface PendingDelivery {
  key: string;
  subscriber: string;
  /** The attempt that failed last; the next one is attempt + 1. */
  attempt: number;
  /** When the next attempt is due (epoch ms). */
  dueAt: number;
  envelope: EventEnvelope;
}

/**
 * The local stand-in for the platform's EventBridge bus and its webhook queue.
 *
 * `put` records each event in the JSONL log and returns at once; delivery to the subscribers whose
 * pattern matches (and to the job's callback, signed with the job tenant's secrets) runs in the background
 * on the retry schedule SQS applies in AWS. `drain()` waits for it. A target refused by the SSRF policy
 * fails at once; one whose retries ran out is written to the dead-letter file, counted in
 * `deadLetters` (the alarm metric: `onAlarm` fires on the first) and logged as `{"delivery-failed": …}`.
 * Listen with `bus.on('event', cb)` or `for await (const e of bus.events({ signal }))`.
 */
export class LocalEventBus extends EventEmitter<BusEvents> {
  private readonly subscribers: Subscriber[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly callbackPattern: EventPattern;
  private readonly schedule: RetrySchedule;
  private readonly policy: WebhookPolicy;
  private readonly deadLetterFile: string;
  private readonly stop = new AbortController();
  /** Events dead-lettered since start: the local `ApproximateNumberOfMessagesVisible` of the DLQ. */
  deadLetters = 0;

  constructor(private readonly opts: LocalEventBusOptions) {
    super();
    if (!opts.defaultWebhookSecret) throw new Error('LocalEventBus: defaultWebhookSecret is required');
    if (opts.callbackFor && !opts.secretsFor) throw new Error('LocalEventBus: callbackFor needs secretsFor');
    this.callbackPattern = opts.callbackPattern ?? DEFAULT_CALLBACK_PATTERN;
    this.schedule = RetrySchedule.parse(opts.retry ?? DEFAULT_RETRY_SCHEDULE);
    this.policy = opts.webhookPolicy ?? STRICT_POLICY;
    this.deadLetterFile = opts.deadLetterFile ?? join(dirname(opts.logFile), 'webhook-dead-letters.jsonl');
    validatePattern(this.callbackPattern);
    mkdirSync(dirname(opts.logFile), { recursive: true });
    for (const s of opts.subscribers ?? []) this.subscribe(s);
  }

  /** Adds a subscriber (its pattern and URL are checked now); returns a function that removes it. */
  subscribe(sub: Subscriber): () => void {
    if (!sub?.name) throw new Error('subscriber needs a name');
    // "callback" names the job-callback deliveries (logs, the queue file).
    if (sub.name === 'callback') throw new Error('subscriber name "callback" is reserved');
    try {
      validatePattern(sub.pattern);
      if (sub.target?.type === 'webhook') {
        const problem = webhookUrlProblem(sub.target.url, this.policy);
        if (problem) throw new Error(`webhook URL ${JSON.stringify(sub.target.url)}: ${problem}`);
      } else if (sub.target?.type !== 'function' || typeof sub.target.fn !== 'function')
        throw new Error('target must be { type: "webhook", url } or { type: "function", fn }');
    } catch (err) {
      throw new Error(`subscriber "${sub.name}": ${(err as Error).message}`, { cause: err });
    }
    this.subscribers.push(sub);
    return () => {
      const i = this.subscribers.indexOf(sub);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  list(): readonly Subscriber[] {
    return this.subscribers;
  }

  /**
   * Publishes entries (PutEvents semantics): each valid entry becomes an envelope, is logged and queued for
   * delivery; an invalid one gets an ErrorCode, like AWS, and the others still go through. Synchronous: the
   * event is in the log when this returns; delivery is not awaited.
   */
  put(entries: readonly PutEventsEntry[]): PutEventsResultEntry[] {
    return entries.map((entry) => {
      const problem = entryProblem(entry);
      if (problem) return problem;
      const envelope: EventEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType!,
        source: entry.Source!,
        account: '000000000000',
        time: eventTime(entry.Time),
        region: 'local',
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail!) as Record<string, unknown>,
      };
      try {
        this.log(envelope);
      } catch (err) {
        // A full disk loses the log line, not the event: it is still delivered.
        this.emit('log-failed', { eventId: envelope.id, error: (err as Error).message });
      }
      this.emit('event', envelope);
      this.track(this.deliver(envelope));
      return { EventId: envelope.id };
    });
  }

  /** Resolves when every delivery started so far (and any they started) has finished. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /**
   * Stops waiting between retries: deliveries still pending are recorded as `stopped` and stay in the
   * queue file (if any) for `resume()` at the next start, as they would on AWS's queue; then resolves.
   */
  async close(): Promise<void> {
    this.stop.abort();
    await this.drain();
  }

  /** The events published from now on, until `signal` aborts. */
  async *events(opts: { signal?: AbortSignal } = {}): AsyncGenerator<EventEnvelope> {
    try {
      for await (const [envelope] of on(this, 'event', { signal: opts.signal }))
        yield envelope as EventEnvelope;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  }

  /**
   * Picks up the deliveries that were waiting for a retry when the bus last stopped (or crashed), from
   * the queue file: each continues with its next attempt at the time it was due. Callbacks are looked up
   * again (the job's callback and tenant); a subscriber must still exist under its name.
   */
  resume(): number {
    const file = this.opts.queueFile;
    if (!file) return 0;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    const live = new Map<string, PendingDelivery>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: { pending?: PendingDelivery; done?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // a line cut short by a crash
      }
      if (entry.pending) live.set(entry.pending.key, entry.pending);
      if (entry.done) live.delete(entry.done);
    }
    // Compact: only what is still waiting is kept.
    writeFileSync(file, [...live.values()].map((p) => `${JSON.stringify({ pending: p })}\n`).join(''), {
      mode: 0o600,
    });
    for (const p of live.values()) this.track(this.resumeOne(p));
    return live.size;
  }

  private async resumeOne(p: PendingDelivery): Promise<void> {
    const from = { attempt: p.attempt, dueAt: p.dueAt };
    const gone = (why: string) => {
      this.journal({ done: p.key });
      this.failed(p.envelope, p.subscriber, 'resume', p.attempt, why, 'error');
    };
    if (p.subscriber === 'callback') {
      let target: { url: string; tenantId: string } | undefined;
      try {
        target = await this.opts.callbackFor?.(p.envelope.detail, p.envelope['detail-type']);
      } catch (err) {
        return gone((err as Error).message);
      }
      if (!target) return gone('the job or its callback is gone');
      return this.webhook(
        p.envelope,
        'callback',
        target.url,
        () => this.opts.secretsFor!(target.tenantId),
        from,
      );
    }
    const sub = this.subscribers.find((s) => s.name === p.subscriber);
    if (sub?.target.type !== 'webhook') return gone(`subscriber "${p.subscriber}" no longer exists`);
    const t = sub.target;
    return this.webhook(
      p.envelope,
      sub.name,
      t.url,
      async () => [t.secret ?? this.opts.defaultWebhookSecret],
      from,
    );
  }

  private journal(line: unknown): void {
    if (!this.opts.queueFile) return;
    try {
      appendFileSync(this.opts.queueFile, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch {
      // Shutdown removed the folder: the in-memory delivery still runs to its end.
    }
  }

  private log(line: unknown): void {
    // Every tenant's events: readable by the platform's owner only.
    appendFileSync(this.opts.logFile, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(envelope: EventEnvelope): Promise<void> {
    const runs: Array<Promise<void>> = [];
    for (const s of [...this.subscribers]) {
      let matched = false;
      try {
        matched = matches(s.pattern, envelope);
      } catch (err) {
        this.failed(envelope, s.name, 'pattern', 0, (err as Error).message, 'error');
      }
      if (!matched) continue;
      const t = s.target;
      runs.push(
        t.type === 'webhook'
          ? this.webhook(envelope, s.name, t.url, async () => [t.secret ?? this.opts.defaultWebhookSecret])
          : this.call(envelope, s.name, t.fn),
      );
    }
    if (this.opts.callbackFor && matches(this.callbackPattern, envelope)) {
      runs.push(
        (async () => {
          let target: { url: string; tenantId: string } | undefined;
          try {
            target = await this.opts.callbackFor!(envelope.detail, envelope['detail-type']);
          } catch (err) {
            return this.failed(envelope, 'callback', 'lookup', 0, (err as Error).message, 'error');
          }
          if (target)
            await this.webhook(envelope, 'callback', target.url, () =>
              this.opts.secretsFor!(target.tenantId),
            );
        })(),
      );
    }
    await Promise.all(runs);
  }

  /**
   * Tries `attempt` on the schedule: attempt n that fails waits retryDelaySeconds(n) before n+1. Returns
   * how it ended; a thrown `Stopped` means the bus closed during a wait.
   */
  private async onSchedule(
    attempt: () => Promise<{ ok: true } | { ok: false; retry: boolean; reason: string }>,
    resume: { from?: number; dueAt?: number; onRetry?: (failed: number, dueAt: number) => void } = {},
  ): Promise<{ ok: boolean; attempts: number; reason: string; outcome?: DeliveryFailure['outcome'] }> {
    let reason = '';
    const from = resume.from ?? 1;
    if (resume.dueAt !== undefined) {
      try {
        await this.sleep(Math.max(0, resume.dueAt - Date.now()));
      } catch {
        return {
          ok: false,
          attempts: from - 1,
          reason: 'the bus stopped before the retry',
          outcome: 'stopped',
        };
      }
    }
    for (let n = from; n <= this.schedule.attempts; n++) {
      const r = await attempt();
      if (r.ok) return { ok: true, attempts: n, reason: '' };
      if (!r.retry) return { ok: false, attempts: n, reason: r.reason, outcome: 'refused' };
      reason = r.reason;
      if (n < this.schedule.attempts) {
        const delayMs = retryDelaySeconds(n, this.schedule) * 1000;
        resume.onRetry?.(n, Date.now() + delayMs);
        try {
          await this.sleep(delayMs);
        } catch {
          return {
            ok: false,
            attempts: n,
            reason: `the bus stopped before retry ${n + 1}; last: ${reason}`,
            outcome: 'stopped',
          };
        }
      }
    }
    return { ok: false, attempts: this.schedule.attempts, reason, outcome: 'dead-letter' };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stop.signal.aborted) return reject(new Stopped());
      const timer = setTimeout(() => {
        this.stop.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Stopped());
      };
      this.stop.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async webhook(
    envelope: EventEnvelope,
    name: string,
    url: string,
    secrets: () => Promise<string[]>,
    from?: { attempt: number; dueAt: number },
  ): Promise<void> {
    const key = `${envelope.id}|${name}`;
    let journaled = from !== undefined;
    const end = await this.onSchedule(
      async () => {
        try {
          // Read per attempt: a rotation during the retries signs the next attempt with the new secret.
          return await attemptDelivery(url, envelope, await secrets(), {
            policy: this.policy,
            resolve: this.opts.resolve,
            timeoutMs: this.opts.timeoutMs,
          });
        } catch (err) {
          return { ok: false as const, retry: true, reason: (err as Error).message };
        }
      },
      {
        from: from ? from.attempt + 1 : 1,
        dueAt: from?.dueAt,
        // Like a message on the SQS queue: a delivery waiting for its retry survives a restart.
        onRetry: (failed, dueAt) => {
          journaled = true;
          this.journal({ pending: { key, subscriber: name, attempt: failed, dueAt, envelope } });
        },
      },
    );
    if (journaled && end.outcome !== 'stopped') this.journal({ done: key });
    if (end.ok)
      this.emit('delivered', { eventId: envelope.id, subscriber: name, target: url, attempts: end.attempts });
    else this.failed(envelope, name, url, end.attempts, end.reason, end.outcome!);
  }

  private async call(envelope: EventEnvelope, name: string, fn: (e: EventEnvelope) => Promise<void>) {
    const end = await this.onSchedule(async () => {
      try {
        await fn(structuredClone(envelope));
        return { ok: true as const };
      } catch (err) {
        return { ok: false as const, retry: true, reason: (err as Error)?.message ?? String(err) };
      }
    });
    if (end.ok)
      this.emit('delivered', {
        eventId: envelope.id,
        subscriber: name,
        target: 'function',
        attempts: end.attempts,
      });
    else this.failed(envelope, name, 'function', end.attempts, end.reason, end.outcome!);
  }

  private failed(
    envelope: EventEnvelope,
    subscriber: string,
    target: string,
    attempts: number,
    error: string,
    outcome: DeliveryFailure['outcome'],
  ) {
    const failure: DeliveryFailure = {
      eventId: envelope.id,
      detailType: envelope['detail-type'],
      subscriber,
      target,
      attempts,
      error,
      outcome,
      time: new Date().toISOString(),
    };
    try {
      this.log({ 'delivery-failed': failure });
      if (outcome === 'dead-letter') {
        appendFileSync(this.deadLetterFile, `${JSON.stringify({ ...failure, event: envelope })}\n`, {
          mode: 0o600,
        });
      }
    } catch {
      // The log is gone (shutdown): the emitted event below is all that is left to do.
    }
    if (outcome === 'dead-letter' && ++this.deadLetters === 1)
      this.opts.onAlarm?.(
        `ALARM webhook dead letters > 0: ${subscriber} (${target}) failed ${attempts} times; see ${this.deadLetterFile}`,
      );
    this.emit('delivery-failed', failure);
  }
}

function entryProblem(e: PutEventsEntry): PutEventsResultEntry | undefined {
  const invalid = (param: string, reason: string) => ({
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${param} is not valid. Reason: ${reason}`,
  });
  if (typeof e?.Source !== 'string' || !e.Source) return invalid('Source', 'Source is a required argument.');
  if (typeof e.DetailType !== 'string' || !e.DetailType)
    return invalid('DetailType', 'DetailType is a required argument.');
  if (typeof e.Detail !== 'string' || !e.Detail) return invalid('Detail', 'Detail is a required argument.');
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
  if (
    e.Resources !== undefined &&
    !(Array.isArray(e.Resources) && e.Resources.every((r) => typeof r === 'string'))
  )
    return invalid('Resources', 'Resources must be a list of strings.');
  const size = Buffer.byteLength(e.Source) + Buffer.byteLength(e.DetailType) + Buffer.byteLength(e.Detail);
  if (size > MAX_ENTRY_BYTES)
    return invalid('Detail', `the entry is ${size} bytes; the limit is ${MAX_ENTRY_BYTES} bytes.`);
  return undefined;
}

/** The SDK sends `Time` as epoch seconds; callers in process may pass a Date or an ISO string. */
function eventTime(t: PutEventsEntry['Time']): string {
  const d = t === undefined ? new Date() : typeof t === 'number' ? new Date(t * 1000) : new Date(t);
  return (isNaN(d.getTime()) ? new Date() : d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A request the AWS JSON protocol rejects as a whole (HTTP 400 with `{ __type, message }`). */
export class EventBridgeRequestError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly type: 'SerializationException' | 'ValidationException',
    message: string,
  ) {
    super(message);
    this.name = type;
  }
  /** The response body the SDK expects for this error. */
  toBody(): string {
    return JSON.stringify({ __type: this.type, message: this.message });
  }
}

/**
 * `AWSEvents.PutEvents` over the AWS JSON 1.1 protocol: the request body `{ Entries: [...] }` in, the
 * response body `{ FailedEntryCount, Entries: [{ EventId } | { ErrorCode, ErrorMessage }] }` out, so the
 * SDK's EventBridgeClient (AWS_ENDPOINT_URL_EVENTBRIDGE pointing at the local endpoint) works unchanged.
 * Throws EventBridgeRequestError for a request that is not valid as a whole; the HTTP host answers it
 * with status 400 and `err.toBody()`.
 */
export function handleEventBridgeRequest(bus: LocalEventBus, body: string): string {
  let req: unknown;
  try {
    req = JSON.parse(body || '{}');
  } catch {
    throw new EventBridgeRequestError('SerializationException', 'the request body is not JSON');
  }
  const entries = (req as { Entries?: unknown })?.Entries;
  if (!Array.isArray(entries) || entries.length === 0)
    throw new EventBridgeRequestError('ValidationException', 'Entries must be a list of 1 to 10 entries');
  if (entries.length > MAX_ENTRIES)
    throw new EventBridgeRequestError(
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  const results = bus.put(entries as PutEventsEntry[]);
  return JSON.stringify({
    FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
    Entries: results,
  });
}
