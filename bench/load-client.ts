/**
 * The load bench's client, in a process of its own: autocannon does real work per response (parsing,
 * histograms), and sharing the API's event loop would add its own time to every latency it measures.
 * Reads its job from argv[2] (JSON), writes what it saw to argv[3] (JSON).
 */
import { readFile, writeFile } from 'node:fs/promises';
import autocannon from 'autocannon';

export interface ClientJob {
  url: string;
  headers: Record<string, string>;
  body: string;
  rate: number;
  readRate: number;
  duration: number;
  connections: number;
  runId: string;
  readIds: string[];
}

export interface DriveResult {
  latencies: number[];
  statuses: Array<[number, number]>;
  duration: number;
  errors: number;
  timeouts: number;
}

export interface ClientResult {
  submit: DriveResult;
  read: DriveResult;
  keysSent: string[];
  /** Submissions sent (replays of a key included). */
  sent: number;
  accepted: Array<{ key: string; id: string }>;
}

/** Runs autocannon, recording each response's latency and status. */
function drive(opts: autocannon.Options): Promise<DriveResult> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  return new Promise((resolve, reject) => {
    const inst = autocannon(opts, (err, r) =>
      err
        ? reject(err)
        : resolve({
            latencies,
            statuses: [...statuses],
            duration: r.duration,
            errors: r.errors,
            timeouts: r.timeouts,
          }),
    );
    inst.on('response', (_client, status, _bytes, ms) => {
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
  });
}

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: load-client.ts <job.json> <result.json>\n');
  process.exit(2);
}
const job = JSON.parse(await readFile(input, 'utf8')) as ClientJob;
let sent = 0;
let reads = 0;
const keysSent = new Set<string>();
const accepted: Array<{ key: string; id: string }> = [];
const [submit, read] = await Promise.all([
  drive({
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    overallRate: job.rate,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/v1/renders',
        headers: job.headers,
        body: job.body,
        setupRequest: (req, context) => {
          const ctx = context as Record<string, unknown>;
          const n = sent++;
          // Every 10th request replays the key of one sent a little earlier.
          const key = `${job.runId}-${n % 10 === 9 ? n - 5 : n}`;
          keysSent.add(key);
          ctx.key = key;
          return { ...req, headers: { ...job.headers, 'idempotency-key': key } };
        },
        onResponse: (status, resBody, context) => {
          const key = String((context as Record<string, unknown>).key);
          if (status === 202) accepted.push({ key, id: (JSON.parse(resBody) as { id: string }).id });
        },
      },
    ],
  }),
  drive({
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    overallRate: job.readRate,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        headers: job.headers,
        setupRequest: (req) => ({ ...req, path: `/v1/renders/${job.readIds[reads++ % job.readIds.length]}` }),
      },
    ],
  }),
]);
const result: ClientResult = { submit, read, keysSent: [...keysSent], sent, accepted };
await writeFile(output, JSON.stringify(result));
process.exit(0);
