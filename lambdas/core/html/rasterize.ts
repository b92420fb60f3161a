import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '../config.js';
import { CutlineError } from '../errors.js';
import { builtinFontFiles, DEFAULT_FAMILY } from '../text/fonts.js';
import { browserLaunch, browserSource, type BrowserSource } from './browser.js';
import { htmlKey, pageSource, type HtmlDocument } from './document.js';
import { fontconfigFile, fontLinks } from './fontconfig.js';

/** Draws html documents to transparent PNG files: one browser for a batch, every request refused. */
export interface HtmlRasterizer {
  rasterize(docs: readonly HtmlDocument[]): Promise<Map<string, string>>;
}

/** The browser binary where one is installed or configured (not the Lambda layer's: it is inflated on use). */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const source = browserSource(env);
  return source.kind === 'configured' || source.kind === 'system' ? source.path : undefined;
}

/**
 * Chromium through playwright-core (no browser download: it drives the binary its source gives). JavaScript
 * is off, every network request is aborted (the page's CSP already forbids them), and the screenshot keeps
 * the alpha channel, so the area is transparent wherever the HTML draws nothing. Its only fonts are the
 * built-in faces (fontconfig.ts), wherever it runs. Images are cached by the document's key under the
 * system temp folder, so the chunks of one render draw each document once; the cache is also keyed by
 * what draws (the browser and the font files), so a moved install or another browser never reuses
 * another's drawings, and a half-built font setup is never seen (it is built aside and renamed in).
 */
export class ChromiumRasterizer implements HtmlRasterizer {
  constructor(
    private readonly source: Exclude<BrowserSource, { kind: 'none' }>,
    private readonly cacheDir = join(tmpdir(), 'cutline-html'),
  ) {}

  async rasterize(docs: readonly HtmlDocument[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const todo: Array<{ doc: HtmlDocument; key: string; path: string }> = [];
    const links = fontLinks(builtinFontFiles());
    const drawer = drawerId(this.source, links);
    for (const doc of docs) {
      const key = htmlKey(doc);
      const path = join(this.cacheDir, `${key.slice(5)}.${drawer}.png`);
      out.set(key, path);
      if (!existsSync(path) && !todo.some((t) => t.key === key)) todo.push({ doc, key, path });
    }
    if (!todo.length) return out;
    await mkdir(this.cacheDir, { recursive: true });
    const fontconfig = await this.fontconfig(links, drawer);
    let launch;
    try {
      launch = await browserLaunch(this.source);
    } catch (err) {
      throw new CutlineError(
        'RENDER_FAILED',
        `html asset: the browser could not be prepared (${this.source.kind}): ${(err as Error).message}`,
      );
    }
    const browser = await launch.chromium.launch({
      executablePath: launch.executablePath,
      args: launch.args,
      env: { ...process.env, FONTCONFIG_FILE: fontconfig },
    });
    try {
      // One context and page for the batch, resized per document: with --single-process (the Lambda
      // build's flags) closing a context ends the one renderer, and with it the browser. Pages run no
      // script and store nothing, so a document cannot see the one before it.
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      const page = await context.newPage();
      await page.route('**/*', (route) => route.abort());
      for (const { doc, path } of todo) {
        await page.setViewportSize({ width: doc.width, height: doc.height });
        await page.setContent(pageSource(doc, await fontFaces(doc)), { waitUntil: 'load', timeout: 20_000 });
        const png = await page.screenshot({ omitBackground: true, type: 'png', timeout: 20_000 });
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, png);
        await rename(tmp, path);
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

  /**
   * The fonts.conf (and the folder of links to the built-in faces) the browser is started with, one per
   * set of font files. Built in a folder of its own and renamed into place, so a process drawing beside
   * this one (another chunk, another test) never starts a browser on a folder being built or removed.
   */
  private async fontconfig(links: ReturnType<typeof fontLinks>, id: string): Promise<string> {
    const root = join(this.cacheDir, `fontconfig-${id}`);
    const conf = join(root, 'fonts.conf');
    if (existsSync(conf)) return conf;
    const building = `${root}.${process.pid}.${randomUUID()}.tmp`;
    await mkdir(join(building, 'fonts'), { recursive: true });
    for (const { name, target } of links) await symlink(target, join(building, 'fonts', name));
    await writeFile(
      join(building, 'fonts.conf'),
      fontconfigFile(join(root, 'fonts'), join(root, 'cache'), DEFAULT_FAMILY),
    );
    try {
      await rename(building, root);
    } catch (err) {
      // Another process put the same set in place first: use theirs.
      await rm(building, { recursive: true, force: true });
      if (!existsSync(conf)) throw err;
    }
    return conf;
  }
}

/** Pure: what draws a document (the browser and the font files it may use), as a short id. */
export function drawerId(source: BrowserSource, links: ReturnType<typeof fontLinks>): string {
  return createHash('sha256').update(JSON.stringify({ source, links })).digest('hex').slice(0, 12);
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
 * the deployment says whether its render tasks have a browser (CUTLINE_HTML_RENDERER=chromium: the stack
 * sets it with the Chromium layer and image, the local platform when Chromium is installed); the CLI
 * looks for one itself.
 */
export function htmlUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[ENV.TABLE_NAME]) {
    return env[ENV.HTML_RENDERER] === 'chromium'
      ? undefined
      : 'html, svg and shape assets are drawn by Chromium (rich-text too), and this deployment’s render tasks have none (an AWS stack deployed with htmlAssets: false, or `cutline start` on a machine without Chromium: apt-get install chromium)';
  }
  const source = browserSource(env);
  return source.kind === 'none' ? source.why : undefined;
}

/** The deployment's rasterizer, or a NOT_SUPPORTED error naming what to install or configure. */
export function htmlRasterizer(env: NodeJS.ProcessEnv = process.env): HtmlRasterizer {
  const source = browserSource(env);
  if (source.kind === 'none') throw new CutlineError('NOT_SUPPORTED', source.why);
  return new ChromiumRasterizer(source);
}
