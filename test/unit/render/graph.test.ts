import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  escapeGraphToken,
  escapeOptionValue,
  filter,
  FilterGraph,
  formatNumber,
  printFilter,
} from '../../../lambdas/core/filtergraph/graph.js';

const run = promisify(execFile);

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [25, '25'],
    [-3, '-3'],
    [2.5, '2.5'],
    [-0.5, '-0.5'],
    [0.1 + 0.2, '0.3'],
    [1 - 0.9, '0.1'],
    [1 / 3, '0.333333'],
    [2 / 3, '0.666667'],
    [1e-7, '0'],
    [-1e-7, '0'],
    [1.5e-5, '0.000015'],
    [123456.0000004, '123456'],
    [1e20, '100000000000000000000'],
    [1001 / 30000, '0.033367'],
  ])('%s prints as %s', (n, printed) => {
    expect(formatNumber(n)).toBe(printed);
  });

  it.each([NaN, Infinity, -Infinity])('%s throws', (n) => {
    expect(() => formatNumber(n)).toThrow(/not a finite number/);
  });
});

describe('escapeOptionValue (first level: the option parser)', () => {
  it.each([
    ['plain', 'plain'],
    ['0x00ff00@0.5', '0x00ff00@0.5'],
    ['x,y;z[0]', 'x,y;z[0]'], // not special at this level: the graph level escapes them
    ['a:b', "'a:b'"],
    ["it's", "'it'\\''s'"],
    ['a\\b', "'a\\b'"],
    ['', "''"],
    [' lead', "' lead'"],
    ['trail ', "'trail '"],
    [0.1 + 0.2, '0.3'],
    [48000, '48000'],
  ] as const)('%j → %s', (value, printed) => {
    expect(escapeOptionValue(value)).toBe(printed);
  });
});

describe('escapeGraphToken (second level: the graph parser)', () => {
  it("backslash-escapes \\ ' [ ] , ; and nothing else", () => {
    expect(escapeGraphToken(`a\\b'c[d]e,f;g:h%{pts}=@`)).toBe(`a\\\\b\\'c\\[d\\]e\\,f\\;g:h%{pts}=@`);
  });
});

describe('printFilter', () => {
  it('named args print k=v joined by ":" in insertion order; undefined ones are left out', () => {
    expect(
      printFilter(filter('overlay', { x: 10, y: -2.5, eof_action: 'pass', format: undefined, eval: 'init' })),
    ).toBe('overlay=x=10:y=-2.5:eof_action=pass:eval=init');
  });

  it('positional args print v:v', () => {
    expect(printFilter(filter('scale', [320, 'ih*2']))).toBe('scale=320:ih*2');
    expect(printFilter(filter('aresample', [48000]))).toBe('aresample=48000');
  });

  it('no args, empty args and all-undefined args print the bare name', () => {
    expect(printFilter(filter('split'))).toBe('split');
    expect(printFilter(filter('null', {}))).toBe('null');
    expect(printFilter(filter('null', []))).toBe('null');
    expect(printFilter(filter('null', { a: undefined }))).toBe('null');
  });

  it('escapes at both levels: option value first, then the whole argument string as a graph token', () => {
    expect(printFilter(filter('setpts', ['PTS+if(gte(N,0),0,1)/TB']))).toBe(
      'setpts=PTS+if(gte(N\\,0)\\,0\\,1)/TB',
    );
    expect(printFilter(filter('f', { v: 'a:b' }))).toBe("f=v=\\'a:b\\'");
    expect(printFilter(filter('f', { v: "it's" }))).toBe("f=v=\\'it\\'\\\\\\'\\'s\\'");
    expect(printFilter(filter('f', { v: 'a\\b' }))).toBe("f=v=\\'a\\\\b\\'");
    expect(printFilter(filter('f', { v: 'x,y' }))).toBe('f=v=x\\,y');
    expect(printFilter(filter('f', { v: 'a;b' }))).toBe('f=v=a\\;b');
    expect(printFilter(filter('f', { v: '[in]' }))).toBe('f=v=\\[in\\]');
    expect(printFilter(filter('f', { v: '' }))).toBe("f=v=\\'\\'");
    expect(printFilter(filter('f', { a: 'a:b', b: 1 / 3 }))).toBe("f=a=\\'a:b\\':b=0.333333");
  });

  it('a user string with every special character stays one option', () => {
    const text = `Tom's: "50%, [off]; now" \\o/ %{pts}`;
    expect(printFilter(filter('drawtext', { text, fontsize: 12 }))).toBe(
      `drawtext=text=\\'Tom\\'\\\\\\'\\'s: "50%\\, \\[off\\]\\; now" \\\\o/ %{pts}\\':fontsize=12`,
    );
  });
});

describe('FilterGraph', () => {
  it('prints chains with their pads, one per line, and labels fresh pads uniquely', () => {
    const g = new FilterGraph();
    const bg = g.chain([], [filter('color', { c: 'black', s: '16x16' })], g.pad('bg'));
    const fg = g.chain('0:v', [filter('scale', { w: 8, h: 8 }), filter('setsar', { r: 1 })]);
    const out = g.chain([bg, fg], [filter('overlay', { x: 4, y: 4 })], 'out');
    expect([bg, fg, out]).toEqual(['bg0', 'p1', 'out']);
    expect(g.size).toBe(3);
    expect(g.toString()).toBe(
      [
        'color=c=black:s=16x16[bg0];',
        '[0:v]scale=w=8:h=8,setsar=r=1[p1];',
        '[bg0][p1]overlay=x=4:y=4[out]',
      ].join('\n'),
    );
  });

  it('multi-output chains print every output label', () => {
    const g = new FilterGraph();
    const src = g.chain([], [filter('testsrc2', { s: '8x8' })]);
    g.chainMany(src, [filter('split', [3])], ['a', 'b', 'c']);
    g.chain(['a', 'b', 'c'], [filter('hstack', { inputs: 3 })], 'out');
    expect(g.toString()).toBe('testsrc2=s=8x8[p0];\n[p0]split=3[a][b][c];\n[a][b][c]hstack=inputs=3[out]');
  });

  it('an empty graph prints nothing; a chain without filters throws when printed', () => {
    expect(new FilterGraph().toString()).toBe('');
    const g = new FilterGraph();
    g.chain('0:v', [], 'x');
    expect(() => g.toString()).toThrow('chain 0:v → x has no filters');
  });
});

describe('printed graphs parse in ffmpeg', () => {
  it('escaped color, a duration with ":", a setpts with commas and a split round-trip through ffmpeg', async () => {
    const g = new FilterGraph();
    const src = g.chain(
      [],
      [
        // "00:00:00.2" must be quoted at the option level and the quotes escaped at the graph level.
        filter('color', { c: '0x00ff00@1', s: '4x2', r: 25, d: '00:00:00.2' }),
        filter('setpts', ['PTS+if(gte(N,0),0,1)/TB']),
        filter('format', { pix_fmts: 'rgb24' }),
      ],
    );
    g.chainMany(src, [filter('split')], ['x', 'y']);
    g.chain(['x', 'y'], [filter('hstack', { inputs: 2 })], 'out');
    const graph = g.toString();
    expect(graph).toContain("d=\\'00:00:00.2\\'");
    expect(graph).toContain('if(gte(N\\,0)\\,0\\,1)');
    const { stdout } = await run(
      'ffmpeg',
      ['-v', 'error', '-filter_complex', graph, '-map', '[out]', '-frames:v', '1', '-f', 'rawvideo', '-'],
      {
        encoding: 'buffer',
      },
    );
    // One 8×2 RGB frame, every pixel pure green: the colour option arrived intact.
    expect(stdout.length).toBe(8 * 2 * 3);
    for (let i = 0; i < stdout.length; i += 3) expect([...stdout.subarray(i, i + 3)]).toEqual([0, 255, 0]);
    await run('ffmpeg', [
      '-v',
      'error',
      '-filter_complex',
      graph,
      '-map',
      '[out]',
      '-frames:v',
      '1',
      '-f',
      'null',
      '-',
    ]);
  });

  it("a value with : ' \\ , ; [ ] and %{pts} reaches the filter byte for byte", async () => {
    const value = `it's: a, [b]; c\\d %{pts} `;
    const g = new FilterGraph();
    g.chain(
      [],
      [
        filter('color', { c: 'black', s: '2x2', d: 0.04 }),
        filter('metadata', { mode: 'add', key: 'k', value }),
        filter('metadata', { mode: 'print', key: 'k', file: '-' }),
      ],
      'out',
    );
    const { stdout } = await run('ffmpeg', [
      '-v',
      'error',
      '-filter_complex',
      g.toString(),
      '-map',
      '[out]',
      '-frames:v',
      '1',
      '-f',
      'null',
      '-',
    ]);
    expect(stdout).toContain(`k=${value}\n`);
  });
});
