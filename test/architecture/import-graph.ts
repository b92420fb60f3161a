import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** A directed graph: each node with the nodes it imports. */
export type Graph = ReadonlyMap<string, ReadonlySet<string>>;

export interface Import {
  from: string;
  to: string;
}

/** Every .ts file under `dir` (relative to `root`, `/`-separated), sorted. */
export function tsFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(toPosix(relative(root, p)));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

const toPosix = (p: string) => p.split(sep).join('/');

/**
 * The module specifiers a file names, whatever the form: `import`, `import type`, `export … from`,
 * `import x = require()`, `import()` calls and `import('…')` types. Type-only imports count: a cycle
 * through types is still two modules that cannot be read (or moved) one without the other.
 */
export function specifiers(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const literal = (n: ts.Node | undefined) => {
    if (n && ts.isStringLiteralLike(n)) found.push(n.text);
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      literal(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      literal(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const tsconfig = (root: string): ts.CompilerOptions => {
  const file = join(root, 'tsconfig.json');
  const read = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(read.config, ts.sys, root).options;
};

/**
 * The project-internal imports of `files` (relative to `root`), resolved by the compiler with the
 * project's tsconfig. Package imports are left out; an import that resolves nowhere throws, so a typo
 * cannot hide an edge.
 */
export function projectImports(root: string, files: readonly string[]): Import[] {
  const options = tsconfig(root);
  const edges: Import[] = [];
  for (const file of files) {
    const abs = join(root, file);
    for (const spec of specifiers(abs, readFileSync(abs, 'utf8'))) {
      if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
      const resolved = ts.resolveModuleName(spec, abs, options, ts.sys).resolvedModule;
      if (!resolved) throw new Error(`${file}: cannot resolve import '${spec}'`);
      const to = toPosix(relative(root, resolved.resolvedFileName));
      if (to.startsWith('node_modules/')) continue;
      edges.push({ from: file, to });
    }
  }
  return edges;
}

export function graphOf(edges: readonly Import[], nodeOf: (file: string) => string | undefined): Graph {
  const g = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = nodeOf(from);
    const b = nodeOf(to);
    if (a === undefined || b === undefined || a === b) continue;
    if (!g.has(a)) g.set(a, new Set());
    if (!g.has(b)) g.set(b, new Set());
    g.get(a)!.add(b);
  }
  return g;
}

/**
 * The cycles of `graph`: one per strongly connected component of more than one node (Tarjan), each
 * printed as a closed path through the component (`a → b → a`), so a failure names a concrete loop.
 * Self-imports are not edges (graphOf drops them).
 */
export function findCycles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const next = (n: string) => [...(graph.get(n) ?? [])].sort();
  const strong = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) components.push(c.sort());
    }
  };
  for (const n of [...graph.keys()].sort()) if (!index.has(n)) strong(n);
  return components.map((c) => loopThrough(graph, new Set(c), c[0]!));
}

/** The shortest path from `start` back to itself inside one component (breadth-first). */
function loopThrough(graph: Graph, component: ReadonlySet<string>, start: string): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const n = queue.shift()!;
    for (const w of [...(graph.get(n) ?? [])].sort()) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path: string[] = [];
        for (let p: string | undefined = n; p !== undefined && p !== start; p = parent.get(p))
          path.unshift(p);
        return [start, ...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, n);
        queue.push(w);
      }
    }
  }
  return [start];
}

/**
 * The node a lambdas/ file belongs to in the folder graph: each directory directly under lambdas/core
 * (its sub-folders included: projects/providers is projects), and lambdas/api, lambdas/pipeline and
 * lambdas/triggers whole. lambdas/core's own files are in no folder, so each is a node of its own: the
 * leaves (config, errors) and the composition root (platform.ts) sit at opposite ends of the graph.
 */
export function folderOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'lambdas') return undefined;
  if (parts[1] === 'core') return parts.length > 3 ? `lambdas/core/${parts[2]}` : file;
  return `lambdas/${parts[1]}`;
}

export const printCycle = (cycle: readonly string[]) => cycle.join(' → ');
