/**
 * A webhook receiver that checks cutline's signatures: `npx tsx examples/webhook-receiver.ts` with
 * CUTLINE_WEBHOOK_SECRET set (the local platform keeps it in .cutline/webhook-secret). It answers 401 to
 * a bad signature, an old timestamp or a replayed signature, and 204 to a good event.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { verifyWebhook } from '../lambdas/core/webhook-signature.js';

export async function startReceiver(opts: {
  port?: number;
  secret: string;
  toleranceSeconds?: number;
  log?: (l: string) => void;
}) {
  const received: Array<{ 'detail-type': string; detail: Record<string, unknown> }> = [];
  const seen = new Map<string, number>();
  const tolerance = opts.toleranceSeconds ?? 300;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const check = verifyWebhook({
        body,
        headers: req.headers,
        secret: opts.secret,
        toleranceSeconds: tolerance,
      });
      const sig = String(req.headers['cutline-signature']);
      const now = Date.now() / 1000;
      for (const [s, t] of seen) if (now - t > tolerance) seen.delete(s);
      if (!check.ok || seen.has(sig)) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: check.ok ? 'replayed signature' : check.reason }));
        return;
      }
      seen.set(sig, now);
      const event = JSON.parse(body) as (typeof received)[number];
      received.push(event);
      opts.log?.(`${event['detail-type']}: ${JSON.stringify(event.detail)}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 8787, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const secret = process.env.CUTLINE_WEBHOOK_SECRET;
  if (!secret) {
    process.stderr.write('set CUTLINE_WEBHOOK_SECRET (see .cutline/webhook-secret)\n');
    process.exit(2);
  }
  const r = await startReceiver({
    port: Number(process.env.PORT ?? 8787),
    secret,
    log: (l) => process.stdout.write(`${l}\n`),
  });
  process.stdout.write(`listening on ${r.url}\n`);
}
