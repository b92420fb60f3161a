import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '../config.js';
import { CutlineError } from '../errors.js';
import { htmlKey, pageSource, type HtmlDocument } from './document.js';

/** Draws html documents to transparent PNG files: one browser for a batch, every request refused. */
export interface HtmlRasterizer {
  rasterize(docs: readonly HtmlDocument[]): Promise<Map<string, string>>;
}

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser binary: CUTLINE_CHROMIUM, else a system Chromium; undefined when there is none. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env[ENV.CHROMIUM_PATH];
  if (set) return existsSync(set) ? set : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export const NO_BROWSER =
  'html, svg and shape assets are drawn by Chromium (rich-text too), and none is installed where this renders: install it (apt-get install chromium) or point CUTLINE_CHROMIUM at a Chromium binary';

/**
 * Chromium through playwright-core (no browser download: it drives the binary given). JavaScript is off,
 * every network request is aborted (the page's CSP already forbids them), and the screenshot keeps the
 * alpha channel, so the area is transparent wherever the HTML draws nothing. Images are cached by the
 * document's key under the system temp folder, so the chunks of one render draw each document once.
 */
export class ChromiumRasterizer implements HtmlRasterizer {
  constructor(
    private readonly executablePath: string,
    private readonly cacheDir = join(tmpdir(), 'cutline-html'),
  ) {}

  async rasterize(docs: readonly HtmlDocument[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const todo: Array<{ doc: HtmlDocument; key: string; path: string }> = [];
    for (const doc of docs) {
      const key = htmlKey(doc);
      const path = join(this.cacheDir, `${key.slice(5)}.png`);
      out.set(key, path);
      if (!existsSync(path) && !todo.some((t) => t.key === key)) todo.push({ doc, key, path });
    }
    if (!todo.length) return out;
    await mkdir(this.cacheDir, { recursive: true });
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: this.executablePath, args: ['--no-sandbox'] });
    try {
      for (const { doc, path } of todo) {
        const context = await browser.newContext({
          viewport: { width: doc.width, height: doc.height },
          javaScriptEnabled: false,
          offline: true,
        });
        try {
          const page = await context.newPage();
          await page.route('**/*', (route) => route.abort());
          await page.setContent(pageSource(doc, await fontFaces(doc)), {
            waitUntil: 'load',
            timeout: 20_000,
          });
          const png = await page.screenshot({ omitBackground: true, type: 'png', timeout: 20_000 });
          const tmp = `${path}.${process.pid}.tmp`;
          await writeFile(tmp, png);
          await rename(tmp, path);
        } finally {
          await context.close();
        }
      }
    } catch (err) {
      throw new CutlineError(
        'RENDER_FAILED',
        `html asset: the browser could not draw it: ${(err as Error).message}`,
      );
    } finally {
      await browser.close();
    }
    return out;
  }
}

/** The document's fonts as @font-face rules with data: sources (the page's CSP allows only those). */
async function fontFaces(doc: HtmlDocument): Promise<string> {
  const rules = await Promise.all(
    (doc.fonts ?? []).map(async (f) => {
      const data = (await readFile(f.path)).toString('base64');
      const type = f.path.toLowerCase().endsWith('.otf') ? 'font/otf' : 'font/ttf';
      return `@font-face{font-family:'${f.family}';font-weight:${f.weight};font-style:normal;src:url(data:${type};base64,${data})}`;
    }),
  );
  return rules.join('');
}

/**
 * Why html assets cannot render here, or undefined when they can. On the platform (a table is configured)
 * the deployment says whether its render tasks have a browser (CUTLINE_HTML_RENDERER=chromium: the local
 * platform sets it when Chromium is installed; the AWS stack's functions have none yet); the CLI looks for
 * one itself.
 */
export function htmlUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[ENV.TABLE_NAME]) {
    return env[ENV.HTML_RENDERER] === 'chromium'
      ? undefined
      : 'html, svg and shape assets are drawn by Chromium (rich-text too), and this deployment’s render tasks have none (the AWS stack ships no Chromium layer yet; `cutline start` uses a local Chromium when one is installed)';
  }
  return chromiumPath(env) ? undefined : NO_BROWSER;
}

/** The deployment's rasterizer, or a NOT_SUPPORTED error naming what to install. */
export function htmlRasterizer(env: NodeJS.ProcessEnv = process.env): HtmlRasterizer {
  const path = chromiumPath(env);
  if (!path) throw new CutlineError('NOT_SUPPORTED', NO_BROWSER);
  return new ChromiumRasterizer(path);
}
