import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { htmlUnavailable } from '../../../lambdas/core/html/rasterize.js';
import { imageFixture, renderEdit } from '../../helpers/fixtures.js';
import { readFrame, regionMean } from '../../helpers/media.js';

// The html asset drawn by the real Chromium (Debian's, through playwright-core), composited like an image.
let dir: string;
const size = { width: 320, height: 180 };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-html-'));
  await imageFixture('blue');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const edit = (html: Record<string, unknown>, clip: Record<string, unknown> = {}, below?: unknown) => ({
  timeline: {
    background: '#000000',
    tracks: [
      { clips: [{ asset: { type: 'html', ...html }, start: 0, length: 1, ...clip }] },
      ...(below ? [{ clips: [below] }] : []),
    ],
  },
  output: { format: 'mp4', size },
});
const red = ([r, g, b]: number[]) => r! > 180 && g! < 70 && b! < 70;
const blue = ([r, g, b]: number[]) => r! < 70 && g! < 70 && b! > 180;
const black = ([r, g, b]: number[]) => r! < 30 && g! < 30 && b! < 30;

describe('html asset', () => {
  it('draws HTML and CSS in its area, transparent where the page draws nothing, placed by position', async () => {
    const out = join(dir, 'lower-third.mp4');
    await renderEdit(
      edit(
        {
          html: '<div class="bar"></div>',
          css: '.bar { width: 160px; height: 45px; background: #ff0000; }',
          width: 320,
          height: 90,
          position: 'left',
        },
        { position: 'bottom' },
        { asset: { type: 'image', src: 'image-blue.png' }, start: 0, length: 1, fit: 'cover' },
      ),
      out,
    );
    const f = await readFrame(out, 0.5);
    // The 320×90 area sits at the bottom; the 160×45 bar in the middle of its left half.
    expect(red(regionMean(f, 0.05, 0.65, 0.45, 0.8))).toBe(true);
    // Transparent around it: the blue image below shows through, above and to the right.
    expect(blue(regionMean(f, 0.6, 0.65, 0.95, 0.8))).toBe(true);
    expect(blue(regionMean(f, 0.2, 0.1, 0.8, 0.4))).toBe(true);
  });

  it('renders text with the browser’s fonts', async () => {
    const out = join(dir, 'text.mp4');
    await renderEdit(
      edit({ html: '<p>HELLO</p>', css: 'p { color: #ffffff; font: bold 60px sans-serif; margin: 0 }' }),
      out,
    );
    const f = await readFrame(out, 0.5);
    const [r, g, b] = regionMean(f, 0.25, 0.35, 0.75, 0.65);
    // White letters over black: the middle is partly lit, the corners dark.
    expect(r! + g! + b!).toBeGreaterThan(60);
    expect(black(regionMean(f, 0, 0, 0.15, 0.2))).toBe(true);
  });

  it('loads nothing from the network', async () => {
    let hits = 0;
    const server = createServer((_, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await renderEdit(
        edit({
          html: `<img src="http://127.0.0.1:${port}/a.png"><link rel="stylesheet" href="http://127.0.0.1:${port}/b.css"><iframe src="http://127.0.0.1:${port}/c"></iframe><script>fetch('http://127.0.0.1:${port}/d')</script>`,
          css: `body { background-image: url(http://127.0.0.1:${port}/e.png) } @import url(http://127.0.0.1:${port}/f.css);`,
        }),
        join(dir, 'net.mp4'),
      );
      expect(hits).toBe(0);
      // And no broken-image icon where the image would have been: the frame stays black.
      const f = await readFrame(join(dir, 'net.mp4'), 0.5);
      expect(black(regionMean(f, 0, 0, 1, 1))).toBe(true);
    } finally {
      server.close();
    }
  });

  it('is refused at submit where no browser can draw it', () => {
    expect(htmlUnavailable({ CUTLINE_TABLE_NAME: 't' })).toMatch(/Chromium/);
    expect(htmlUnavailable({ CUTLINE_TABLE_NAME: 't', CUTLINE_HTML_RENDERER: 'chromium' })).toBeUndefined();
    expect(htmlUnavailable({ CUTLINE_CHROMIUM: '/nonexistent/chromium' })).toMatch(/CUTLINE_CHROMIUM/);
    const saved = process.env.CUTLINE_CHROMIUM;
    process.env.CUTLINE_CHROMIUM = '/nonexistent/chromium';
    try {
      expect(() => parseEdit(edit({ html: '<p>x</p>' }))).toThrow(
        /timeline\.tracks\[0\]\.clips\[0\]\.asset: html, svg and shape assets are drawn by Chromium/,
      );
    } finally {
      if (saved === undefined) delete process.env.CUTLINE_CHROMIUM;
      else process.env.CUTLINE_CHROMIUM = saved;
    }
  });
});
