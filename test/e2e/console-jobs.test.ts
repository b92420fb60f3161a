/**
 * The console's job screens, end to end: Debian's Chromium (playwright-core) against the real local
 * platform. Each flow builds a request in the form (validated live by the API), submits it, watches the
 * job finish, and plays and downloads a result. Screenshots land in test-results/console/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import {
  captionsFixture,
  colorVideoFixture,
  imageFixture,
  toneFixture,
  videoFixture,
} from '../helpers/fixtures.js';
import { expectAccessible, expectNoSideScroll } from '../helpers/console-checks.js';
import { fixtureUrl, startTestPlatform } from '../helpers/platform.js';

const CHROMIUM = process.env.CUTLINE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = resolve('test-results/console');

let platform: LocalPlatform;
let browser: Browser;
let page: Page;
const nativeDialogs: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** Waits for the job page to show `status` (its live status badge). */
const waitForStatus = (status: string) =>
  page.locator('.job-status .badge', { hasText: status }).waitFor({ timeout: 110_000 });

/** Uploads `file` through a src field's upload control; resolves to the src it filled in. */
async function upload(label: string, file: string) {
  await page.getByLabel(`or upload a file for ${label.toLowerCase()}`).setInputFiles(file);
  const box = page.getByLabel(label, { exact: true });
  await page.getByRole('button', { name: `Upload ${label.toLowerCase()}`, exact: true }).click();
  await expect.poll(() => box.inputValue(), { timeout: 30_000 }).toMatch(/^inputs\//);
  return box.inputValue();
}

/** Every visible control has a label (its own, an aria-label, or a button's text). */
async function allLabelled(where: string) {
  const unlabelled = await page.$$eval('input, select, textarea, button', (els) =>
    els
      .filter((e) => (e as HTMLElement).offsetParent !== null)
      .filter((e) => {
        const el = e as HTMLInputElement;
        return !(
          el.labels?.length ||
          el.getAttribute('aria-label') ||
          (e.tagName === 'BUTTON' && e.textContent?.trim())
        );
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  expect(unlabelled, where).toEqual([]);
}

/** At phone width (375 px) the page has no sideways scroll (long srcs and paths wrap); back to the desktop size after. */
async function fitsPhone(name: string) {
  await page.setViewportSize({ width: 375, height: 800 });
  try {
    await expectNoSideScroll(page, name);
    await shot(name);
  } finally {
    await page.setViewportSize({ width: 1280, height: 1000 });
  }
}

/** Plays the first video matching `selector`: it decodes and its time advances. */
async function plays(selector: string) {
  const media = await page
    .locator(selector)
    .first()
    .evaluate(async (v: HTMLVideoElement) => {
      v.muted = true;
      // Until the playhead has moved (an event, not a fixed sleep: the machine may be busy).
      const moved = new Promise((r) => {
        const on = () => v.currentTime > 0.1 && (v.removeEventListener('timeupdate', on), r(null));
        v.addEventListener('timeupdate', on);
      });
      await v.play();
      await Promise.race([moved, new Promise((r) => setTimeout(r, 10_000))]);
      v.pause();
      return {
        error: v.error?.message,
        currentTime: v.currentTime,
        width: v.videoWidth,
        height: v.videoHeight,
      };
    });
  expect(media.error).toBeUndefined();
  expect(media.currentTime).toBeGreaterThan(0.1);
  return media;
}

/** Fetches a download link: the file itself, sent as an attachment. */
async function download(selector: string) {
  const href = await page.locator(selector).first().getAttribute('href');
  const res = await fetch(href!);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium, or set CUTLINE_CHROMIUM`);
  await mkdir(SHOTS, { recursive: true });
  await Promise.all([
    videoFixture(),
    colorVideoFixture('red', 2),
    colorVideoFixture('blue', 2),
    toneFixture(3),
    imageFixture('green'),
    captionsFixture(),
  ]);
  platform = await startTestPlatform();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (err) => console.error('page error:', err));
  // Confirmations are the console's own <dialog>: a native one would be a regression.
  page.on('dialog', (d) => void (nativeDialogs.push(d.message()), d.dismiss()));
  await page.goto(platform.url);
  await page.evaluate((k) => sessionStorage.setItem('cutline.apiKey', k), platform.apiKey);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

describe('console job screens', () => {
  it('clips: upload a source, explicit ranges, two ratios; a grid of clips per ratio to play and download', async () => {
    await page.goto(`${platform.url}/#/clips`);
    await page.getByRole('heading', { name: 'New clips' }).waitFor();
    // This machine transcribes (pocketsphinx, as CI installs it): the option is offered, not marked unavailable.
    await page.locator('select[data-transcription="available"]').waitFor();
    expect(await page.locator('option[value="transcribe"]').textContent()).toBe('Transcribe the speech');
    expect(await page.locator('option[value="transcribe"]').isDisabled()).toBe(false);

    const src = await upload('Source video', await videoFixture());
    // A range that ends before it starts is refused at its JSON path; the path button focuses the field.
    await page.getByLabel('Start (s), clip 1').fill('2');
    await page.getByLabel('End (s), clip 1').fill('1');
    const path = page.locator('.problems button.path', { hasText: 'clips[0].end' });
    await path.waitFor();
    await shot('21-clips-invalid');
    await path.click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-path'))).toBe('clips[0].end');

    await page.getByLabel('End (s), clip 1').fill('3');
    await page.getByRole('button', { name: 'Add a clip' }).click();
    await page.getByLabel('Start (s), clip 2').fill('0');
    await page.getByLabel('End (s), clip 2').fill('1');
    await page.getByLabel('Title, clip 2').fill('Opening');
    await page.getByRole('button', { name: 'Remove clip 1' }).click();
    await page.getByLabel('1:1').check();
    // Captions from a file, in a style previewed as a frame drawn by the server's compiler.
    await page.getByLabel('Captions', { exact: true }).selectOption('file');
    await page
      .getByLabel('Caption file (SRT, VTT or transcript JSON)', { exact: true })
      .fill(fixtureUrl('captions.srt'));
    await page.getByLabel('Caption style').selectOption('boldOutline');
    await page.getByRole('button', { name: 'Preview the caption style' }).click();
    const frame = page.locator('img.caption-frame[data-at="1"][data-style="boldOutline"]');
    await frame.waitFor({ timeout: 30_000 });
    const size = await frame.evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight]);
    expect(size[1]).toBeGreaterThan(size[0]!); // 9:16, the first ratio chosen
    await page.getByText('Valid clips request — 2 sources', { exact: false }).waitFor();
    const sent = JSON.parse((await page.locator('.request-json').textContent())!);
    expect(sent).toEqual({
      src,
      mode: 'manual',
      clips: [{ start: 0, end: 1, title: 'Opening' }],
      aspectRatios: ['9:16', '1:1'],
      reframe: { mode: 'center' },
      fit: 'crop',
      captions: { src: fixtureUrl('captions.srt'), style: 'boldOutline' },
      output: { resolution: 'preview' },
    });
    await shot('22-clips-form');
    await allLabelled('22-clips-form');
    await expectAccessible(page, '22-clips-form');
    await fitsPhone('22-clips-form-phone');

    await page.getByRole('button', { name: 'Make clips' }).click();
    await page.waitForURL(/#\/jobs\/[\w-]+$/);
    await waitForStatus('SUCCEEDED');
    const grid = page.locator('section[aria-label="clips 9:16"] figure.clip-card');
    await grid.first().waitFor();
    expect(await page.locator('section[aria-label="clips 1:1"] figure.clip-card').count()).toBe(1);
    expect(await grid.count()).toBe(1);
    expect(await grid.first().textContent()).toContain('Opening');
    expect(await grid.first().textContent()).toContain('Chosen by you');
    expect(await grid.first().locator('video').getAttribute('poster')).toBeTruthy();
    const v = await plays('section[aria-label="clips 9:16"] video');
    expect(v.height).toBeGreaterThan(v.width);
    const square = await plays('section[aria-label="clips 1:1"] video');
    expect(square.height).toBe(square.width);
    expect((await download('section[aria-label="clips 1:1"] a.download')).length).toBeGreaterThan(1000);
    await shot('23-clips-results');
    await expectAccessible(page, 'clips job page');

    // Auto mode picks the moments itself: each clip shows its score and the reason it was chosen.
    await page.goto(`${platform.url}/#/clips`);
    await page.getByLabel('Source video', { exact: true }).fill(src);
    await page.getByLabel('Which parts').selectOption('auto');
    await page.getByLabel('How many clips').fill('1');
    await page.getByLabel('Length of each clip (s)').fill('1');
    await page.getByLabel('9:16', { exact: true }).uncheck();
    await page.getByLabel('16:9', { exact: true }).check();
    await page.getByText('Valid clips request — 1 source', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Make clips' }).click();
    await page.waitForURL(/#\/jobs\/[\w-]+$/);
    await waitForStatus('SUCCEEDED');
    const auto = page.locator('section[aria-label="clips 16:9"] figure.clip-card');
    await auto.first().waitFor();
    expect(await auto.count()).toBe(1);
    expect(await auto.locator('.clip-score').textContent()).toMatch(/^Score \d+\.\d\d — \S/);
  });

  it('mixes: groups added, reordered (buttons and keyboard) and removed; variations with the sources each used', async () => {
    await page.goto(`${platform.url}/#/mixes`);
    await page.getByRole('heading', { name: 'New mix' }).waitFor();
    await page.getByLabel('Source, group 1 clip 1', { exact: true }).fill(fixtureUrl('color-red-2.mp4'));
    await page.getByLabel('Length (s), group 1 clip 1').fill('1');
    await page.getByRole('button', { name: 'Add a clip to group 1' }).click();
    await page.getByLabel('Source, group 1 clip 2', { exact: true }).fill(fixtureUrl('color-blue-2.mp4'));
    await page.getByLabel('Length (s), group 1 clip 2').fill('1');
    await page.getByLabel('Source, group 2 clip 1', { exact: true }).fill(fixtureUrl('video.mp4'));
    await page.getByLabel('Trim (s), group 2 clip 1').fill('1');
    await page.getByLabel('Length (s), group 2 clip 1').fill('1');

    // A third group: moved up by its button, up again by keyboard, then removed.
    await page.getByRole('button', { name: 'Add a group' }).click();
    await page.getByLabel('Name, group 3').fill('middle');
    await page.getByLabel('Source, group 3 clip 1', { exact: true }).fill(fixtureUrl('video.mp4'));
    await page.getByRole('button', { name: 'Move group 3 up' }).click();
    const names = async () =>
      JSON.parse((await page.locator('.request-json').textContent())!).groups.map(
        (g: { name: string }) => g.name,
      );
    await expect.poll(names).toEqual(['intro', 'middle', 'outro']);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-path'))).toBe('groups[1]');
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(names).toEqual(['middle', 'intro', 'outro']);
    await page.getByRole('button', { name: 'Remove group 1' }).click();
    await expect.poll(names).toEqual(['intro', 'outro']);

    // Three variations of 2 × 1 clips are refused at count; two are fine.
    await page.getByLabel('Variations', { exact: true }).fill('3');
    await page.locator('.problems', { hasText: 'only 2 unique combinations' }).waitFor();
    await page.getByLabel('Variations', { exact: true }).fill('2');
    await page.getByLabel('Seed').fill('7');
    await page.getByLabel('Crossfade between clips (s)').fill('0.3');
    await page.getByLabel('Soundtrack', { exact: true }).fill(fixtureUrl('tone-330-3.wav'));
    await page.getByText('Valid mix — 4 sources', { exact: false }).waitFor();
    expect(JSON.parse((await page.locator('.request-json').textContent())!)).toEqual({
      groups: [
        {
          name: 'intro',
          clips: [
            { src: fixtureUrl('color-red-2.mp4'), length: 1 },
            { src: fixtureUrl('color-blue-2.mp4'), length: 1 },
          ],
        },
        { name: 'outro', clips: [{ src: fixtureUrl('video.mp4'), trim: 1, length: 1 }] },
      ],
      mode: 'auto',
      count: 2,
      seed: 7,
      crossfade: 0.3,
      soundtrack: { src: fixtureUrl('tone-330-3.wav') },
      output: { resolution: 'preview', aspectRatio: '16:9' },
    });
    await shot('24-mix-form');
    await allLabelled('24-mix-form');
    await expectAccessible(page, '24-mix-form');
    await fitsPhone('24-mix-form-phone');

    await page.getByRole('button', { name: 'Make the mix' }).click();
    await page.waitForURL(/#\/jobs\/[\w-]+$/);
    await waitForStatus('SUCCEEDED');
    const cards = page.locator('figure.variation-card');
    await cards.nth(1).waitFor();
    expect(await cards.count()).toBe(2);
    const used = await page.$$eval('figure.variation-card ol.variation-sources', (ols) =>
      ols.map((ol) => [...ol.querySelectorAll('li')].map((li) => li.textContent)),
    );
    // Each variation: one intro clip (red or blue, 1 s) then the outro; together both intro clips.
    for (const v of used) expect(v[1]).toBe('outro: video.mp4 from 1.00 s for 1.00 s');
    expect(used.map((v) => v[0]).sort()).toEqual([
      'intro: color-blue-2.mp4 for 1.00 s',
      'intro: color-red-2.mp4 for 1.00 s',
    ]);
    expect(await cards.first().textContent()).toContain('1.70 s');
    await plays('figure.variation-card video');
    expect((await download('figure.variation-card a.download')).length).toBeGreaterThan(1000);
    await shot('25-mix-results');
    await expectAccessible(page, 'mix job page');
  });

  it('projects: create, add/replace/reorder/remove scenes, AI refused with the API message, compose, the final video', async () => {
    await page.goto(`${platform.url}/#/projects`);
    await page.getByText('No projects yet', { exact: false }).waitFor();
    const create = page.getByRole('region', { name: 'New project' });
    await create.getByLabel('Name', { exact: true }).fill('Trailer');
    await create.getByLabel('Mode').selectOption('music-video');
    await create.getByLabel('Subject').fill('a red fox');
    await create.getByLabel('Backing track', { exact: true }).fill(fixtureUrl('tone-330-3.wav'));
    await create.getByRole('button', { name: 'Add a reference image' }).click();
    await create.getByLabel('Reference image 1', { exact: true }).fill(fixtureUrl('image-green.png'));
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/#\/projects\/[\w-]+$/);
    await page.getByRole('heading', { name: 'Trailer' }).waitFor();
    await page.getByText('no final video yet: the project was never composed', { exact: false }).waitFor();

    // Planning: prompts need an LLM this deployment lacks (the API's message shows); cuts alone work.
    await page.getByRole('button', { name: 'Plan the scenes' }).click();
    await page.locator('.plan-result .validation-title', { hasText: 'NOT_SUPPORTED' }).waitFor();
    await page.getByLabel('Write each scene’s prompt with AI').uncheck();
    await page.getByLabel('How many scenes to plan').fill('3');
    await page.getByRole('button', { name: 'Plan the scenes' }).click();
    await page.locator('.plan-result .good').waitFor();
    expect(await page.locator('ol.plan-scenes li').count()).toBe(3);

    const add = page.getByRole('region', { name: 'Add a scene' });
    const scenes = page.locator('ol.scenes > li');
    const addScene = async (source: string, fill: Record<string, string>) => {
      const before = await scenes.count();
      await add.getByLabel('Scene source').selectOption(source);
      for (const [label, value] of Object.entries(fill))
        await add.getByLabel(label, { exact: true }).fill(value);
      await add.getByRole('button', { name: 'Add the scene' }).click();
      await expect.poll(() => scenes.count()).toBe(before + 1);
    };
    await addScene('title', { Text: 'One', 'Length (s)': '1' });
    await addScene('title', { Text: 'Two' });
    await addScene('upload', { Media: fixtureUrl('color-red-2.mp4'), 'Length (s)': '1' });
    // Generation needs a provider this deployment lacks: the API's message shows, at the source field.
    await add.getByLabel('Scene source').selectOption('generate');
    await add.getByLabel('Prompt', { exact: true }).fill('a fox running through snow');
    await add.getByRole('button', { name: 'Add the scene' }).click();
    await add.locator('.problems', { hasText: 'source' }).waitFor();
    expect(await add.locator('.validation-title').textContent()).toContain('NOT_SUPPORTED');
    expect(await scenes.count()).toBe(3);
    await shot('26-project-scenes');

    const order = () =>
      scenes.evaluateAll((li) => li.map((x) => x.getAttribute('aria-label')!.split(',')[0]));
    await page.getByRole('button', { name: 'Move scene 3 up' }).click();
    await expect
      .poll(order)
      .toEqual(['Scene 1: title “One”', 'Scene 2: upload color-red-2.mp4', 'Scene 3: title “Two”']);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(
      /^Scene 2:/,
    );
    await page.keyboard.press('Alt+ArrowUp');
    await expect
      .poll(order)
      .toEqual(['Scene 1: upload color-red-2.mp4', 'Scene 2: title “One”', 'Scene 3: title “Two”']);
    // Dragging scene 3 onto scene 1 puts it first; dragging it back restores the order.
    await scenes.nth(2).dragTo(scenes.nth(0));
    await expect
      .poll(order)
      .toEqual(['Scene 1: title “Two”', 'Scene 2: upload color-red-2.mp4', 'Scene 3: title “One”']);
    await scenes.nth(0).dragTo(scenes.nth(2));
    await expect
      .poll(order)
      .toEqual(['Scene 1: upload color-red-2.mp4', 'Scene 2: title “One”', 'Scene 3: title “Two”']);
    await page.getByRole('button', { name: 'Replace scene 3' }).click();
    const replaceForm = page.getByRole('region', { name: 'Replace scene 3' });
    await replaceForm.getByLabel('Text', { exact: true }).fill('Three');
    await replaceForm.getByLabel('Length (s)').fill('1');
    await replaceForm.getByRole('button', { name: 'Replace scene 3' }).click();
    await expect
      .poll(order)
      .toEqual(['Scene 1: upload color-red-2.mp4', 'Scene 2: title “One”', 'Scene 3: title “Three”']);
    await addScene('title', { Text: 'Extra' });
    await page.getByRole('button', { name: 'Remove scene 4' }).click();
    const ask = page.getByRole('dialog', { name: 'Remove scene 4?' });
    await ask.waitFor();
    // Until confirmed, nothing is removed.
    expect(await scenes.count()).toBe(4);
    await ask.getByRole('button', { name: 'Remove scene 4' }).click();
    await expect.poll(() => scenes.count()).toBe(3);
    expect(await scenes.first().textContent()).toContain('attempts 0');
    expect(nativeDialogs).toEqual([]);

    await page.getByRole('button', { name: 'Compose', exact: true }).click();
    const final = page.locator('figure.final-video');
    await final.waitFor({ timeout: 110_000 });
    await page.locator('dl.facts .badge', { hasText: 'composed' }).waitFor();
    const v = await plays('figure.final-video video');
    expect(v.width).toBeGreaterThan(0);
    const file = await download('figure.final-video a.download');
    expect(file.length).toBeGreaterThan(1000);
    await shot('27-project-composed');
    await allLabelled('27-project');
    await expectAccessible(page, '27-project');
    await fitsPhone('27-project-phone');
    expect(await page.getByText('Composing: job', { exact: false }).count()).toBe(0);

    await page.goto(`${platform.url}/#/projects`);
    const row = page.locator('table.projects tbody tr', { hasText: 'Trailer' });
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('composed');
    expect(await row.textContent()).toContain('3/3 ready');
    await page.getByLabel('Status').selectOption('draft');
    await page.getByText('No draft projects.').waitFor();
    expect(await page.locator('table.projects tbody tr').count()).toBe(0);
  });
});
