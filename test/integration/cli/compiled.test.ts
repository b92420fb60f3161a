import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript (it runs before anything is compiled), no declarations
import { build, isFresh } from '../../../bin/build.mjs';

const run = promisify(execFile);

/**
 * A folder with register.mjs: loaded with `node --import`, it writes `<label> <url>` to stderr for every
 * module URL the resolver returns where `condition` (JavaScript over `r.url`) holds.
 */
async function resolveHook(condition: string, label: string): Promise<string> {
  const hooks = await mkdtemp(join(tmpdir(), 'cutline-hooks-'));
  await writeFile(
    join(hooks, 'hook.mjs'),
    `import { writeSync } from 'node:fs';
export async function resolve(s, c, next) {
  const r = await next(s, c);
  if (${condition}) writeSync(2, '${label} ' + r.url + '\\n');
  return r;
}
`,
  );
  await writeFile(
    join(hooks, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(hooks, 'hook.mjs')).href)});\n`,
  );
  return hooks;
}

describe('compiled JavaScript (bin/build.mjs)', () => {
  it('compiles each source to JavaScript beside the same tree, and rebuilds when a source changes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cutline-build-'));
    await mkdir(join(root, 'lambdas', 'core'), { recursive: true });
    await mkdir(join(root, 'local'), { recursive: true });
    await mkdir(join(root, 'assets'), { recursive: true });
    const source = join(root, 'lambdas', 'core', 'answer.ts');
    await writeFile(source, "import type { X } from './x.js';\nexport const answer: number = 42 as X;\n");
    await writeFile(join(root, 'lambdas', 'core', 'x.ts'), 'export type X = number;\n');
    await writeFile(join(root, 'local', 'worker.mjs'), 'export const w = 1;\n');
    await writeFile(join(root, 'assets', 'font.txt'), 'f');
    expect(isFresh(root)).toBe(false);
    await build({ root, quiet: true });
    expect(isFresh(root)).toBe(true);
    const js = await readFile(join(root, 'dist', 'lambdas', 'core', 'answer.js'), 'utf8');
    expect(js).toContain('const answer = 42');
    expect(js).not.toContain(': number');
    // Plain .mjs files are copied; run-time folders are reachable at the same relative place.
    expect(existsSync(join(root, 'dist', 'local', 'worker.mjs'))).toBe(true);
    expect(await readFile(join(root, 'dist', 'assets', 'font.txt'), 'utf8')).toBe('f');
    const { stdout } = await run('node', [
      '--input-type=module',
      '-e',
      `import(${JSON.stringify(join(root, 'dist', 'lambdas', 'core', 'answer.js'))}).then((m) => console.log(m.answer))`,
    ]);
    expect(stdout.trim()).toBe('42');

    const later = new Date(Date.now() + 5000);
    await utimes(source, later, later);
    expect(isFresh(root)).toBe(false);
    await build({ root, quiet: true });
    expect(isFresh(root)).toBe(true);
  }, 60_000);

  it('the CLI runs from dist/ (no TypeScript compiled at start-up)', async () => {
    const cli = resolve('bin/cutline.mjs');
    const { stdout, stderr } = await run('node', [cli, '--help']);
    expect(stdout).toContain('usage: cutline <command>');
    expect(stderr).not.toContain('running the TypeScript sources');
    expect(isFresh()).toBe(true);
    // No TypeScript module is resolved: a resolve hook reports every .ts URL (with tsx, bin/cli.ts would be).
    const hooks = await resolveHook("r.url.endsWith('.ts')", 'TS');
    const traced = (args: string[]) => run('node', ['--import', join(hooks, 'register.mjs'), ...args]);
    const compiled = await traced([cli, '--help']);
    expect(compiled.stdout).toContain('usage: cutline <command>');
    expect(compiled.stderr).not.toContain('TS file:');
    // The hook does see TypeScript where it is loaded (so the check above can fail).
    const sources = await traced(['--import', 'tsx', resolve('bin/cli.ts'), '--help']);
    expect(sources.stderr).toContain('/bin/cli.ts');
  }, 60_000);

  it('`cutline render` loads one bundle, not ~200 modules, and still reports its errors by code', async () => {
    const cli = resolve('bin/cutline.mjs');
    const hooks = await resolveHook("r.url.startsWith('file:')", 'MODULE');
    const out = join(hooks, 'hello.mp4');
    const { stdout, stderr } = await run('node', [
      '--import',
      join(hooks, 'register.mjs'),
      cli,
      'render',
      resolve('examples/hello.json'),
      '-o',
      out,
      '--dry-run',
    ]);
    expect(stdout).toContain('ffmpeg');
    const modules = stderr.split('\n').filter((l) => l.startsWith('MODULE '));
    const ours = modules.filter((l) => l.includes('/dist/'));
    // cli.js, errors.js, the bundle's entry and its chunks (was 80 files of ours and zod's 99).
    expect(ours.length).toBeGreaterThan(2);
    expect(ours.length).toBeLessThanOrEqual(12);
    expect(modules.filter((l) => l.includes('/node_modules/zod/'))).toEqual([]);

    // An error made by the bundle's copy of CutlineError is still reported by its code.
    const bad = join(hooks, 'bad.json');
    await writeFile(bad, JSON.stringify({ timeline: { tracks: [] }, output: { format: 'mp4' } }));
    const refused = await run('node', [cli, 'render', bad, '-o', out]).catch((e: { stderr: string }) => e);
    expect((refused as { stderr: string }).stderr).toMatch(/^cutline: VALIDATION_FAILED: timeline\.tracks/m);
  }, 60_000);
});
