// Compiles the runtime's TypeScript (bin, lambdas, local, containers, examples) to JavaScript under dist/, file for
// file (no bundle: imports, node_modules and the tree stay as they are), so the CLI, `cutline start` and
// the Fargate task start without compiling TypeScript. Runs at `npm ci` (prepare) and, when a source is
// newer than the last build, on the next `cutline` run. Plain JavaScript: it must run before any build.
import { createRequire } from 'node:module';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['bin', 'lambdas', 'local', 'containers', 'examples'];
/** Folders read at run time relative to the code (fonts, state machines, console files): linked into dist/. */
const LINKED = ['assets', 'console', 'statemachines'];

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    // examples/media holds generated media, no code.
    if (e.isDirectory() && p !== join(ROOT, 'examples', 'media')) walk(p, out);
    else if (e.isDirectory()) continue;
    else out.push(p);
  }
  return out;
}

const sources = (root) =>
  SOURCES.filter((d) => existsSync(join(root, d))).flatMap((d) => walk(join(root, d)));
const isCode = (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts');

/** Newest modification time of what the build reads (the file list's own changes count too). */
export function sourceStamp(root = ROOT) {
  const files = sources(root).filter((f) => isCode(f) || f.endsWith('.mjs'));
  let newest = 0;
  for (const f of files) newest = Math.max(newest, statSync(f).mtimeMs);
  return `${files.length}:${newest}`;
}

/** Whether dist/ was built from the sources as they are now. */
export function isFresh(root = ROOT) {
  try {
    return readFileSync(join(root, 'dist', '.built-from'), 'utf8') === sourceStamp(root);
  } catch {
    return false;
  }
}

/** tsx's own esbuild (a runtime dependency), so the build needs nothing the install does not have. */
function esbuild() {
  const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  return fromTsx('esbuild');
}

/** Packages bundled into the render command: zod's 99 modules cost ~20 ms to load one by one. */
const BUNDLED_PACKAGES = /^zod(\/|$)/;

/**
 * `cutline render` is the command whose start-up counts (a short render is mostly start-up), so it is
 * one bundle instead of ~200 modules: its own code and zod, with the rest of node_modules imported as
 * usual and its lazy imports (job kinds, speech) split into chunks beside it. It replaces the per-file
 * dist/bin/commands/render.js and sits at the same depth below the root, so the one module of its graph
 * that finds files relative to itself (text/fonts.ts: ../../../assets) finds the same folder; the
 * others use createRequire, which resolves node_modules from anywhere in the checkout.
 */
async function bundleRender(root, out) {
  const entry = join(root, 'bin', 'commands', 'render.ts');
  if (!existsSync(entry)) return;
  await esbuild().build({
    entryPoints: [entry],
    outdir: join(out, 'bin', 'commands'),
    bundle: true,
    splitting: true,
    chunkNames: 'render-[hash]',
    // Fewer bytes to parse; names are kept, so stack traces (and the source maps) stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'error',
    plugins: [
      {
        name: 'packages-external-but-bundled',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (a) =>
            BUNDLED_PACKAGES.test(a.path) ? undefined : { path: a.path, external: true },
          );
        },
      },
      {
        // zod's `z.locales` carries every language's messages (366 kB, a quarter of the bundle to parse);
        // cutline answers in English (zod's default, set from locales/en.js itself), so only that one is kept.
        name: 'zod-english-only',
        setup(b) {
          b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
            contents: 'export { default as en } from "./en.js";',
            resolveDir: join(root, 'node_modules', 'zod', 'v4', 'locales'),
          }));
        },
      },
    ],
  });
}

/** Builds into a private folder, then swaps it in; a lock keeps two first runs from building at once. */
export async function build({ root = ROOT, quiet = false } = {}) {
  const DIST = join(root, 'dist');
  const lock = `${DIST}.lock`;
  for (let waited = 0; ; waited += 100) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      // Another process is building: wait for it (a lock older than a minute is left over from a crash).
      if (waited > 60_000 || Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 60_000)
        rmSync(lock, { force: true });
      await sleep(100);
      if (isFresh(root)) return;
    }
  }
  try {
    if (isFresh(root)) return;
    const stamp = sourceStamp(root);
    const tmp = `${DIST}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    const files = sources(root);
    await esbuild().build({
      entryPoints: files.filter(isCode),
      outdir: tmp,
      outbase: root,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: true,
      logLevel: 'error',
    });
    await bundleRender(root, tmp);
    for (const f of files.filter((f) => f.endsWith('.mjs') && !f.startsWith(join(root, 'bin')))) {
      const to = join(tmp, relative(root, f));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(f, to);
    }
    for (const d of LINKED) if (existsSync(join(root, d))) symlinkSync(join('..', d), join(tmp, d));
    // ESM needs the package's "type": "module" beside the .js files, as in the repository root.
    writeFileSync(join(tmp, 'package.json'), '{ "type": "module", "private": true }\n');
    writeFileSync(join(tmp, '.built-from'), stamp);
    // Two renames: a running `cutline start` that imports a handler later finds a whole tree, old or new.
    const old = `${DIST}.${process.pid}.old`;
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(tmp, DIST);
    rmSync(old, { recursive: true, force: true });
    if (!quiet) process.stderr.write(`cutline: compiled ${files.filter(isCode).length} files to dist/\n`);
  } finally {
    rmSync(lock, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await build();
}
