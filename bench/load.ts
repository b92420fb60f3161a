/**
 * Load bench for the local API (issue #8): `npm run bench:load [-- --duration 30 --rate 50 --read-rate 50]`.
 *
 * 1. Starts the local platform (real HTTP server, handlers, dynalite, the local Step Functions endpoint).
 * 2. For `duration` seconds, autocannon POSTs /v1/renders at `rate` req/s (each with an Idempotency-Key;
 *    every 10th reuses an earlier key, so replays are exercised under load too) while a second autocannon
 *    GETs /v1/renders/{id} at `read-rate` req/s. Latency is taken per response (p50/p95/p99). The
 *    client runs in its own process (bench/load-client.ts) so its work is not counted as the API's.
 * 3. Checks that every accepted submission is a job in the table exactly once (and replays none).
 * 4. Times one 10 s 720p edit end to end: POST → the `Job Succeeded` event at a webhook subscriber.
 *
 * During step 2 the pipeline is held: StartExecution is answered (over the SDK, as in AWS) but the
 * execution is not run. In AWS, renders run on Lambda/Fargate, never on the API's CPU; on this 2-core
 * machine, 1500 real renders behind the API would measure ffmpeg, not the API. Step 4 runs the real
 * pipeline. Results: bench/results/load-latest.json and load-latest.md.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import {
  availableParallelism,
  cpus,
  loadavg,
  platform as osPlatform,
  release,
  tmpdir,
  totalmem,
} from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ClientJob, ClientResult, DriveResult } from './load-client.js';
import { startReceiver } from '../examples/webhook-receiver.js';
import { clients } from '../lambdas/core/aws/clients.js';
import { startLocalPlatform, LOCAL_BUCKETS } from '../local/platform.js';
import type { Execution } from '../local/stepfunctions.js';
import { benchEdit } from './edits.js';
import { ffmpegVersion, gitCommit, quantile } from './measure.js';
import { makeBenchMedia } from './media.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    rate: { type: 'string', default: '50' },
    'read-rate': { type: 'string', default: '50' },
    // autocannon paces overallRate per connection, on timers that fire together: N connections send in
    // bursts of N. 4 keeps 50 req/s a sustained rate (bursts of 4); --connections 32 is a burst test.
    connections: { type: 'string', default: '4' },
    'no-e2e': { type: 'boolean', default: false },
  },
});
const DURATION = Number(values.duration);
const RATE = Number(values.rate);
const READ_RATE = Number(values['read-rate']);
const CONNECTIONS = Number(values.connections);
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Phase {
  requests: number;
  throughputPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
}

function summarise(
  latencies: number[],
  statuses: Map<number, number>,
  r: Pick<DriveResult, 'duration' | 'errors' | 'timeouts'>,
): Phase {
  const ms = (q: number) => Math.round(quantile(latencies, q) * 100) / 100;
  return {
    requests: latencies.length,
    throughputPerSecond: Math.round((latencies.length / r.duration) * 10) / 10,
    latencyMs: {
      p50: ms(0.5),
      p95: ms(0.95),
      p99: ms(0.99),
      max: Math.max(...latencies),
      mean: Math.round((latencies.reduce((a, b) => a + b, 0) / latencies.length) * 100) / 100,
    },
    statusCounts: Object.fromEntries([...statuses].map(([s, n]) => [String(s), n])),
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

const dataDir = await mkdtemp(join(tmpdir(), 'cutline-load-'));
const receiverReady = startReceiver({ port: 0, secret: 'bench-secret' });
const receiver = await receiverReady;
const media = values['no-e2e']
  ? null
  : await makeBenchMedia({ width: 1280, height: 720, fps: 25, videoSeconds: 10, musicSeconds: 10 }, log);
const platform = await startLocalPlatform({
  dataDir,
  mediaRoot: media?.dir ?? dataDir,
  webhookSecret: 'bench-secret',
  allowLocalWebhooks: true, // the bench's receiver is on 127.0.0.1
  // The usage plan is not what is measured: high enough never to throttle the bench.
  rateLimit: { rate: 10_000, burst: 10_000 },
  subscribers: [
    {
      name: 'bench',
      pattern: { source: ['cutline'], 'detail-type': ['Job Succeeded', 'Job Failed'] },
      target: { type: 'webhook', url: `${receiver.url}/events` },
    },
  ],
});
const headers = { 'x-api-key': platform.apiKey, 'content-type': 'application/json' };
const loadAvgStart = loadavg();

// Hold the pipeline for the API phase (see the header): StartExecution answers, nothing runs.
const realStart = platform.sfn.start.bind(platform.sfn);
const held: string[] = [];
platform.sfn.start = (name: string, input: string): Execution => {
  held.push(name);
  const e: Execution = {
    executionArn: `arn:aws:states:local:000000000000:execution:cutline-render:${name}`,
    name,
    status: 'RUNNING',
    startDate: new Date(),
    input,
    abort: () => {},
    done: Promise.resolve(),
  };
  platform.sfn.executions.set(name, e);
  return e;
};

const smallEdit = {
  timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'load' }, start: 0, length: 1 }] }] },
  output: { format: 'mp4', resolution: 'preview' },
};
const body = JSON.stringify(smallEdit);

const runId = Date.now().toString(36);

// Jobs for the readers to poll.
const readIds: string[] = [];
for (let i = 0; i < 20; i++) {
  const res = await fetch(`${platform.url}/v1/renders`, { method: 'POST', headers, body });
  readIds.push(((await res.json()) as { id: string }).id);
}

// Service time without queueing: one request at a time.
/** Jobs made before the load phase (for the readers, and by the baseline): not part of the check. */
const preRun = new Set(readIds);
async function sequential(n: number, send: () => Promise<Response>) {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const text = await (await send()).text();
    xs.push(performance.now() - t0);
    const id = (JSON.parse(text) as { id?: string }).id;
    if (id) preRun.add(id);
  }
  return { p50: Math.round(quantile(xs, 0.5) * 100) / 100, p95: Math.round(quantile(xs, 0.95) * 100) / 100 };
}
const baseline = {
  submitMs: await sequential(100, () =>
    fetch(`${platform.url}/v1/renders`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': `seq-${runId}-${Math.random()}` },
      body,
    }),
  ),
  statusReadMs: await sequential(200, () => fetch(`${platform.url}/v1/renders/${readIds[0]}`, { headers })),
};

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
log(`driving ${RATE} submissions/s and ${READ_RATE} status reads/s for ${DURATION} s…`);
// The client runs in a process of its own (bench/load-client.ts), so its work is not in the latencies.
const jobFile = join(dataDir, 'load-client-job.json');
const resultFile = join(dataDir, 'load-client-result.json');
await writeFile(
  jobFile,
  JSON.stringify({
    url: platform.url,
    headers,
    body,
    rate: RATE,
    readRate: READ_RATE,
    duration: DURATION,
    connections: CONNECTIONS,
    runId,
    readIds,
  } satisfies ClientJob),
);
await new Promise<void>((resolve, reject) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(BENCH_DIR, 'load-client.ts'), jobFile, resultFile],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  child.on('error', reject);
  child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`load client exited ${code}`))));
});
const client = JSON.parse(await readFile(resultFile, 'utf8')) as ClientResult;
const keysSent = new Set(client.keysSent);
const accepted = client.accepted;
const asDrive = (d: DriveResult) => ({ latencies: d.latencies, statuses: new Map(d.statuses), r: d });
const submit = asDrive(client.submit);
const read = asDrive(client.read);

loopDelay.disable();
const cpu = process.cpuUsage(cpuStart);
const apiProcess = {
  /** CPU of this process (API, handlers, SDK and dynalite's thread; the client is another process) per wall second. */
  cpuCoresUsed: Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - wallStart)) * 100) / 100,
  eventLoopDelayMs: {
    p50: Math.round(loopDelay.percentile(50) / 1e4) / 100,
    p99: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    max: Math.round(loopDelay.max / 1e4) / 100,
  },
};

// Requests still in flight when the time ran out may have made a job whose answer never came back: ask
// again with the same key, as a client would (an idempotent replay names the job without making one).
const answered = new Set(accepted.map((a) => a.key));
let retried = 0;
for (const key of keysSent) {
  if (answered.has(key)) continue;
  const res = await fetch(`${platform.url}/v1/renders`, {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': key },
    body,
  });
  if (res.status === 202) {
    accepted.push({ key, id: ((await res.json()) as { id: string }).id });
    retried++;
  }
}

// Every accepted submission is one job in the table; a replayed key never made a second one.
const tableIds: string[] = [];
let startKey: Record<string, unknown> | undefined;
do {
  const page = await clients().db.send(
    new ScanCommand({
      TableName: LOCAL_BUCKETS.table,
      FilterExpression: 'SK = :meta AND tenantId = :t',
      ExpressionAttributeValues: { ':meta': 'META', ':t': platform.apiKeyId },
      ExclusiveStartKey: startKey,
    }),
  );
  for (const item of page.Items ?? []) tableIds.push(String(item.id));
  startKey = page.LastEvaluatedKey;
} while (startKey);
const runIds = tableIds.filter((id) => !preRun.has(id));
const idsByKey = new Map<string, Set<string>>();
for (const a of accepted) idsByKey.set(a.key, (idsByKey.get(a.key) ?? new Set()).add(a.id));
const acceptedIds = new Set(accepted.map((a) => a.id));
const inTable = new Set(runIds);
const integrity = {
  submissionsSent: client.sent,
  unansweredAtCutoffThenReplayed: retried,
  accepted: accepted.length,
  distinctKeysAccepted: idsByKey.size,
  distinctJobIdsAccepted: acceptedIds.size,
  jobsInTable: runIds.length,
  duplicateRowsInTable: runIds.length - new Set(runIds).size,
  acceptedMissingFromTable: [...acceptedIds].filter((id) => !inTable.has(id)).length,
  tableRowsNotAccepted: runIds.filter((id) => !acceptedIds.has(id)).length,
  keysWithMoreThanOneJob: [...idsByKey.values()].filter((s) => s.size > 1).length,
  executionsStarted: held.length - preRun.size,
};
const integrityOk =
  integrity.duplicateRowsInTable === 0 &&
  integrity.acceptedMissingFromTable === 0 &&
  integrity.tableRowsNotAccepted === 0 &&
  integrity.keysWithMoreThanOneJob === 0 &&
  integrity.distinctJobIdsAccepted === integrity.distinctKeysAccepted &&
  integrity.executionsStarted === integrity.distinctJobIdsAccepted;

// End to end on the real pipeline: a 10 s 720p edit, POST → Job Succeeded at the subscriber.
platform.sfn.start = realStart;
let endToEnd: { seconds: number; status: string; jobId: string } | null = null;
if (media) {
  const edit = JSON.parse(
    JSON.stringify(benchEdit(media, 10)).replace(
      /"src":"([^"/:]+)"/g,
      (_m, name: string) => `"src":"${pathToFileURL(join(media.dir, name)).href}"`,
    ),
  ) as Record<string, unknown>;
  edit.output = { format: 'mp4', resolution: 'hd', fps: 25 };
  log('end to end: 10 s 720p edit…');
  const t0 = performance.now();
  const res = await fetch(`${platform.url}/v1/renders`, {
    method: 'POST',
    headers,
    body: JSON.stringify(edit),
  });
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const ev = receiver.received.find((e) => e.detail.jobId === id);
    if (ev) {
      endToEnd = {
        seconds: Math.round((performance.now() - t0) / 10) / 100,
        status: ev['detail-type'],
        jobId: id,
      };
      break;
    }
    if (performance.now() - t0 > 300_000) throw new Error(`job ${id} had no event after 300 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cores = cpus();
const results = {
  version: 1,
  date: new Date().toISOString(),
  config: { durationSeconds: DURATION, submitRate: RATE, readRate: READ_RATE, connections: CONNECTIONS },
  machine: {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cpuCount: cores.length,
    availableParallelism: availableParallelism(),
    totalMemoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${osPlatform()} ${release()}`,
    node: process.version,
    ffmpeg: await ffmpegVersion(),
    commit: await gitCommit(),
    loadAverageStart: loadAvgStart,
    loadAverageEnd: loadavg(),
  },
  submissions: summarise(submit.latencies, submit.statuses, submit.r),
  statusReads: summarise(read.latencies, read.statuses, read.r),
  baseline,
  apiProcess,
  integrity: { ok: integrityOk, ...integrity },
  endToEnd,
  targets: {
    submissionsP95Under200ms: quantile(submit.latencies, 0.95) < 200,
    submissionsZeroErrors:
      submit.r.errors === 0 && submit.r.timeouts === 0 && [...submit.statuses.keys()].every((s) => s === 202),
    submissionRateHeld: submit.latencies.length / submit.r.duration >= RATE * 0.95,
    statusReadsP95Under50ms: quantile(read.latencies, 0.95) < 50,
    endToEndUnder30s: endToEnd ? endToEnd.seconds < 30 && endToEnd.status === 'Job Succeeded' : null,
    endToEndUnder5s: endToEnd ? endToEnd.seconds < 5 && endToEnd.status === 'Job Succeeded' : null,
  },
};

const yes = (b: boolean | null) => (b === null ? 'not run' : b ? 'met' : '**missed**');
const phaseRow = (name: string, p: Phase, target: string, met: boolean) =>
  `| ${name} | ${p.requests} | ${p.throughputPerSecond}/s | ${p.latencyMs.p50} | ${p.latencyMs.p95} | ${p.latencyMs.p99} | ${p.errors + p.timeouts} errors; ${Object.entries(
    p.statusCounts,
  )
    .map(([s, n]) => `${n}× ${s}`)
    .join(', ')} | ${target}: ${yes(met)} |`;
const m = results.machine;
const markdown = `# Load bench (\`npm run bench:load\`)

${results.date.slice(0, 10)}, ${m.cpuModel} (${m.availableParallelism} cores, ${m.totalMemoryGiB} GiB), ${m.platform}, Node ${m.node}, commit ${m.commit ?? 'n/a'}; load average ${m.loadAverageStart.map((x) => x.toFixed(2)).join('/')} at the start (a shared machine).

${DURATION} s, submissions at ${RATE}/s and status reads at ${READ_RATE}/s at the same time, ${CONNECTIONS} connections each; the pipeline held during this phase (StartExecution answered, not run). Latency in ms, per response.

| traffic | requests | throughput | p50 | p95 | p99 | outcome | target |
| --- | --- | --- | --- | --- | --- | --- | --- |
${phaseRow('POST /v1/renders', results.submissions, 'p95 < 200 ms, 0 errors', results.targets.submissionsP95Under200ms && results.targets.submissionsZeroErrors)}
${phaseRow('GET /v1/renders/{id}', results.statusReads, 'p95 < 50 ms', results.targets.statusReadsP95Under50ms)}

One request at a time (no queueing), the same routes take ${baseline.submitMs.p50} ms (p95 ${baseline.submitMs.p95}) to submit and ${baseline.statusReadMs.p50} ms (p95 ${baseline.statusReadMs.p95}) to read a status.
Under the load, the API process used ${apiProcess.cpuCoresUsed} cores of CPU (all threads: API, handlers, SDK, dynalite's worker; autocannon runs in a process of its own); its event loop was late by ${apiProcess.eventLoopDelayMs.p50} ms at p50 and ${apiProcess.eventLoopDelayMs.p99} ms at p99 (max ${apiProcess.eventLoopDelayMs.max} ms).

Exactly once: ${integrity.accepted} accepted submissions (${integrity.distinctKeysAccepted} distinct Idempotency-Keys, every 10th a replay; ${integrity.unansweredAtCutoffThenReplayed} in flight at the cutoff, asked again with their key) → ${integrity.jobsInTable} jobs in the table, ${integrity.executionsStarted} executions; ${integrity.duplicateRowsInTable} duplicate rows, ${integrity.acceptedMissingFromTable} accepted but missing, ${integrity.tableRowsNotAccepted} unaccounted rows, ${integrity.keysWithMoreThanOneJob} keys with two jobs — **${integrityOk ? 'OK' : 'FAILED'}**.

End to end (real pipeline, 10 s 720p edit with titles, picture-in-picture, a crossfade and music): ${endToEnd ? `POST → \`${endToEnd.status}\` at a webhook subscriber in **${endToEnd.seconds} s** (under 30 s: ${yes(results.targets.endToEndUnder30s)}; under 5 s: ${yes(results.targets.endToEndUnder5s)})` : 'not run (--no-e2e)'}.
`;

await mkdir(RESULTS_DIR, { recursive: true });
await writeFile(join(RESULTS_DIR, 'load-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(join(RESULTS_DIR, 'load-latest.md'), markdown);
process.stdout.write(markdown);

await platform.close();
await receiver.close();
await rm(dataDir, { recursive: true, force: true });
process.exit(integrityOk && results.targets.submissionsZeroErrors ? 0 : 1);
