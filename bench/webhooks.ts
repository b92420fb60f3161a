/**
 * Webhook delivery overhead: `npx tsx bench/webhooks.ts [--n 300]`.
 *
 * Posts the same signed event to the example receiver (which verifies every signature) N times each way,
 * alternating in one run so load on the machine hits both alike:
 *   baseline  global fetch with pre-computed signature headers (no vetting, the pooled agent);
 *   subject   attemptDelivery: URL checks, the name resolved and every address vetted, two signatures
 *             (a rotation's overlap), a fresh connection to the pinned address (agent: false).
 * Prints p50/p95 per path and the ratio, with the load average at start and end.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startReceiver } from '../examples/webhook-receiver.js';
import { attemptDelivery, signAll } from '../lambdas/core/webhooks/deliver.js';
import type { EventEnvelope } from '../lambdas/core/webhooks/signature.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '300' } } });
const n = Number(values.n);
const secrets = [
  'new-secret-0123456789abcdef0123456789abcdef',
  'old-secret-0123456789abcdef0123456789abcdef',
];
const receiver = await startReceiver({ port: 0, secret: secrets });
const port = new URL(receiver.url).port;
const event = (i: number): EventEnvelope => ({
  version: '0',
  id: `bench-${i}`,
  'detail-type': 'Job Succeeded',
  source: 'cutline',
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'local',
  resources: [],
  detail: { jobId: `job-${i}`, status: 'SUCCEEDED' },
});
const resolve = async () => [{ address: '127.0.0.1', family: 4 as const }];
const opts = { policy: { allowLoopback: true }, resolve };
const times = { baseline: [] as number[], subject: [] as number[] };
const load0 = loadavg()[0]!;
for (let i = 0; i < n; i++) {
  const b = JSON.stringify(event(2 * i));
  let t = performance.now();
  const res = await fetch(`${receiver.url}/hook`, {
    method: 'POST',
    body: b,
    headers: { 'content-type': 'application/json', ...signAll(b, secrets) },
  });
  await res.arrayBuffer();
  if (res.status !== 204) throw new Error(`baseline answered ${res.status}`);
  times.baseline.push(performance.now() - t);
  t = performance.now();
  const r = await attemptDelivery(`http://hooks.bench.test:${port}/hook`, event(2 * i + 1), secrets, opts);
  if (!r.ok) throw new Error(`subject failed: ${r.reason}`);
  times.subject.push(performance.now() - t);
}
await receiver.close();
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
const row = (name: keyof typeof times) =>
  `${name.padEnd(9)} p50 ${q(times[name], 0.5).toFixed(2)} ms  p95 ${q(times[name], 0.95).toFixed(2)} ms`;
process.stdout.write(
  [
    `${n} deliveries each way, alternating; receiver accepted ${receiver.received.length}`,
    row('baseline'),
    row('subject'),
    `ratio p50 ${(q(times.subject, 0.5) / q(times.baseline, 0.5)).toFixed(2)}×`,
    `load average (1 min): ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`,
    '',
  ].join('\n'),
);
