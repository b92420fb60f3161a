/**
 * A webhook receiver that checks cutline's signatures.
 *
 *   CUTLINE_WEBHOOK_SECRET=… npx tsx examples/webhook-receiver.ts [port]
 *
 * The port comes from the argument, else $PORT, else 8787. The secret is your tenant's: POST
 * /v1/webhooks/secret/rotate shows a new one once. While rolling over, give both, comma-separated
 * (`CUTLINE_WEBHOOK_SECRET=new,old`); the platform signs with both during the grace period. It answers
 *   204 to a good event (and logs it),
 *   401 to a missing or bad signature, a timestamp outside the tolerance, or a signature it has already
 *       accepted within the tolerance window (a replay),
 *   400 to a signed body that is not a JSON event, 405 to anything but POST, 413 to a body over 1 MiB.
 * Replays are recognised by what was signed (timestamp and body), not by the header's spelling: an
 * upper-cased, padded or reordered signature is the same delivery. A retried delivery of an event it already accepted (same event id, freshly signed) is answered 204 so the
 * sender stops, but has no second effect: it is counted in `duplicates`, not added to `received`.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_TOLERANCE_SECONDS,
  verifyWebhook,
  type EventEnvelope,
} from '../lambdas/core/webhooks/signature.js';

const MAX_BODY = 1024 * 1024;

export interface ReceiverOptions {
  /** 0 picks a free port. Default 8787. */
  port?: number;
  host?: string;
  /** The tenant's secret, or several while rolling over (any one verifying is enough). */
  secret: string | readonly string[];
  toleranceSeconds?: number;
  log?: (line: string) => void;
}

export interface Receiver {
  url: string;
  /** Accepted events, oldest first. */
  received: EventEnvelope[];
  /** Refused requests: status and reason, oldest first. */
  rejected: Array<{ status: number; reason: string }>;
  /** Event ids delivered again after they were accepted (sender retries), oldest first. */
  duplicates: string[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const received: EventEnvelope[] = [];
  const rejected: Receiver['rejected'] = [];
  const duplicates: string[] = [];
  /** Event ids accepted so far (the most recent MAX_IDS), so a retried delivery has one effect. */
  const ids = new Set<string>();
  const MAX_IDS = 10_000;
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  /**
   * Deliveries accepted within the window, by replay key → when (unix s); older ones fail the timestamp
   * check anyway. The key is what the MAC covers (timestamp and body digest), so no re-spelling of the
   * signature header (case, spaces, order, an extra value) makes a replay look new.
   */
  const seen = new Map<string, number>();
  const replayKey = (timestamp: number, body: string) =>
    `${timestamp}.${createHash('sha256').update(body).digest('hex')}`;

  const server = createServer(async (req, res) => {
    const refuse = (status: number, reason: string) => {
      rejected.push({ status, reason });
      opts.log?.(`refused (${status}): ${reason}`);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reason }));
    };
    try {
      if (req.method !== 'POST') {
        req.resume();
        return refuse(405, 'POST only');
      }
      const body = await readBody(req);
      if (body === undefined) return refuse(413, 'body over 1 MiB');
      const now = Math.floor(Date.now() / 1000);
      const check = verifyWebhook({
        body,
        headers: req.headers,
        secret: opts.secret,
        toleranceSeconds: tolerance,
        now,
      });
      if (!check.ok) return refuse(401, check.reason);
      for (const [s, t] of seen) if (now - t > tolerance) seen.delete(s);
      const key = replayKey(check.timestamp, body);
      if (seen.has(key)) return refuse(401, 'replayed-signature');
      let event: EventEnvelope;
      try {
        event = JSON.parse(body) as EventEnvelope;
        if (!event || typeof event !== 'object' || typeof event['detail-type'] !== 'string')
          throw new Error('not an event');
      } catch {
        return refuse(400, 'body is not a JSON event');
      }
      seen.set(key, check.timestamp);
      if (typeof event.id === 'string' && ids.has(event.id)) {
        duplicates.push(event.id);
        opts.log?.(`duplicate delivery of ${event.id}: already handled`);
        return res.writeHead(204).end();
      }
      if (typeof event.id === 'string') {
        ids.add(event.id);
        if (ids.size > MAX_IDS) ids.delete(ids.values().next().value!);
      }
      received.push(event);
      opts.log?.(`${event['detail-type']} ${event.id ?? ''}: ${JSON.stringify(event.detail)}`);
      res.writeHead(204).end();
    } catch (err) {
      if (!res.headersSent) refuse(500, (err as Error).message);
    }
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8787, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    received,
    rejected,
    duplicates,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const secret = process.env.CUTLINE_WEBHOOK_SECRET;
  if (!secret) {
    process.stderr.write(
      "set CUTLINE_WEBHOOK_SECRET to your tenant's secret (POST /v1/webhooks/secret/rotate shows a new one)\n",
    );
    process.exit(2);
  }
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`not a port: ${process.argv[2] ?? process.env.PORT}\n`);
    process.exit(2);
  }
  const secrets = secret
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const r = await startReceiver({ port, secret: secrets, log: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`listening on ${r.url}\n`);
  const stop = () => void r.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
