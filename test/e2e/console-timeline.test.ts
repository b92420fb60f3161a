/**
 * The console's timeline and frame preview, end to end: Debian's Chromium (playwright-core) against the
 * real local platform. The preview frames are read back as pixels from the page. Screenshots land in
 * test-results/console/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import { colorVideoFixture, videoFixture } from '../helpers/fixtures.js';
import { expectAccessible } from '../helpers/console-checks.js';
import { api, fixtureUrl, startTestPlatform, waitForJob } from '../helpers/platform.js';

const CHROMIUM = process.env.CUTLINE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = resolve('test-results/console');

let platform: LocalPlatform;
let browser: Browser;
let page: Page;

/** Red from 0 to 2 s, then blue from 2 to 4 s; a crossfade marked on the blue clip. */
const edit = () => ({
  timeline: {
    tracks: [
      {
        clips: [
          { asset: { type: 'video', src: fixtureUrl('color-red-3.mp4') }, start: 0, length: 2 },
          {
            asset: { type: 'video', src: fixtureUrl('color-blue-3.mp4') },
            start: 2,
            length: 2,
            transition: { in: 'fade' },
          },
        ],
      },
    ],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 } },
});

/** Mean RGB of the middle of the preview image, read from the page through a canvas. */
const frameColour = (p = page) =>
  p.locator('img.tl-frame').evaluate((img: HTMLImageElement) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(c.width * 0.4, c.height * 0.4, c.width * 0.2, c.height * 0.2).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k]! += d[i + k]!;
    return sum.map((s) => s / (d.length / 4));
  });

/** Waits until the preview shows the frame at `at` seconds (its alt text says which). */
const previewAt = (at: number, p = page) =>
  p.locator(`img.tl-frame[data-at="${at}"]`).waitFor({ timeout: 30_000 });

const editJson = (p = page) => p.getByLabel('Edit (JSON', { exact: false }).inputValue().then(JSON.parse);

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium, or set CUTLINE_CHROMIUM`);
  await mkdir(SHOTS, { recursive: true });
  await Promise.all([colorVideoFixture('red'), colorVideoFixture('blue'), videoFixture()]);
  platform = await startTestPlatform();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (err) => console.error('page error:', err));
  await page.goto(platform.url);
  await page.evaluate((k) => sessionStorage.setItem('cutline.apiKey', k), platform.apiKey);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

describe('console timeline and preview', () => {
  it('draws the edit as tracks of bars, shows the estimate, and previews the frame at the playhead', async () => {
    await page.goto(`${platform.url}/#/submit`);
    await page.getByLabel('Edit (JSON', { exact: false }).fill(JSON.stringify(edit(), null, 2));
    await page.getByText('About', { exact: false }).waitFor();
    expect(await page.locator('.validation').textContent()).toMatch(
      /Valid edit — 2 sources.*About [\d.]+ s to render \(1 chunk on lambda\)/,
    );
    const bars = page.locator('.tl-clip');
    await expect.poll(() => bars.count()).toBe(2);
    expect(await bars.nth(1).getAttribute('aria-label')).toBe(
      'Track 1, clip 2: video: color-blue-3.mp4, start 2 s, length 2 s',
    );
    expect(await page.locator('.tl-clip .tl-tr-in').count()).toBe(1);
    // The second bar starts half way along the lane.
    const [lane, blue] = await Promise.all([
      page.locator('.tl-lane').first().boundingBox(),
      bars.nth(1).boundingBox(),
    ]);
    expect((blue!.x - lane!.x) / lane!.width).toBeCloseTo(0.5, 1);

    await previewAt(0);
    const [r0, , b0] = await frameColour();
    expect(r0).toBeGreaterThan(200);
    expect(b0).toBeLessThan(60);
    await page.getByLabel('Playhead').fill('3');
    await previewAt(3);
    const [r3, , b3] = await frameColour();
    expect(b3).toBeGreaterThan(200);
    expect(r3).toBeLessThan(60);
    await page.screenshot({ path: join(SHOTS, '11-timeline-preview.png'), fullPage: true });
    await expectAccessible(page, 'editor with timeline');
  });

  it('trimming by drag and moving by keyboard change the JSON, and the preview follows', async () => {
    // Drag the red clip's right edge from 2 s to about 3.5 s: the red clip now covers the playhead (3 s).
    const red = page.locator('.tl-clip').first();
    const handle = red.locator('.tl-handle');
    const lane = (await page.locator('.tl-lane').first().boundingBox())!;
    const h = (await handle.boundingBox())!;
    await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await page.mouse.down();
    await page.mouse.move(h.x + h.width / 2 + lane.width * 0.375, h.y + h.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(async () => (await editJson()).timeline.tracks[0].clips[0].length).toBeGreaterThan(3);
    const trimmed = (await editJson()).timeline.tracks[0].clips[0].length;
    expect(trimmed).toBeLessThan(4);

    // Keyboard: the blue clip moves right by 0.1 s per arrow press, 1 s with Shift; Alt trims.
    const blue = page.locator('.tl-clip').nth(1);
    await blue.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(async () => (await editJson()).timeline.tracks[0].clips[1].start).toBeCloseTo(3.1, 5);
    await page.keyboard.press('Alt+ArrowLeft');
    await expect.poll(async () => (await editJson()).timeline.tracks[0].clips[1].length).toBeCloseTo(1.9, 5);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('tl-clip'))).toBe(true);
    // Blue now starts at 3.1 s: at 2.88 s only the red clip (its source is 3 s long) is there.
    await page.getByLabel('Playhead').fill('2.88');
    await previewAt(2.88);
    const [r, , b] = await frameColour();
    expect(r).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
  });

  it('selecting a clip opens its properties; a change there goes into the JSON and the preview', async () => {
    await page.locator('.tl-clip').nth(1).click();
    await page.getByRole('heading', { name: 'Track 1, clip 2 (video)' }).waitFor();
    const start = page.getByLabel('start', { exact: true });
    await start.fill('0');
    await start.press('Enter');
    await start.blur();
    await expect.poll(async () => (await editJson()).timeline.tracks[0].clips[1].start).toBe(0);
    // What the console shows is the server's own frame for the JSON it now holds.
    await page.getByLabel('Playhead').fill('0.52');
    await previewAt(0.52);
    const shown = await frameColour();
    const res = await fetch(`${platform.url}/v1/preview`, {
      method: 'POST',
      headers: { 'x-api-key': platform.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ edit: await editJson(), at: 0.52, width: 320 }),
    });
    const direct = (await res.json()) as { image: string };
    const same = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/jpeg;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(c.width * 0.4, c.height * 0.4, c.width * 0.2, c.height * 0.2).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k]! += d[i + k]!;
      return sum.map((s) => s / (d.length / 4));
    }, direct.image);
    for (let k = 0; k < 3; k++) expect(Math.abs(shown[k]! - same[k]!)).toBeLessThan(16);
    await page.screenshot({ path: join(SHOTS, '12-timeline-properties.png'), fullPage: true });
    await expectAccessible(page, 'timeline clip properties');
  });
});

describe('console job page', () => {
  it('plays videos with their poster, shows manifest.json as JSON, downloads as attachments, renders again', async () => {
    const call = api(platform);
    const res = await call('POST', '/v1/clips', {
      src: fixtureUrl('video.mp4'),
      clips: [{ start: 0, end: 1, title: 'first' }],
      aspectRatios: ['9:16', '1:1'],
      output: { resolution: 'preview' },
    });
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.status).toBe('SUCCEEDED');
    await page.goto(`${platform.url}/#/jobs/${job.id}`);
    // The outputs list (the clip grid above it shows the same clips again).
    const videos = page.locator('section[aria-labelledby="outputs-h"] figure.output-video video');
    await expect.poll(() => videos.count()).toBe(2);
    for (const v of await videos.all()) expect(await v.getAttribute('poster')).toMatch(/poster\.jpg/);
    // No broken image for the manifest: it opens as JSON.
    const details = page.locator('details', { hasText: 'Show manifest.json' });
    await details.locator('summary').click();
    await expect.poll(() => details.locator('pre').textContent()).toContain('clip-01-9x16');
    expect(await page.locator('figure.output-manifest img').count()).toBe(0);
    // The download link answers as an attachment named after the job and the file.
    const href = await page
      .locator('section[aria-labelledby="outputs-h"] figure.output-video a.download')
      .first()
      .getAttribute('href');
    const got = await fetch(href!);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="${job.id.slice(0, 8)}-[\\w.-]+\\.mp4"`),
    );
    await page.screenshot({ path: join(SHOTS, '13-job-clips.png'), fullPage: true });
    await expectAccessible(page, 'job page with outputs');
    // A clips job renders again (it is no edit: nothing to open in the editor).
    expect(await page.getByRole('button', { name: 'Open in editor' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Render again' }).click();
    await page.waitForURL((u) => /#\/jobs\/[\w-]+$/.test(u.hash) && !u.hash.endsWith(job.id));
    const again = /#\/jobs\/([\w-]+)/.exec(page.url())![1]!;
    const second = (await call('GET', `/v1/renders/${again}`)).body;
    expect(second.type).toBe('clips');
    expect(second.request).toEqual(job.request);
    await call('POST', `/v1/renders/${again}/cancel`);
  }, 300_000);

  it('opens a finished render in the editor with what was submitted', async () => {
    const call = api(platform);
    const submitted = edit();
    const res = await call('POST', '/v1/renders', submitted);
    const { job } = await waitForJob(call, res.body.id);
    await page.goto(`${platform.url}/#/jobs/${job.id}`);
    await page.getByRole('button', { name: 'Open in editor' }).click();
    // The earlier tests changed the draft: the console asks before replacing it.
    await page
      .getByRole('dialog', { name: 'Replace your draft?' })
      .getByRole('button', { name: 'Replace with this job’s edit' })
      .click();
    await page.getByRole('heading', { name: 'New render' }).waitFor();
    expect(await editJson()).toEqual(submitted);
    await page.locator('.tl-clip').first().waitFor();
  });
});
