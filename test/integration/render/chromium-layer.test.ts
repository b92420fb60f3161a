import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_TMP_BYTES, stageChromiumLayer } from '../../../lib/chromium-layer.js';
import { chromiumPath, ChromiumRasterizer } from '../../../lambdas/core/html/rasterize.js';
import { htmlKey, type HtmlDocument } from '../../../lambdas/core/html/document.js';
import { readFrame, regionMean, type Frame } from '../../helpers/media.js';

const run = promisify(execFile);

/** One line of text in a family, white on transparent: what lower thirds are made of. */
const doc = (family: string): HtmlDocument => ({
  html: `<p style="font-family:'${family}';font-weight:900;font-size:96px;line-height:1;color:#fff;margin:0">Hxgy</p>`,
  css: '',
  width: 480,
  height: 160,
  background: 'transparent',
  position: 'center',
});

/** The bounding box of the pixels more than half opaque. */
function inkBox(f: Frame) {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1; // prettier-ignore
  for (let y = 0; y < f.height; y++)
    for (let x = 0; x < f.width; x++)
      if (f.data[(y * f.width + x) * 4 + 3]! > 128) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
  return { x0, y0, x1, y1 };
}

/** Mean absolute difference of the alpha channels (0–255). */
function alphaDiff(a: Frame, b: Frame): number {
  let sum = 0;
  for (let i = 3; i < a.data.length; i += 4) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / (a.width * a.height);
}

function bytesUnder(dir: string, skip: string[]): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip.includes(e.name)) continue;
    const p = join(dir, e.name);
    n += e.isDirectory() ? bytesUnder(p, []) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

// The layer's binary is built for x86_64 Amazon Linux and needs only glibc beside the libraries it
// inflates (NSS, expat: al2023.tar.br), so it runs on Debian as it is. Skipped only where it cannot
// execute at all.
const runnable = process.arch === 'x64';
if (!runnable)
  console.warn(`chromium-layer.test.ts skipped: the Lambda Chromium is x86_64, this is ${process.arch}`);

describe.runIf(runnable)('the Chromium layer, as a render function in Lambda starts it', () => {
  let dir: string;
  let layer: string;
  let lambda: (...args: string[]) => Promise<{ stdout: string }>;
  let result: {
    executablePath: string;
    args: string[];
    inflateMs: number;
    rasterizeMs: number;
    images: Record<string, string>;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cutline-chromium-layer-'));
    // Copied out of the checkout, as Lambda mounts it at /opt: a package the layer lacks cannot be found
    // in the repository's node_modules above the staged folder.
    layer = join(dir, 'opt');
    cpSync(stageChromiumLayer(), layer, { recursive: true });
    // The function's bundle: every font flat in one folder, as lib/functions.ts copies them to /var/task/fonts.
    const fonts = join(dir, 'task-fonts');
    mkdirSync(fonts);
    cpSync('assets/fonts', fonts, { recursive: true });
    const expo = 'node_modules/@expo-google-fonts';
    for (const pkg of readdirSync(expo))
      for (const sub of readdirSync(join(expo, pkg), { withFileTypes: true }))
        if (sub.isDirectory())
          for (const f of readdirSync(join(expo, pkg, sub.name)))
            if (f.endsWith('.ttf')) cpSync(join(expo, pkg, sub.name, f), join(fonts, f));
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const docs = [doc('Montserrat'), doc('Arapey')];
    lambda = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'test/helpers/lambda-rasterize.ts', ...args], {
        env: {
          PATH: process.env.PATH,
          TMPDIR: tmp,
          HOME: tmp,
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
          CUTLINE_CHROMIUM_LAYER: join(layer, 'nodejs/node_modules'),
          CUTLINE_FONTS_DIR: fonts,
        },
        encoding: 'utf8',
        timeout: 240_000,
        maxBuffer: 1024 * 1024,
      });
    const { stdout } = await lambda(JSON.stringify(docs));
    result = JSON.parse(stdout.trim().split('\n').pop()!);
    console.log(`inflate ${result.inflateMs} ms, two documents drawn in ${result.rasterizeMs} ms`);
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is laid out as Lambda expects, with nothing but what it needs', () => {
    const modules = join(layer, 'nodejs/node_modules');
    expect(readdirSync(join(modules, '@sparticuz/chromium/bin')).sort()).toEqual([
      'al2023.tar.br',
      'chromium.br',
      'swiftshader.tar.br',
    ]);
    expect(existsSync(join(modules, 'playwright-core/index.mjs'))).toBe(true);
    expect(existsSync(join(modules, 'tar-fs/package.json'))).toBe(true);
    // Pruned: playwright-core's typings and web apps are never read to launch a browser; nor Bare's modules.
    expect(existsSync(join(modules, 'playwright-core/types'))).toBe(false);
    expect(readdirSync(modules).filter((m) => m.startsWith('bare-'))).toEqual(['bare-events']);
    expect(readdirSync(layer)).toEqual(['nodejs']);
  });

  it('inflates its own x86_64 binary into /tmp (not a system Chromium) and keeps within the /tmp budget', () => {
    const tmp = join(dir, 'tmp');
    expect(result.executablePath).toBe(join(tmp, 'chromium'));
    const head = readFileSync(result.executablePath).subarray(0, 20);
    expect(head.readUInt32BE(0)).toBe(0x7f454c46);
    expect(head.readUInt16LE(18)).toBe(0x3e); // x86-64
    expect(result.args).toContain('--single-process');
    const used = bytesUnder(tmp, ['cutline-html']);
    expect(used).toBeGreaterThan(150 * 1024 ** 2);
    console.log(`inflated into /tmp: ${(used / 1024 ** 2).toFixed(1)} MiB`);
    expect(used).toBeLessThanOrEqual(CHROMIUM_TMP_BYTES);
  });

  it('draws an html asset to a transparent image of its size with the built-in face the local render uses', async () => {
    const mont = doc('Montserrat');
    const lambda = await readFrame(result.images[htmlKey(mont)]!);
    expect([lambda.width, lambda.height]).toEqual([480, 160]);
    expect(lambda.data[3]).toBe(0); // a corner stays transparent
    const box = inkBox(lambda);
    expect(box.x1 - box.x0).toBeGreaterThan(150);

    // The same documents drawn by this machine's Chromium, as `cutline render` and `npm start` draw them.
    const system = chromiumPath();
    if (!system) throw new Error('no system Chromium to compare with: apt-get install chromium');
    const local = new ChromiumRasterizer({ kind: 'system', path: system }, join(dir, 'local-cache'));
    const arapey = doc('Arapey');
    const unknown = doc('No Such Family');
    const openSans = doc('Open Sans');
    const drawn = await local.rasterize([mont, arapey, unknown, openSans]);
    const [localMont, localArapey, localUnknown, localOpenSans] = await Promise.all(
      [mont, arapey, unknown, openSans].map((d) => readFrame(drawn.get(htmlKey(d))!)),
    );
    const same = alphaDiff(lambda, localMont!);
    const otherFace = alphaDiff(localArapey!, localMont!);
    console.log(
      `alpha difference: Lambda vs local Montserrat ${same.toFixed(2)}, Montserrat vs Arapey ${otherFace.toFixed(2)}`,
    );
    // Same face: the same glyph boxes to a pixel (hinting and antialiasing of two Chromium versions aside).
    const localBox = inkBox(localMont!);
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const)
      expect(Math.abs(box[k] - localBox[k]), k).toBeLessThanOrEqual(2);
    expect(same).toBeLessThan(otherFace / 5);
    // Lambda's Arapey is local's Arapey too, not the Montserrat of the same document.
    const lambdaArapey = await readFrame(result.images[htmlKey(arapey)]!);
    expect(alphaDiff(lambdaArapey, localArapey!)).toBeLessThan(otherFace / 5);
    // No system font answers: a family that is not built in draws as Open Sans, pixel for pixel.
    expect(alphaDiff(localUnknown!, localOpenSans!)).toBe(0);
  });

  it('renders an edit with an html clip through the whole engine, composited where the clip sits', async () => {
    const out = join(dir, 'html.mp4');
    await lambda(
      'render',
      JSON.stringify({
        timeline: {
          background: '#000000',
          tracks: [
            {
              clips: [
                {
                  asset: {
                    type: 'html',
                    html: '<div style="width:160px;height:90px;background:#ff0000"></div>',
                    width: 320,
                    height: 180,
                  },
                  start: 0,
                  length: 1,
                },
              ],
            },
          ],
        },
        output: { format: 'mp4', size: { width: 320, height: 180 } },
      }),
      out,
    );
    const f = await readFrame(out, 0.5);
    const [r, g, b] = regionMean(f, 0.4, 0.4, 0.6, 0.6);
    expect(r).toBeGreaterThan(180);
    expect(Math.max(g, b)).toBeLessThan(70);
    const corner = regionMean(f, 0, 0, 0.15, 0.15);
    expect(Math.max(...corner.slice(0, 3))).toBeLessThan(30);
  });
});
