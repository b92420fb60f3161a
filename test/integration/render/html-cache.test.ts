import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSource } from '../../../lambdas/core/html/browser.js';
import { htmlDocument, htmlKey } from '../../../lambdas/core/html/document.js';
import { fontLinks } from '../../../lambdas/core/html/fontconfig.js';
import { ChromiumRasterizer, drawerId } from '../../../lambdas/core/html/rasterize.js';
import { litBox, readFrame } from '../../helpers/media.js';

// The drawing cache is shared by every process on the machine (chunks, tests, other installs): its font
// setup is built aside and renamed in, and what drew an image is part of its name.
let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'cutline-html-cache-'));
});
afterAll(() => rm(cacheDir, { recursive: true, force: true }));

describe('the html drawing cache', () => {
  it('rasterizers starting at once on an empty cache all draw their text with the built-in faces', async () => {
    const source = browserSource();
    if (source.kind === 'none') throw new Error(`this test needs Chromium: ${source.why}`);
    const docs = [0, 1, 2].map((i) =>
      htmlDocument(
        { type: 'html', html: `<p>MMMM ${i}</p>`, css: 'p { color: #ffffff; font-size: 48px; }' },
        { width: 320, height: 120 },
      ),
    );
    const drawn = await Promise.all(docs.map((d) => new ChromiumRasterizer(source, cacheDir).rasterize([d])));
    for (const [i, images] of drawn.entries()) {
      const png = images.get(htmlKey(docs[i]!))!;
      expect(litBox(await readFrame(png)), `document ${i}`).not.toBeNull();
    }
    // One font setup, complete; nothing half-built left behind.
    const entries = await readdir(cacheDir);
    expect(entries.filter((e) => e.startsWith('fontconfig-'))).toHaveLength(1);
    expect(entries.filter((e) => e.endsWith('.tmp'))).toEqual([]);
  });

  it('names what drew: another browser or another set of font files is another id', () => {
    const links = fontLinks(['/a/OpenSans-Regular.ttf', '/a/Roboto-Regular.ttf']);
    const system = { kind: 'system', path: '/usr/bin/chromium' } as const;
    expect(drawerId(system, links)).toBe(
      drawerId(system, fontLinks(['/a/OpenSans-Regular.ttf', '/a/Roboto-Regular.ttf'])),
    );
    expect(drawerId(system, links)).not.toBe(
      drawerId(system, fontLinks(['/b/OpenSans-Regular.ttf', '/a/Roboto-Regular.ttf'])),
    );
    expect(drawerId(system, links)).not.toBe(
      drawerId({ kind: 'lambda-layer', modules: '/opt/nodejs' }, links),
    );
  });
});
