import { afterEach, describe, expect, it } from 'vitest';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { getPlatform, resetPlatform, withoutPlatform } from '../../../lambdas/core/platform.js';
import { usageStore } from '../../../lambdas/core/usage/index.js';

afterEach(() => {
  withoutPlatform(undefined);
  resetPlatform();
});

describe('withoutPlatform (cutline render)', () => {
  it('whatever reaches for the platform gets the error that names what to use instead', () => {
    withoutPlatform(() => new CutlineError('NOT_SUPPORTED', 'run `cutline start` and submit it to the API'));
    expect(() => getPlatform()).toThrow(/NOT_SUPPORTED|cutline start/);
    // A metered provider call's store reaches it too.
    expect(() => usageStore()).toThrow(CutlineError);
  });

  it('is built again once lifted (the local runtime sets its environment first)', () => {
    withoutPlatform(() => new CutlineError('NOT_SUPPORTED', 'no platform'));
    withoutPlatform(undefined);
    const env = { ...process.env };
    Object.assign(process.env, {
      CUTLINE_TABLE_NAME: 't',
      CUTLINE_INGEST_BUCKET: 'i',
      CUTLINE_OUTPUTS_BUCKET: 'o',
    });
    try {
      expect(getPlatform().table).toBe('t');
    } finally {
      process.env = env;
    }
  });
});
