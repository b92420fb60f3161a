/**
 * The queue section on its own (npm run bench runs it too, after the render sections):
 *   npm run bench:queue                         30 renders of 8 s SD on --workers = the core count
 *   npm run bench:queue -- --renders 10 --workers 2 --seconds 4 --reps 2
 * Writes bench/results/queue-latest.json and queue-latest.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { queueBench, queueMarkdown } from './queue.js';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');
const log = (line: string) => process.stderr.write(`[bench:queue] ${line}\n`);

const { values } = parseArgs({
  options: {
    renders: { type: 'string', default: '30' },
    workers: { type: 'string', default: String(availableParallelism()) },
    seconds: { type: 'string', default: '8' },
    reps: { type: 'string', default: '1' },
  },
  strict: true,
});
const num = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) {
    log(`--${name} must be a whole number ≥ 1, not "${values[name]}"`);
    process.exit(2);
  }
  return n;
};
const results = await queueBench({
  renders: num('renders'),
  workers: num('workers'),
  seconds: num('seconds'),
  reps: num('reps'),
  log,
});
await mkdir(RESULTS_DIR, { recursive: true });
await writeFile(
  join(RESULTS_DIR, 'queue-latest.json'),
  `${JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2)}\n`,
);
const md = queueMarkdown(results);
await writeFile(join(RESULTS_DIR, 'queue-latest.md'), md);
process.stdout.write(`${md}\n`);
const failed = results.runs.some(
  (r) => r.cutline.succeeded !== results.renders || r.cutline.maxFfmpeg > results.workers,
);
process.exit(failed ? 1 : 0);
