import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENV } from '../config.js';

/**
 * Where this process gets its Chromium, decided once from the environment (pure but for existsSync):
 * - `configured`: CUTLINE_CHROMIUM names a binary (an operator's choice; the Fargate image sets it);
 * - `lambda-layer`: CUTLINE_CHROMIUM_LAYER names the Chromium layer's node_modules (the stack sets it on
 *   the functions that draw): @sparticuz/chromium's brotli binary, inflated into /tmp on first use;
 * - `system`: a Debian/Ubuntu Chromium on PATH's usual places (the local platform, the CLI);
 * - `none`, with why, in words a user can act on.
 */
export type BrowserSource =
  | { kind: 'configured'; path: string }
  | { kind: 'lambda-layer'; modules: string }
  | { kind: 'system'; path: string }
  | { kind: 'none'; why: string };

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const LAYER_PACKAGE = '@sparticuz/chromium';

export const NO_BROWSER =
  'html, svg and shape assets are drawn by Chromium (rich-text too), and none is installed where this renders: install it (apt-get install chromium) or point CUTLINE_CHROMIUM at a Chromium binary';

export function browserSource(env: NodeJS.ProcessEnv = process.env): BrowserSource {
  const path = env[ENV.CHROMIUM_PATH];
  if (path)
    return existsSync(path)
      ? { kind: 'configured', path }
      : { kind: 'none', why: `${NO_BROWSER} (${ENV.CHROMIUM_PATH} is ${path}: there is no file there)` };
  const modules = env[ENV.CHROMIUM_LAYER];
  if (modules)
    return existsSync(join(modules, LAYER_PACKAGE, 'bin', 'chromium.br'))
      ? { kind: 'lambda-layer', modules }
      : {
          kind: 'none',
          why: `${ENV.CHROMIUM_LAYER} is ${modules}, and the Chromium layer (${LAYER_PACKAGE}) is not there: attach the stack's Chromium layer to this function`,
        };
  const system = CANDIDATES.find((p) => existsSync(p));
  return system ? { kind: 'system', path: system } : { kind: 'none', why: NO_BROWSER };
}

/** How to start the browser: playwright-core's chromium, the binary, its flags. */
export interface BrowserLaunch {
  chromium: typeof import('playwright-core').chromium;
  executablePath: string;
  args: string[];
}

interface SparticuzChromium {
  default: { readonly args: string[]; setGraphicsMode: boolean };
  /** Inflates one brotli file (or tarball) of the package into the temp folder, once; returns its path. */
  inflate(file: string): Promise<string>;
}

/**
 * The launch for a source. The layer's packages are imported by file URL: the functions are ES modules,
 * and ESM resolution never looks in /opt/nodejs/node_modules (NODE_PATH is CommonJS only).
 */
export async function browserLaunch(
  source: Exclude<BrowserSource, { kind: 'none' }>,
): Promise<BrowserLaunch> {
  if (source.kind !== 'lambda-layer') {
    const { chromium } = await import('playwright-core');
    return { chromium, executablePath: source.path, args: ['--no-sandbox'] };
  }
  const from = (file: string) => pathToFileURL(join(source.modules, file)).href;
  const [{ chromium }, layer] = await Promise.all([
    import(from('playwright-core/index.mjs')) as Promise<typeof import('playwright-core')>,
    // Importing it in Lambda points LD_LIBRARY_PATH and HOME at /tmp, where the libraries are inflated.
    import(from(`${LAYER_PACKAGE}/build/index.js`)) as Promise<SparticuzChromium>,
  ]);
  // Pages run no JavaScript, so no WebGL. The browser, the software GL it composites with (it cannot
  // start without) and its Amazon Linux libraries; not the package's fonts (the built-in faces are used).
  layer.default.setGraphicsMode = false;
  const bin = join(source.modules, LAYER_PACKAGE, 'bin');
  const [executablePath] = await Promise.all(
    ['chromium.br', 'swiftshader.tar.br', 'al2023.tar.br'].map((f) => layer.inflate(join(bin, f))),
  );
  return { chromium, executablePath: executablePath!, args: layer.default.args };
}
