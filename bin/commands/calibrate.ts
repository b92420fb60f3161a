import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  calibrateThisMachine,
  defaultCalibrationFile,
  saveCalibration,
} from '../../local/cost-calibration.js';

/** `cutline calibrate`: measures this machine against the cost model and keeps the scale. */
export async function calibrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: 'string', default: '3' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
    process.stderr.write(
      `cutline calibrate: --runs must be a whole number from 1 to 20, got "${values.runs}"\n`,
    );
    return 2;
  }
  const scratch = await mkdtemp(join(tmpdir(), 'cutline-calibrate-'));
  try {
    process.stderr.write(`rendering the reference edit ${runs} time(s)…\n`);
    const c = await calibrateThisMachine(scratch, { runs });
    const file = defaultCalibrationFile();
    if (!values['dry-run']) await saveCalibration(c, file);
    process.stdout.write(
      [
        `machine:    ${c.machine}`,
        `estimated:  ${c.estimatedSeconds.toFixed(2)} s (the cost model at its reference speed)`,
        `measured:   ${c.runs.map((r) => r.toFixed(2)).join(', ')} s`,
        `cost scale: ${c.costScale}${values['dry-run'] ? ' (not saved: --dry-run)' : ` (saved in ${file}; cutline render and cutline start use it)`}`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
