import { describe, expect, it } from 'vitest';
import { matches, validatePattern, type EventPattern } from '../../../local/event-pattern.js';

/** An envelope as the bus builds it, with a detail shaped like ARCHITECTURE §3. */
const event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'Job Succeeded',
  source: 'cutline',
  account: '000000000000',
  time: '2026-01-02T03:04:05Z',
  region: 'local',
  resources: ['arn:cutline:job/j1', 'arn:cutline:tenant/acme-1'],
  detail: {
    jobId: 'j1',
    tenantId: 'acme-1',
    type: 'render',
    status: 'SUCCEEDED',
    progress: 100,
    estimatedSeconds: 12.5,
    tags: ['promo', 'summer'],
    outputs: [
      { kind: 'video', key: 'outputs/acme-1/j1/out.mp4', bytes: 1000, width: 1920 },
      { kind: 'poster', key: 'outputs/acme-1/j1/poster.jpg', bytes: 20 },
    ],
    error: null,
    note: '',
    clientIp: '10.1.2.3',
    timings: { queuedAt: '2026-01-02T03:00:00Z', endedAt: '2026-01-02T03:04:05Z' },
  },
};

const cases: Array<[string, EventPattern, boolean]> = [
  // exact values: a list is "any of"; fields are ANDed; unnamed fields are ignored
  ['exact source', { source: ['cutline'] }, true],
  ['any of a list', { 'detail-type': ['Job Failed', 'Job Succeeded'] }, true],
  ['no value in the list', { source: ['aws.s3', 'other'] }, false],
  ['AND across fields', { source: ['cutline'], 'detail-type': ['Job Failed'] }, false],
  [
    'nested objects',
    { detail: { status: ['SUCCEEDED'], timings: { queuedAt: ['2026-01-02T03:00:00Z'] } } },
    true,
  ],
  ['case matters', { detail: { status: ['succeeded'] } }, false],
  ['a number is not its string', { detail: { progress: ['100'] } }, false],
  ['numbers match exactly', { detail: { progress: [100] } }, true],
  ['null matches null', { detail: { error: [null] } }, true],
  ['"" is not null', { detail: { error: [''] } }, false],
  ['"" matches ""', { detail: { note: [''] } }, true],
  // arrays in the event: any element
  ['event array: intersection', { resources: ['arn:cutline:tenant/acme-1', 'x'] }, true],
  ['event array: none', { detail: { tags: ['winter'] } }, false],
  ['array of objects is crushed', { detail: { outputs: { kind: ['poster'] } } }, true],
  ['array-consistent: same element', { detail: { outputs: { kind: ['video'], width: [1920] } } }, true],
  [
    'array-consistent: not across elements',
    { detail: { outputs: { kind: ['poster'], width: [1920] } } },
    false,
  ],
  // missing fields
  ['missing field never matches a value', { detail: { callback: ['x'] } }, false],
  ['missing nested object', { detail: { nothing: { deeper: ['x'] } } }, false],
  ['an object is not a leaf value', { detail: { timings: ['x'] } }, false],
  // prefix / suffix / equals-ignore-case / wildcard
  ['prefix', { detail: { tenantId: [{ prefix: 'acme-' }] } }, true],
  ['prefix miss', { detail: { tenantId: [{ prefix: 'beta-' }] } }, false],
  ['prefix ignores non-strings', { detail: { progress: [{ prefix: '1' }] } }, false],
  ['prefix equals-ignore-case', { 'detail-type': [{ prefix: { 'equals-ignore-case': 'JOB ' } }] }, true],
  ['suffix', { 'detail-type': [{ suffix: 'Succeeded' }] }, true],
  ['suffix miss', { 'detail-type': [{ suffix: 'Failed' }] }, false],
  ['suffix on an array element', { resources: [{ suffix: '/j1' }] }, true],
  ['equals-ignore-case', { detail: { status: [{ 'equals-ignore-case': 'succeeded' }] } }, true],
  ['equals-ignore-case miss', { detail: { status: [{ 'equals-ignore-case': 'failed' }] } }, false],
  ['wildcard', { detail: { outputs: { key: [{ wildcard: 'outputs/*/j1/*.mp4' }] } } }, true],
  ['wildcard miss', { detail: { outputs: { key: [{ wildcard: 'outputs/*.mov' }] } } }, false],
  // anything-but
  ['anything-but value', { detail: { status: [{ 'anything-but': 'FAILED' }] } }, true],
  ['anything-but excludes', { detail: { status: [{ 'anything-but': 'SUCCEEDED' }] } }, false],
  ['anything-but list', { detail: { status: [{ 'anything-but': ['FAILED', 'CANCELLED'] }] } }, true],
  [
    'anything-but list excludes',
    { detail: { status: [{ 'anything-but': ['SUCCEEDED', 'FAILED'] }] } },
    false,
  ],
  ['anything-but numbers', { detail: { progress: [{ 'anything-but': [0, 50] }] } }, true],
  ['anything-but prefix', { detail: { status: [{ 'anything-but': { prefix: 'SUCC' } }] } }, false],
  ['anything-but prefix passes', { detail: { status: [{ 'anything-but': { prefix: 'FAIL' } }] } }, true],
  ['anything-but suffix', { 'detail-type': [{ 'anything-but': { suffix: 'Progress' } }] }, true],
  [
    'anything-but ignore case',
    { detail: { status: [{ 'anything-but': { 'equals-ignore-case': 'succeeded' } }] } },
    false,
  ],
  ['anything-but needs the field', { detail: { callback: [{ 'anything-but': 'x' }] } }, false],
  [
    'anything-but on an array: any element not excluded',
    { detail: { tags: [{ 'anything-but': 'promo' }] } },
    true,
  ],
  [
    'anything-but on an array: all excluded',
    { detail: { tags: [{ 'anything-but': ['promo', 'summer'] }] } },
    false,
  ],
  // exists
  ['exists true', { detail: { jobId: [{ exists: true }] } }, true],
  ['exists false on a missing field', { detail: { callback: [{ exists: false }] } }, true],
  ['exists false on a present field', { detail: { jobId: [{ exists: false }] } }, false],
  ['exists true on a missing field', { detail: { callback: [{ exists: true }] } }, false],
  ['exists true on null (null is a value)', { detail: { error: [{ exists: true }] } }, true],
  ['exists only sees leaves: an object is absent', { detail: { timings: [{ exists: false }] } }, true],
  ['exists false under a missing parent', { detail: { nothing: { deeper: [{ exists: false }] } } }, true],
  ['exists true on an array of leaves', { detail: { tags: [{ exists: true }] } }, true],
  ['exists false on a non-empty array', { resources: [{ exists: false }] }, false],
  // numeric
  ['numeric range', { detail: { progress: [{ numeric: ['>', 0, '<=', 100] }] } }, true],
  ['numeric upper bound excluded', { detail: { progress: [{ numeric: ['>', 0, '<', 100] }] } }, false],
  ['numeric equals', { detail: { progress: [{ numeric: ['=', 100] }] } }, true],
  ['numeric equals a fraction', { detail: { estimatedSeconds: [{ numeric: ['=', 12.5] }] } }, true],
  ['numeric >=', { detail: { estimatedSeconds: [{ numeric: ['>=', 13] }] } }, false],
  ['numeric ignores strings', { detail: { status: [{ numeric: ['>', 0] }] } }, false],
  ['numeric on an array of objects', { detail: { outputs: { bytes: [{ numeric: ['<', 100] }] } } }, true],
  // cidr
  ['cidr', { detail: { clientIp: [{ cidr: '10.0.0.0/8' }] } }, true],
  ['cidr miss', { detail: { clientIp: [{ cidr: '10.1.3.0/24' }] } }, false],
  // mixing values and filters in one list is OR
  ['value OR filter', { detail: { status: ['FAILED', { prefix: 'SUCC' }] } }, true],
  // $or
  [
    '$or',
    { source: ['cutline'], $or: [{ detail: { status: ['FAILED'] } }, { detail: { progress: [100] } }] },
    true,
  ],
  ['$or none', { $or: [{ detail: { status: ['FAILED'] } }, { 'detail-type': ['Job Progress'] }] }, false],
];

describe('EventBridge pattern matching (AWS semantics)', () => {
  it.each(cases)('%s', (_name, pattern, expected) => {
    validatePattern(pattern);
    expect(matches(pattern, event)).toBe(expected);
  });

  it('matches an empty array in the event with nothing but exists:false', () => {
    const e = { ...event, resources: [] };
    expect(matches({ resources: ['x'] }, e)).toBe(false);
    expect(matches({ resources: [{ 'anything-but': 'x' }] }, e)).toBe(false);
    expect(matches({ resources: [{ exists: false }] }, e)).toBe(true);
  });

  it('walks nested arrays of leaves and of objects', () => {
    const e = { detail: { grid: [[1, 2], [3]], groups: [[{ n: 'a' }], [{ n: 'b' }]] } };
    expect(matches({ detail: { grid: [3] } }, e)).toBe(true);
    expect(matches({ detail: { groups: { n: ['b'] } } }, e)).toBe(true);
    expect(matches({ detail: { groups: { n: ['c'] } } }, e)).toBe(false);
  });

  it('treats a wildcard literally apart from *, and honours \\* escapes', () => {
    const e = { detail: { name: 'a*b.c', other: 'axxb.c' } };
    expect(matches({ detail: { name: [{ wildcard: 'a\\*b.c' }] } }, e)).toBe(true);
    expect(matches({ detail: { other: [{ wildcard: 'a\\*b.c' }] } }, e)).toBe(false);
    expect(matches({ detail: { other: [{ wildcard: 'a*b.c' }] } }, e)).toBe(true);
    expect(matches({ detail: { other: [{ wildcard: 'a*b?c' }] } }, e)).toBe(false);
  });

  it('is pure: does not touch the pattern or the event', () => {
    const p: EventPattern = { detail: { outputs: { kind: ['video'] } } };
    const before = JSON.stringify([p, event]);
    matches(p, event);
    expect(JSON.stringify([p, event])).toBe(before);
  });

  it('matches a non-object event only with absence patterns', () => {
    expect(matches({ source: ['cutline'] }, null)).toBe(false);
    expect(matches({ source: [{ exists: false }] }, 'x')).toBe(true);
  });
});

describe('validatePattern', () => {
  it.each<[unknown, RegExp]>([
    [null, /expected an object/],
    [[], /expected an object/],
    [{}, /empty object/],
    [{ source: 'cutline' }, /pattern\.source: a field's value must be a list/],
    [{ source: [] }, /pattern\.source: an empty list/],
    [{ detail: {} }, /pattern\.detail: an empty object/],
    [
      { detail: { status: [{ startsWith: 'x' }] } },
      /pattern\.detail\.status\[0\]: unknown operator "startsWith"/,
    ],
    [{ source: [{ prefix: 'a', suffix: 'b' }] }, /exactly one operator/],
    [{ source: [{}] }, /exactly one operator, got none/],
    [{ source: [{ prefix: 1 }] }, /"prefix" takes a string/],
    [{ source: [{ prefix: { wat: 'x' } }] }, /"prefix" takes a string or \{ "equals-ignore-case"/],
    [{ source: [{ exists: 'yes' }] }, /"exists" takes true or false/],
    [{ n: [{ numeric: ['>', 0, '<'] }] }, /pairs of operator and number/],
    [{ n: [{ numeric: ['>>', 0] }] }, /operator ">>" is not one of/],
    [{ n: [{ numeric: ['>', '0'] }] }, /> needs a number/],
    [{ n: [{ numeric: ['=', 1, '<', 5] }] }, /"=" cannot be combined/],
    [{ n: [{ numeric: ['>', 1, '>=', 5] }] }, /at most one lower and one upper/],
    [{ s: [{ 'anything-but': [] }] }, /non-empty list of only strings or only numbers/],
    [{ s: [{ 'anything-but': ['a', 1] }] }, /only strings or only numbers/],
    [{ s: [{ 'anything-but': { numeric: ['>', 1] } }] }, /does not support "numeric"/],
    [{ s: [{ 'anything-but': { prefix: '' } }] }, /prefix takes a non-empty string/],
    [{ s: [{ wildcard: 'a**b' }] }, /consecutive "\*"/],
    [{ s: [{ wildcard: 'a\\b' }] }, /backslash may only escape/],
    [{ ip: [{ cidr: '10.0.0/8' }] }, /"cidr" must look like/],
    [{ ip: [{ cidr: '::1/128' }] }, /IPv6 "cidr" is not supported/],
    [{ $or: [{ source: ['a'] }] }, /"\$or" needs at least two/],
    [{ $or: [{ source: ['a'] }, { source: 'b' }] }, /pattern\.\$or\[1\]\.source/],
    [{ s: [{ a: 1 }, undefined] }, /unknown operator "a"/],
    [{ s: [Infinity] }, /expected a string, number, boolean, null or a filter object/],
  ])('rejects %j', (pattern, message) => {
    expect(() => validatePattern(pattern)).toThrow(message);
  });

  it('accepts every operator in its documented forms', () => {
    expect(() =>
      validatePattern({
        source: ['cutline', { prefix: 'cut' }, { suffix: 'line' }, { 'equals-ignore-case': 'CUTLINE' }],
        detail: {
          status: [{ 'anything-but': 'FAILED' }, { 'anything-but': ['A', 'B'] }, { 'anything-but': [1, 2] }],
          stage: [
            { 'anything-but': { prefix: 'x' } },
            { 'anything-but': { 'equals-ignore-case': ['a', 'b'] } },
          ],
          key: [{ wildcard: 'outputs/*/\\*.mp4' }, { 'anything-but': { wildcard: '*.tmp' } }],
          progress: [{ numeric: ['>', 0, '<=', 100] }, { numeric: ['=', 5] }, { numeric: ['<', 1e9] }],
          callback: [{ exists: false }],
          ip: [{ cidr: '192.168.0.0/16' }],
          n: [null, true, 3.5, ''],
          $or: [{ a: ['1'] }, { b: { c: ['2'] } }],
        },
      }),
    ).not.toThrow();
  });
});
