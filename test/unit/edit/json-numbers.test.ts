import { describe, expect, it } from 'vitest';
import { assertSafeNumbers, unsafeNumberPath } from '../../../lambdas/core/json-numbers.js';

describe('numbers a request may carry', () => {
  it('names the first number beyond ±MAX_SAFE_INTEGER by its JSON path', () => {
    expect(unsafeNumberPath({ a: 1, b: [0.5, { c: 2 ** 53 }] })).toBe('b[1].c');
    expect(unsafeNumberPath({ merge: [{ find: 'X', replace: -1e300 }] })).toBe('merge[0].replace');
    expect(unsafeNumberPath(2 ** 53)).toBe('');
  });

  it('passes every safe number, fractions and large-but-safe integers included', () => {
    expect(
      unsafeNumberPath({ a: Number.MAX_SAFE_INTEGER, b: -Number.MAX_SAFE_INTEGER, c: 1e-300, d: 'x' }),
    ).toBeNull();
  });

  it('refuses with VALIDATION_FAILED and the path', () => {
    expect(() => assertSafeNumbers({ output: { fps: 1e20 } })).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'output.fps', message: 'number out of range' }],
      }),
    );
  });
});
