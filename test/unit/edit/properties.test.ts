import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { anyJson, nearEdit } from '../../helpers/arbitraries.js';

function check(input: unknown) {
  try {
    parseEdit(input);
  } catch (err) {
    // Only a typed client error, with a message and a JSON path for every detail.
    expect(err).toBeInstanceOf(CutlineError);
    const e = err as CutlineError;
    expect(['VALIDATION_FAILED', 'LIMIT_EXCEEDED']).toContain(e.code);
    expect(e.message.length).toBeGreaterThan(0);
    for (const d of e.details) {
      expect(typeof d.path).toBe('string');
      expect(d.message.length).toBeGreaterThan(0);
    }
  }
}

describe('parseEdit never fails unexpectedly', () => {
  it('any JSON value', () => fc.assert(fc.property(anyJson, check), { numRuns: 500 }));
  it('edits that are almost right', () => fc.assert(fc.property(nearEdit, check), { numRuns: 500 }));
  it('problems are reported at paths that exist in the input', () =>
    fc.assert(
      fc.property(nearEdit, (input) => {
        try {
          parseEdit(input);
        } catch (err) {
          const e = err as CutlineError;
          for (const d of e.details.filter((x) => x.path && !x.message.startsWith('unknown field'))) {
            // The first segment of every path is a top-level field of the input (or the one that is missing).
            const top = d.path.split(/[.[]/)[0]!;
            expect(['timeline', 'output', 'merge', 'callback']).toContain(top);
          }
        }
      }),
      { numRuns: 300 },
    ));
});
