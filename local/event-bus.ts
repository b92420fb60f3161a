import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventEnvelope } from '../lambdas/core/webhooks/signature.js';
import { assertWebhookUrl, deliverWebhook, type DeliveryOptions } from '../lambdas/triggers/webhook.js';
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

export interface RetryPolicy {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
}

export interface LocalEventBusOptions {
  /** Every event, and every delivery given up on, is appended here as one JSON object per line. */
  logFile: string;
  subscribers?: Subscriber[];
  /** Signs webhook targets without a `secret` of their own, and job callbacks. */
  defaultWebhookSecret: string;
  /**
   * The job's callback URL for an event (the platform looks the job up and says whether the job wants
   * this type: Job Progress only when it asked with `callbackEvents`); none → no callback.
   */
  callbackFor?(detail: Record<string, unknown>, detailType: string): Promise<string | undefined>;
  /**
   * Which events may go to a job's callback. Default: source `cutline` and Job Succeeded / Failed /
   * Cancelled; the platform adds Job Progress, which its callbackFor gives only to jobs that opted in.
   */
  callbackPattern?: EventPattern;
  /** Retries for webhook and function targets. Default: 4 attempts, 500 ms doubling. */
  retry?: RetryPolicy;
  /** For tests. Defaults to the global fetch. */
  fetchImpl?: typeof fetch;
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

/**
 * The local stand-in for the platform's EventBridge bus.
 *
 * `put` records each event in the JSONL log and returns at once; delivery to the subscribers whose
 * pattern matches (and to the job's callback) runs in the background with retries and backoff. `drain()`
 * waits for it. A delivery that fails after its last retry is written to the log as a
 * `{"delivery-failed": …}` line and emitted as `delivery-failed`; it never reaches the publisher.
 * Listen with `bus.on('event', cb)` or `for await (const e of bus.events({ signal }))`.
 */
export class LocalEventBus extends EventEmitter<BusEvents> {
  private readonly subscribers: Subscriber[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly callbackPattern: EventPattern;

  constructor(private readonly opts: LocalEventBusOptions) {
    super();
    if (!opts.defaultWebhookSecret) throw new Error('LocalEventBus: defaultWebhookSecret is required');
    this.callbackPattern = opts.callbackPattern ?? DEFAULT_CALLBACK_PATTERN;
    validatePattern(this.callbackPattern);
    mkdirSync(dirname(opts.logFile), { recursive: true });
    for (const s of opts.subscribers ?? []) this.subscribe(s);
  }

  /** Adds a subscriber (its pattern and URL are checked now); returns a function that removes it. */
  subscribe(sub: Subscriber): () => void {
    if (!sub?.name) throw new Error('subscriber needs a name');
    try {
      validatePattern(sub.pattern);
      if (sub.target?.type === 'webhook') assertWebhookUrl(sub.target.url);
      else if (sub.target?.type !== 'function' || typeof sub.target.fn !== 'function')
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

  /** The events published from now on, until `signal` aborts. */
  async *events(opts: { signal?: AbortSignal } = {}): AsyncGenerator<EventEnvelope> {
    try {
      for await (const [envelope] of on(this, 'event', { signal: opts.signal }))
        yield envelope as EventEnvelope;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
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
        this.failed(envelope, s.name, 'pattern', 0, (err as Error).message);
      }
      if (!matched) continue;
      const t = s.target;
      runs.push(
        t.type === 'webhook'
          ? this.webhook(envelope, s.name, t.url, t.secret ?? this.opts.defaultWebhookSecret)
          : this.call(envelope, s.name, t.fn),
      );
    }
    if (this.opts.callbackFor && matches(this.callbackPattern, envelope)) {
      runs.push(
        (async () => {
          let url: string | undefined;
          try {
            url = await this.opts.callbackFor!(envelope.detail, envelope['detail-type']);
          } catch (err) {
            return this.failed(envelope, 'callback', 'lookup', 0, (err as Error).message);
          }
          if (url) await this.webhook(envelope, 'callback', url, this.opts.defaultWebhookSecret);
        })(),
      );
    }
    await Promise.all(runs);
  }

  private async webhook(envelope: EventEnvelope, name: string, url: string, secret: string): Promise<void> {
    const opts: DeliveryOptions = { ...this.opts.retry, fetchImpl: this.opts.fetchImpl };
    try {
      const { attempts } = await deliverWebhook(url, envelope, secret, opts);
      this.emit('delivered', { eventId: envelope.id, subscriber: name, target: url, attempts });
    } catch (err) {
      const e = err as Error & { attempts?: number; lastError?: string };
      this.failed(envelope, name, url, e.attempts ?? 0, e.lastError ?? e.message);
    }
  }

  private async call(envelope: EventEnvelope, name: string, fn: (e: EventEnvelope) => Promise<void>) {
    const attempts = Math.max(1, this.opts.retry?.attempts ?? 4);
    const base = this.opts.retry?.baseDelayMs ?? 500;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await fn(structuredClone(envelope));
        this.emit('delivered', {
          eventId: envelope.id,
          subscriber: name,
          target: 'function',
          attempts: attempt,
        });
        return;
      } catch (err) {
        last = (err as Error)?.message ?? String(err);
      }
      if (attempt < attempts)
        await new Promise((r) =>
          setTimeout(r, Math.min(base * 2 ** (attempt - 1), this.opts.retry?.maxDelayMs ?? 30_000)),
        );
    }
    this.failed(envelope, name, 'function', attempts, last);
  }

  private failed(
    envelope: EventEnvelope,
    subscriber: string,
    target: string,
    attempts: number,
    error: string,
  ) {
    const failure: DeliveryFailure = {
      eventId: envelope.id,
      detailType: envelope['detail-type'],
      subscriber,
      target,
      attempts,
      error,
      time: new Date().toISOString(),
    };
    try {
      this.log({ 'delivery-failed': failure });
    } catch {
      // The log is gone (shutdown): the emitted event below is all that is left to do.
    }
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
