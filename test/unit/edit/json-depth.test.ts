import { describe, expect, it } from 'vitest';
import { jsonTooDeepAt } from '../../../lambdas/core/json-depth.js';

describe('jsonTooDeepAt', () => {
  it('names the path where nesting passes the limit, for objects, arrays and odd keys', () => {
    expect(jsonTooDeepAt('{"a":{"b":[1,{"c":{}}]}}', 3)).toBe('a.b[1]');
    expect(jsonTooDeepAt('[[[]]]', 2)).toBe('[0][0]');
    expect(jsonTooDeepAt('{"x":1,"odd key":{"y":[[0]]}}', 3)).toBe('["odd key"].y[0]');
    expect(jsonTooDeepAt('{"a":[0,0,{"b":{"c":1}}]}', 3)).toBe('a[2].b');
  });

  it('counts only structure: brackets inside strings and escaped quotes are text', () => {
    const text = JSON.stringify({ t: '[[[[{{{{ \\" "]]]', k: { '[{': '}' } });
    expect(jsonTooDeepAt(text, 2)).toBeNull();
    expect(jsonTooDeepAt(text, 1)).toBe('k');
    const slash = JSON.stringify({ t: 'ends in a backslash \\', u: '\\\\"[', k: { x: [1] } });
    expect([jsonTooDeepAt(slash, 1), jsonTooDeepAt(slash, 2)]).toEqual(['k', 'k.x']);
    expect(jsonTooDeepAt(slash, 3)).toBeNull();
  });

  it('accepts what is within the limit, scalars and broken text (JSON.parse reports those)', () => {
    expect(jsonTooDeepAt('[[[]]]', 3)).toBeNull();
    expect(jsonTooDeepAt('"just a string"')).toBeNull();
    expect(jsonTooDeepAt('{"a":')).toBeNull();
    expect(jsonTooDeepAt('['.repeat(1_000_000))).toBe('[0]'.repeat(64));
  });
});
