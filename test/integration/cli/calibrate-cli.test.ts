import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { machineFingerprint } from '../../../local/cost-calibration.js';

const run = promisify(execFile);
const CLI = resolve('bin/cutline.mjs');

let cache: string;
let dir: string;
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const { stdout, stderr } = await run('node', [CLI, ...args], { cwd: dir, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-calibrate-cli-'));
  cache = join(dir, 'cache');
  await writeFile(
    join(dir, 'title.json'),
    JSON.stringify({
      timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'hi' }, start: 0, length: 2 }] }] },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    }),
  );
});

describe('cutline calibrate', () => {
  it('measures this machine, keeps the scale, and cutline render estimates with it', async () => {
    const before = await cli(['render', 'title.json', '-o', 'a.mp4']);
    expect(before.code).toBe(0);
    expect(before.stderr).toMatch(
      /done in [\d.]+s \(estimated [\d.]+s at the reference speed: cutline calibrate/,
    );

    const r = await cli(['calibrate', '--runs', '1']);
    expect(r.stderr).toContain('rendering the reference edit 1 time(s)');
    expect(r.code).toBe(0);
    const saved = JSON.parse(await readFile(join(cache, 'cutline', 'calibration.json'), 'utf8'));
    expect(saved.machine).toBe(machineFingerprint());
    expect(saved.runs).toHaveLength(1);
    // The measured render against the model's estimate for it: a real machine is within 10× either way.
    expect(saved.costScale).toBeCloseTo(saved.runs[0] / saved.estimatedSeconds, 2);
    expect(saved.costScale).toBeGreaterThan(0.1);
    expect(saved.costScale).toBeLessThan(10);
    expect(r.stdout).toContain(
      `cost scale: ${saved.costScale} (saved in ${join(cache, 'cutline', 'calibration.json')}`,
    );

    const after = await cli(['render', 'title.json', '-o', 'b.mp4']);
    expect(after.code).toBe(0);
    expect(after.stderr).toMatch(/done in [\d.]+s \(estimated [\d.]+s\)\n/);
    // Same render, same model: the estimate moved by the scale (rounded to 0.1 s as printed).
    const est = (s: string) => Number(/estimated ([\d.]+)s/.exec(s)![1]);
    expect(est(after.stderr)).toBeCloseTo(est(before.stderr) * saved.costScale, 0);
  }, 120_000);

  it('refuses a run count it cannot use, keeping nothing', async () => {
    for (const runs of ['0', '21', 'x']) {
      const r = await cli(['calibrate', '--runs', runs]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--runs must be a whole number from 1 to 20');
    }
  });
});
