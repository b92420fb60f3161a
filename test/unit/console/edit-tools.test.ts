import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonErrorOffset,
  lineColumn,
  locatePath,
  mergeFields,
  mergeValues,
  placeholders,
  splitPath,
  syntaxErrorOffset,
} from '../../../console/edit-tools.js';

const edit = {
  merge: [
    { find: 'NAME', replace: 'World' },
    { find: 'SECONDS', replace: 3 },
    { find: 'UNUSED', replace: 'x' },
  ],
  timeline: {
    tracks: [
      {
        clips: [
          {
            asset: { type: 'title', text: 'Hi {{ NAME }}, {{CITY}}', volumee: 1 },
            start: 0,
            length: '{{SECONDS}}',
          },
        ],
      },
    ],
  },
};
const text = JSON.stringify(edit, null, 2);
const at = (path: string) => {
  const r = locatePath(text, path);
  return r && text.slice(r.start, r.end);
};

describe('console edit tools', () => {
  it('finds placeholders and merge fields with their defaults and types', () => {
    expect(placeholders(edit)).toEqual(['NAME', 'CITY', 'SECONDS']);
    expect(mergeFields(edit)).toEqual([
      { name: 'NAME', default: 'World', type: 'string' },
      { name: 'CITY', type: 'string' },
      { name: 'SECONDS', default: 3, type: 'number' },
      { name: 'UNUSED', default: 'x', type: 'string' },
    ]);
  });

  it('turns form values into merge entries: numbers stay numbers, blanks keep the default', () => {
    expect(mergeValues(mergeFields(edit), { NAME: 'Ada', CITY: '', SECONDS: '4.5' })).toEqual([
      { find: 'NAME', replace: 'Ada' },
      { find: 'SECONDS', replace: 4.5 },
    ]);
    expect(mergeValues(mergeFields(edit), { SECONDS: 'soon' })).toEqual([
      { find: 'SECONDS', replace: 'soon' },
    ]);
  });

  it('locates a JSON path in the text: a member by its key, an element by its value', () => {
    expect(splitPath('timeline.tracks[0].clips[10].asset')).toEqual([
      'timeline',
      'tracks',
      0,
      'clips',
      10,
      'asset',
    ]);
    expect(at('timeline.tracks[0].clips[0].asset.volumee')).toBe('"volumee"');
    expect(at('merge[1].replace')).toBe('"replace"');
    expect(at('merge[1]')).toMatch(/^\{\s+"find": "SECONDS"/);
    // A path past what exists points at its deepest existing part.
    expect(at('timeline.tracks[0].clips[4].asset')).toBe('"clips"');
    expect(locatePath('{ "a": ', 'a')).toBeUndefined();
  });

  it('places JSON syntax errors by line and column', () => {
    const bad = '{\n  "a": 1,\n  "b": }';
    let message = '';
    try {
      JSON.parse(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    const offset = syntaxErrorOffset(bad, message);
    expect(offset).toBe(bad.indexOf('}', 10));
    expect(lineColumn(bad, offset!)).toEqual({ line: 3, column: 8 });
  });

  it('the scanner accepts exactly what JSON.parse accepts', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 2 }), (v, indent) => {
        expect(jsonErrorOffset(JSON.stringify(v, null, indent))).toBeUndefined();
      }),
    );
    for (const bad of ['{', '[1,]', '{"a" 1}', '01', 'tru', '"x', '{} x', '']) {
      expect(() => JSON.parse(bad)).toThrow();
      expect(jsonErrorOffset(bad), bad).toBeTypeOf('number');
    }
  });
});
