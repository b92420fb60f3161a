import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findCycles,
  folderOf,
  graphOf,
  projectImports,
  printCycle,
  specifiers,
  tsFiles,
  type Import,
} from './import-graph.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const lambdas = tsFiles(root, 'lambdas');
const edges = projectImports(root, lambdas);
const inLambdas = (f: string) => (f.startsWith('lambdas/') ? f : undefined);
const top = (f: string) => f.split('/')[0]!;

/** The imports that break a rule, printed one a line so a failure says which file to change. */
const offending = (list: Import[]) => list.map((e) => `${e.from} imports ${e.to}`);

describe('the import graph of lambdas/', () => {
  it('reads every file and finds its imports', () => {
    expect(lambdas.length).toBeGreaterThan(100);
    // The handlers reach core, and type-only imports are edges too.
    expect(edges).toContainEqual({
      from: 'lambdas/pipeline/stitch.ts',
      to: 'lambdas/core/packaging/types.ts',
    });
  });

  it('has no cycle between files', () => {
    expect(findCycles(graphOf(edges, inLambdas)).map(printCycle)).toEqual([]);
  });

  it('has no cycle between folders (each folder under lambdas/core, api, pipeline, triggers)', () => {
    expect(findCycles(graphOf(edges, folderOf)).map(printCycle)).toEqual([]);
  });

  it('keeps lambdas/core below the handlers: it imports only lambdas/core', () => {
    const up = edges.filter((e) => e.from.startsWith('lambdas/core/') && !e.to.startsWith('lambdas/core/'));
    expect(offending(up)).toEqual([]);
  });

  it('keeps lambdas/ below local/, lib/ and bin/', () => {
    expect(offending(edges.filter((e) => !e.to.startsWith('lambdas/')))).toEqual([]);
  });

  it('points bin → local, lib → lambdas: local and lib import neither each other nor bin', () => {
    const outer = projectImports(root, [...tsFiles(root, 'local'), ...tsFiles(root, 'lib')]);
    const wrong = outer.filter((e) => ['bin', top(e.from) === 'local' ? 'lib' : 'local'].includes(top(e.to)));
    expect(offending(wrong)).toEqual([]);
  });
});

describe('the cycle finder', () => {
  const graph = (edges: Record<string, string[]>) =>
    new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

  it('finds nothing in a DAG, even with diamonds', () => {
    expect(findCycles(graph({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }))).toEqual([]);
  });

  it('finds a two-node and a longer cycle, each as a closed path', () => {
    const cycles = findCycles(graph({ a: ['b'], b: ['a', 'c'], c: ['d'], d: ['e'], e: ['c'], f: ['a'] }));
    expect(cycles.map(printCycle)).toEqual(['c → d → e → c', 'a → b → a']);
  });

  it('prints the shortest loop through a tangled component', () => {
    const [cycle] = findCycles(graph({ a: ['b', 'x'], b: ['c'], c: ['a'], x: ['y'], y: ['z'], z: ['a'] }));
    expect(cycle).toEqual(['a', 'b', 'c', 'a']);
  });

  it('sees every form of import: type-only, re-exports, dynamic, require and import types', () => {
    const source = [
      "import type { A } from './a.js';",
      "import './side-effect.js';",
      "export { b } from './b.js';",
      "export * from './c.js';",
      "import d = require('./d.js');",
      "const e = await import('./e.js');",
      "type F = import('./f.js').F;",
      "import { readFile } from 'node:fs';",
    ].join('\n');
    expect(specifiers('x.ts', source)).toEqual([
      './a.js',
      './side-effect.js',
      './b.js',
      './c.js',
      './d.js',
      './e.js',
      './f.js',
      'node:fs',
    ]);
  });

  it('groups lambdas files into folders, and core’s own files each on their own', () => {
    expect(folderOf('lambdas/core/projects/providers/image.ts')).toBe('lambdas/core/projects');
    expect(folderOf('lambdas/core/errors.ts')).toBe('lambdas/core/errors.ts');
    expect(folderOf('lambdas/pipeline/stitch.ts')).toBe('lambdas/pipeline');
    expect(folderOf('local/platform.ts')).toBeUndefined();
  });

  describe('on a real project on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-graph-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    write(
      'tsconfig.json',
      JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }),
    );
    write('lambdas/core/a/one.ts', "import type { T } from '../b/two.js';\nexport type U = T;\n");
    write(
      'lambdas/core/b/two.ts',
      "export type T = string;\nexport const f = () => import('../c/three.js');\n",
    );
    write('lambdas/core/c/three.ts', "export { type U } from '../a/one.js';\n");
    write('lambdas/core/c/four.ts', "import '../../api/handler.js';\n");
    write('lambdas/api/handler.ts', 'export {};\n');

    it('fails on a cycle through types and a dynamic import, naming it', () => {
      const found = projectImports(dir, tsFiles(dir, 'lambdas'));
      expect(findCycles(graphOf(found, inLambdas)).map(printCycle)).toEqual([
        'lambdas/core/a/one.ts → lambdas/core/b/two.ts → lambdas/core/c/three.ts → lambdas/core/a/one.ts',
      ]);
      expect(findCycles(graphOf(found, folderOf)).map(printCycle)).toEqual([
        'lambdas/core/a → lambdas/core/b → lambdas/core/c → lambdas/core/a',
      ]);
      expect(found).toContainEqual({ from: 'lambdas/core/c/four.ts', to: 'lambdas/api/handler.ts' });
    });

    it('refuses an import it cannot resolve instead of dropping the edge', () => {
      write('lambdas/core/c/typo.ts', "import '../a/on.js';\n");
      expect(() => projectImports(dir, ['lambdas/core/c/typo.ts'])).toThrow(
        /cannot resolve import '..\/a\/on.js'/,
      );
    });
  });
});
