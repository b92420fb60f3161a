import fc from 'fast-check';

/** Any JSON at all. */
export const anyJson = fc.jsonValue({ maxDepth: 6 });

/** Strings that tend to break things: traversal, schemes, filter-graph metacharacters, control characters. */
export const nastyString = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '../../etc/passwd',
    '..\\..\\boot.ini',
    'file:///etc/passwd',
    'https://169.254.169.254/latest/meta-data/',
    'http://127.0.0.1:8080/',
    's3://other-bucket/x.mp4',
    `'; drawtext=text='x`,
    '%{pts}',
    '[0:v]null[out]',
    'a\u0000b',
    '\u202e',
    '{{NAME}}',
    '',
  ),
);

const asset = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom('video', 'image', 'audio', 'caption'),
      src: fc.oneof(nastyString, fc.constant('a.mp4')),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constantFrom('title', 'text'), text: nastyString }),
  fc.record({ type: fc.string(), extra: anyJson }),
);
const clip = fc.record(
  {
    asset,
    start: fc.oneof(fc.double(), fc.constant('auto'), fc.string()),
    length: fc.oneof(fc.double(), fc.constantFrom('auto', 'end'), fc.string()),
    position: fc.string(),
    transition: fc.record({ in: fc.string(), out: fc.string() }),
    unknownField: anyJson,
  },
  { requiredKeys: ['asset'] },
);

/** Edits that are almost right: most fail validation somewhere deep, some pass. */
export const nearEdit = fc.record(
  {
    timeline: fc.record(
      {
        tracks: fc.array(fc.record({ clips: fc.array(clip, { maxLength: 4 }) }), { maxLength: 3 }),
        background: fc.string(),
      },
      { requiredKeys: [] },
    ),
    output: fc.record(
      {
        format: fc.constantFrom('mp4', 'gif', 'avi', ''),
        fps: fc.double(),
        size: fc.record({ width: fc.integer(), height: fc.integer() }),
      },
      { requiredKeys: [] },
    ),
    merge: fc.array(fc.record({ find: fc.string(), replace: anyJson }), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

export const mergeFields = fc.array(
  fc.record({ find: nastyString, replace: anyJson }, { requiredKeys: [] }),
  {
    maxLength: 4,
  },
);
