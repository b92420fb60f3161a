import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMerge, mergedJsonBytes } from '../../../lambdas/core/edit/merge.js';

/** Names and texts drawn from a small alphabet, so placeholders actually occur in the strings. */
const name = fc.stringMatching(/^[A-C]{1,2}$/);
const placeholder = name.chain((n) => fc.constantFrom(`{{${n}}}`, `{{ ${n} }}`, `{{${n}  }}`));
const text = fc
  .array(
    fc.oneof(placeholder, fc.string({ maxLength: 4 }), fc.constantFrom('"', '\\', '\n', 'é', '{{', '}}')),
    {
      maxLength: 6,
    },
  )
  .map((parts) => parts.join(''));
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(text, name), tie('node'), { maxKeys: 4 }),
  ),
})).node;
const fields = fc.array(
  fc.record({
    find: name,
    replace: fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()),
  }),
  { maxLength: 4 },
);

describe('mergedJsonBytes', () => {
  it('is exactly the byte length of the merged JSON, for any value and fields', () => {
    fc.assert(
      fc.property(value, fields, (v, f) => {
        expect(mergedJsonBytes(v, f)).toBe(Buffer.byteLength(JSON.stringify(applyMerge(v, f))));
      }),
      { numRuns: 500 },
    );
  });
});
