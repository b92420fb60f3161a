/**
 * Draws html documents the way a render function in Lambda does: run in a child process whose environment
 * is the function's (CUTLINE_CHROMIUM_LAYER, CUTLINE_FONTS_DIR, AWS_EXECUTION_ENV, a private TMPDIR), so
 * @sparticuz/chromium inflates its binary there. Prints one JSON line: the launch and the image paths.
 * Usage: tsx test/helpers/lambda-rasterize.ts '<HtmlDocument[] as JSON>'
 *        tsx test/helpers/lambda-rasterize.ts render '<edit as JSON>' <output file>   (the whole render)
 */
import { browserLaunch, browserSource } from '../../lambdas/core/html/browser.js';
import type { HtmlDocument } from '../../lambdas/core/html/document.js';
import { htmlRasterizer } from '../../lambdas/core/html/rasterize.js';
import { renderEdit } from './fixtures.js';

if (process.argv[2] === 'render') {
  await renderEdit(JSON.parse(process.argv[3]!), process.argv[4]!);
  process.exit(0);
}
const docs = JSON.parse(process.argv[2]!) as HtmlDocument[];
const source = browserSource();
if (source.kind !== 'lambda-layer')
  throw new Error(`expected the Chromium layer, got ${JSON.stringify(source)}`);
const t0 = Date.now();
const launch = await browserLaunch(source);
const inflateMs = Date.now() - t0;
const t1 = Date.now();
const images = await htmlRasterizer().rasterize(docs);
const rasterizeMs = Date.now() - t1;
console.log(
  JSON.stringify({
    executablePath: launch.executablePath,
    args: launch.args,
    inflateMs,
    rasterizeMs,
    images: Object.fromEntries(images),
  }),
);
