import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/core/config.js';
import { ROOT } from './functions.js';

/** What the layer holds: the Lambda-built Chromium and the driver the rasterizer starts it with. */
export const LAYER_ROOTS = ['@sparticuz/chromium', 'playwright-core'] as const;

/** Where Lambda puts a layer's `nodejs/node_modules` (the rasterizer imports the packages from there). */
export const LAYER_MODULES = '/opt/nodejs/node_modules';

/**
 * @sparticuz/chromium's npm package ships an x86_64 binary only (its arm64 builds are release downloads),
 * so the functions that draw run on x86_64, and so does the ffmpeg layer they carry.
 */
export const CHROMIUM_ARCHITECTURE = Architecture.X86_64;

/**
 * What the layer inflates into /tmp on a cold start (the browser and its Amazon Linux libraries): about
 * 205 MiB for 153.0.0; test/integration/render/chromium-layer.test.ts
 * measures it against this bound, and the stack test checks every drawing function's /tmp holds it
 * beside its render scratch.
 */
export const CHROMIUM_TMP_BYTES = 256 * 1024 ** 2;
// (The fontconfig cache and the drawn images come on top; both are small.)

/**
 * What the layer leaves out, to stay within Lambda's 250 MiB beside ffmpeg and the fonts: parts never read
 * to launch a browser and draw (playwright-core's typings and its trace viewer's and recorder's web apps;
 * @sparticuz/chromium's own fonts: pages use the built-in faces, and lambdas/core/html/browser.ts
 * inflates only the browser, its software GL and its libraries), and the Bare runtime's
 * modules, which tar-fs and its dependencies load only under Bare (their Node entries use node:fs).
 */
const PRUNED: Record<string, readonly string[]> = {
  'playwright-core': ['types', 'lib/vite'],
  '@sparticuz/chromium': ['bin/fonts.tar.br'],
};
const BARE_ONLY = new Set(['bare-fs', 'bare-path', 'bare-url', 'bare-buffer', 'bare-stream']);

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
type Lock = { packages: Record<string, LockEntry> };

/**
 * The lockfile paths (`node_modules/…`) of the roots and everything they need at run time, found the way
 * Node resolves: a package's own nested node_modules first, then each folder above. Optional and peer
 * dependencies are included where the lockfile installed them. Pure.
 */
export function layerPackages(lock: Lock, roots: readonly string[]): string[] {
  const found = new Set<string>();
  const resolve = (from: string, name: string): string | undefined => {
    for (let base = from; ;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (!base) return undefined;
      const up = base.lastIndexOf('/node_modules/');
      base = up < 0 ? '' : base.slice(0, up);
    }
  };
  const visit = (path: string) => {
    if (found.has(path)) return;
    found.add(path);
    const e = lock.packages[path]!;
    const needed = Object.keys(e.dependencies ?? {});
    const maybe = [...Object.keys(e.optionalDependencies ?? {}), ...Object.keys(e.peerDependencies ?? {})];
    for (const name of needed) {
      const dep = resolve(path, name);
      if (!dep)
        throw new Error(`package-lock.json: ${path} needs ${name}, which the lockfile does not install`);
      visit(dep);
    }
    for (const name of maybe) {
      const dep = resolve(path, name);
      if (dep) visit(dep);
    }
  };
  for (const r of roots) {
    const path = `node_modules/${r}`;
    if (!lock.packages[path]) throw new Error(`package-lock.json installs no ${r}`);
    visit(path);
  }
  return [...found].sort();
}

/**
 * Lays the layer out as Lambda expects (`nodejs/node_modules/<package>`), copied from this checkout's
 * node_modules: nothing is downloaded or built, so synth stays offline. The folder is reused while the
 * packages' versions are the same; it is staged beside and renamed, so parallel synths never see half.
 */
export function stageChromiumLayer(outDir = join(ROOT, 'cdk.out', '.chromium-layer')): string {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lock;
  const packages = layerPackages(lock, LAYER_ROOTS).filter(
    (p) => !BARE_ONLY.has(p.replace(/^.*node_modules\//, '')),
  );
  // What the folder holds: the packages' versions and what is left out of them.
  const stamp = JSON.stringify({
    packages: packages.map((p) => `${p}@${lock.packages[p]!.version}`),
    pruned: PRUNED,
  });
  const dir = join(outDir, Buffer.from(stamp).toString('base64url').slice(-24));
  if (existsSync(join(dir, 'stamp.json'))) return join(dir, 'layer');
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  for (const p of packages) {
    const from = join(ROOT, p);
    if (!existsSync(from)) {
      if (lock.packages[p] && isOptional(lock, p)) continue;
      throw new Error(`${p} is in package-lock.json but not installed: run npm ci before cdk synth`);
    }
    const name = p.replace(/^.*node_modules\//, '');
    const skip = (PRUNED[name] ?? []).map((s) => join(from, s));
    cpSync(from, join(staging, 'layer', 'nodejs', p), {
      recursive: true,
      dereference: true,
      filter: (src) => !skip.some((s) => src === s || src.startsWith(`${s}/`)) && !src.includes('/.bin'),
    });
  }
  writeFileSync(join(staging, 'stamp.json'), stamp);
  mkdirSync(outDir, { recursive: true });
  try {
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another synth staged the same folder first
  }
  // Folders of earlier package versions or prunings (~80 MB each) are not kept.
  for (const old of readdirSync(outDir))
    if (join(outDir, old) !== dir && !old.endsWith('.tmp'))
      rmSync(join(outDir, old), { recursive: true, force: true });
  return join(dir, 'layer');
}

const isOptional = (lock: Lock, path: string) =>
  (lock.packages[path] as { optional?: boolean }).optional === true;

/** The Chromium layer of the functions that draw html, svg, shape and rich-text assets. */
export class ChromiumLayer extends Construct {
  readonly layer: LayerVersion;
  /** What a function that carries the layer is told (lambdas/core/html/browser.ts reads it). */
  readonly environment: Readonly<Record<string, string>> = { [ENV.CHROMIUM_LAYER]: LAYER_MODULES };

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.layer = new LayerVersion(this, 'Layer', {
      code: Code.fromAsset(stageChromiumLayer()),
      compatibleArchitectures: [CHROMIUM_ARCHITECTURE],
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      description: 'Chromium for Lambda (@sparticuz/chromium, inflated into /tmp) and playwright-core',
    });
  }
}
