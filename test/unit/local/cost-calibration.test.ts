import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  costScaleOf,
  machineFingerprint,
  readCostScale,
  saveCalibration,
  type Calibration,
} from '../../../local/cost-calibration.js';

const calibration = (over: Partial<Calibration> = {}): Calibration => ({
  costScale: 1.5,
  estimatedSeconds: 2,
  runs: [3, 3.1, 2.9],
  machine: machineFingerprint(),
  measuredAt: '2026-12-01T00:00:00.000Z',
  ...over,
});

describe('costScaleOf: measured ÷ estimated', () => {
  it('takes the median run, so one disturbed run does not move it', () => {
    expect(costScaleOf(2, [3, 9, 2.8])).toBe(1.5);
    expect(costScaleOf(2, [3, 4])).toBe(1.75);
  });
  it('stays within what a machine can be, and refuses nothing to compare', () => {
    expect(costScaleOf(1, [100])).toBe(10);
    expect(costScaleOf(100, [1])).toBe(0.1);
    expect(() => costScaleOf(2, [])).toThrow(/no usable run/);
    expect(() => costScaleOf(0, [1])).toThrow(/no usable run/);
  });
});

describe('the saved calibration', () => {
  it('is read back on the machine that measured it, and not on another CPU', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'cutline-cal-')), 'nested', 'calibration.json');
    expect(await readCostScale(file)).toBeUndefined();
    await saveCalibration(calibration(), file);
    expect(await readCostScale(file)).toBe(1.5);
    expect(JSON.parse(await readFile(file, 'utf8')).runs).toEqual([3, 3.1, 2.9]);
    await saveCalibration(calibration({ machine: 'Some Other CPU × 64' }), file);
    expect(await readCostScale(file)).toBeUndefined();
  });
  it('ignores a file that is not JSON or holds a scale no machine has', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-cal-'));
    const file = join(dir, 'calibration.json');
    await writeFile(file, '{not json');
    expect(await readCostScale(file)).toBeUndefined();
    for (const costScale of [0, 50, Number.NaN]) {
      await saveCalibration(calibration({ costScale }), file);
      expect(await readCostScale(file)).toBeUndefined();
    }
  });
});
