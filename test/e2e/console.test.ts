/**
 * The web console end to end: Debian's Chromium driven by playwright-core against the real local
 * platform (dynalite, s3rver, the real state machine, real ffmpeg). Screenshots land in
 * test-results/console/ as artifacts.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import { videoFixture } from '../helpers/fixtures.js';
import { readFrame, regionMean } from '../helpers/media.js';
import { expectAccessible, expectNoSideScroll } from '../helpers/console-checks.js';
import { api, startTestPlatform, waitForJob, type Api } from '../helpers/platform.js';

const CHROMIUM = process.env.CUTLINE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = resolve('test-results/console');

let platform: LocalPlatform;
let call: Api;
let browser: Browser;
let page: Page;
let work: string;

const shot = (name: string, p = page) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** Presses Tab until `selector` has focus (a keyboard user's path), failing after `max` presses. */
async function tabTo(selector: string, max = 40, p = page) {
  for (let i = 0; i < max; i++) {
    if (await p.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await p.keyboard.press('Tab');
  }
  throw new Error(`${selector} was not reached with ${max} Tab presses`);
}

async function waitForStatus(status: string, p = page) {
  await p.locator('.job-status .badge', { hasText: status }).waitFor({ timeout: 90_000 });
}

const jobIdFromUrl = (p = page) => /#\/jobs\/([\w-]+)/.exec(p.url())?.[1];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it), or set CUTLINE_CHROMIUM`,
    );
  await mkdir(SHOTS, { recursive: true });
  work = await mkdtemp(join(tmpdir(), 'cutline-console-'));
  platform = await startTestPlatform();
  call = api(platform);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => console.error('page error:', err));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

describe('web console', () => {
  it('serves the console at / without a key, with content types, and leaves the API routes as they were', async () => {
    const index = await fetch(`${platform.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${platform.url}/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${platform.url}/styles.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    expect(await (await fetch(`${platform.url}/config.json`)).json()).toEqual({
      apiUrl: '',
      platform: 'local',
    });
    const examples = (await (await fetch(`${platform.url}/examples.json`)).json()) as {
      examples: Array<{ name: string; media: string[] }>;
    };
    expect(examples.examples.map((e) => e.name)).toEqual(expect.arrayContaining(['hello', 'promo']));
    // Nothing outside console/ is reachable, and the API still wants its key.
    expect((await fetch(`${platform.url}/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${platform.url}/package.json`)).status).toBe(404);
    expect((await fetch(`${platform.url}/v1/renders`)).status).toBe(403);
  });

  it('asks for the API key, refuses a wrong one, keeps the right one in session storage only', async () => {
    await page.goto(platform.url);
    await page.getByLabel('API key').waitFor();
    await page.keyboard.type('not-the-key');
    await page.keyboard.press('Enter');
    await page.getByText('That key was refused by the API.').waitFor();
    await page.getByLabel('API key').fill(platform.apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('cutline.apiKey'),
      local: Object.keys(localStorage).length,
      cookies: document.cookie,
    }));
    expect(stored).toEqual({ session: platform.apiKey, local: 0, cookies: '' });
    await shot('01-jobs-empty');
    await expectAccessible(page, 'jobs list, empty');
  });

  it('keyboard only: picks the hello example, renders it, watches it reach SUCCEEDED and plays the video', async () => {
    await page.goto(`${platform.url}/#/jobs`);
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await tabTo('nav a[href="#/submit"]');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New render' }).waitFor();
    await tabTo('#example');
    // A closed <select> takes arrow keys; hello is the first example after the prompt.
    const names = await page.$$eval('#example option', (o) => o.map((x) => (x as HTMLOptionElement).value));
    for (let i = 0; i < names.indexOf('hello'); i++) await page.keyboard.press('ArrowDown');
    expect(await page.inputValue('#example')).toBe('hello');
    await page.getByText('Valid edit', { exact: false }).waitFor();
    await shot('02-submit-hello');
    await expectAccessible(page, 'editor with hello');
    await tabTo('button[type="submit"].primary');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/jobs\/[\w-]+$/);
    const id = jobIdFromUrl()!;
    await waitForStatus('SUCCEEDED');
    // The history is what the page saw; it ends with SUCCEEDED at 100 %.
    const history = await page.$$eval('table.history tbody tr', (rows) => rows.map((r) => r.textContent));
    expect(history.at(-1)).toContain('SUCCEEDED');
    // A finished job offers no cancel.
    expect(await page.getByRole('button', { name: 'Cancel job' }).isVisible()).toBe(false);

    const video = page.locator('figure.output-video video');
    await video.waitFor();
    const media = await video.evaluate(async (v: HTMLVideoElement) => {
      if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
      v.muted = true;
      await v.play();
      await new Promise((r) => setTimeout(r, 700));
      v.pause();
      return {
        readyState: v.readyState,
        duration: v.duration,
        currentTime: v.currentTime,
        error: v.error?.code,
      };
    });
    expect(media.error).toBeUndefined();
    expect(media.duration).toBeCloseTo(5, 0);
    expect(media.currentTime).toBeGreaterThan(0.2);
    await shot('03-job-succeeded');
    await expectAccessible(page, 'job page');

    // The download link is the very file: its pixels are the example's blue background.
    const href = await page.locator('figure.output-video a.download').getAttribute('href');
    const file = join(work, 'hello.mp4');
    await writeFile(file, Buffer.from(await (await fetch(href!)).arrayBuffer()));
    const [r, g, b] = regionMean(await readFrame(file, 1), 0, 0, 0.1, 0.1);
    expect(b).toBeGreaterThan(120);
    expect(r).toBeLessThan(40);
    expect(g).toBeLessThan(90);
    expect((await call('GET', `/v1/renders/${id}`)).body.status).toBe('SUCCEEDED');
  });

  it('shows validation errors with their JSON path, and selects the place in the text', async () => {
    await page.goto(`${platform.url}/#/submit`);
    const area = page.getByLabel('Edit (JSON', { exact: false });
    await area.fill('{ "timeline": { "tracks": [ ');
    await page.getByText('Not valid JSON — line 1, column', { exact: false }).waitFor();
    await area.fill(
      JSON.stringify(
        {
          timeline: {
            tracks: [{ clips: [{ asset: { type: 'title', text: 'x', volumee: 1 }, start: 0, length: 2 }] }],
          },
          output: { format: 'mp4', resolution: 'sd' },
        },
        null,
        2,
      ),
    );
    const path = page.locator('.problems button.path', {
      hasText: 'timeline.tracks[0].clips[0].asset.volumee',
    });
    await path.waitFor();
    await shot('04-validation-error');
    await expectAccessible(page, 'editor with problems');
    await path.press('Enter');
    const selected = await area.evaluate((a: HTMLTextAreaElement) =>
      a.value.slice(a.selectionStart, a.selectionEnd),
    );
    expect(selected).toBe('"volumee"');
    expect(await area.evaluate((a) => document.activeElement === a)).toBe(true);
    // Submitting anyway is refused with the same path.
    await page.getByRole('button', { name: 'Render' }).click();
    await page.getByText('Not submitted: VALIDATION_FAILED', { exact: false }).waitFor();
  });

  it('uploads a file with a progress bar and renders an edit that uses it', async () => {
    await page.goto(`${platform.url}/#/submit`);
    await page.getByLabel('Media file').setInputFiles(await videoFixture());
    await page.getByRole('button', { name: 'Upload' }).click();
    const src = page.locator('#upload-src');
    await src.waitFor();
    expect(await page.locator('#upload-progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(100);
    const key = await src.inputValue();
    expect(key).toMatch(new RegExp(`^inputs/${platform.apiKeyId}/[\\w-]+/video\\.mp4$`));
    const area = page.getByLabel('Edit (JSON', { exact: false });
    await area.fill(
      '{"timeline":{"tracks":[{"clips":[{"asset":{"type":"video","src":},"start":0,"length":2}]}]},"output":{"format":"mp4","resolution":"preview"}}',
    );
    // Insert the src at the cursor, right after `"src":`.
    await area.evaluate((a: HTMLTextAreaElement) => {
      const at = a.value.indexOf('"src":') + 6;
      a.setSelectionRange(at, at);
    });
    await page.getByRole('button', { name: 'Insert at the cursor in the edit' }).click();
    expect(JSON.parse(await area.inputValue()).timeline.tracks[0].clips[0].asset.src).toBe(key);
    await page.getByText('Valid edit — 1 source', { exact: false }).waitFor();
    await shot('05-upload');
    await page.getByRole('button', { name: 'Render' }).click();
    await page.waitForURL(/#\/jobs\/[\w-]+$/);
    await waitForStatus('SUCCEEDED');
    const outputs = await page.$$eval('figure.output', (f) => f.map((x) => x.className));
    expect(outputs).toContain('output output-video');
  });

  it('lists jobs with live status and filters them by status', async () => {
    await page.goto(`${platform.url}/#/jobs`);
    await page.locator('table.jobs tbody tr').nth(1).waitFor();
    expect(await page.locator('table.jobs tbody tr').count()).toBe(2);
    await page.getByLabel('Status').selectOption('FAILED');
    await page.waitForURL(/status=FAILED/);
    await page.getByText('No jobs yet', { exact: false }).waitFor();
    expect(await page.locator('table.jobs tbody tr').count()).toBe(0);
    await page.getByLabel('Status').selectOption('SUCCEEDED');
    await page.locator('table.jobs tbody tr').nth(1).waitFor();
    expect(
      await page.$$eval('table.jobs tbody tr', (r) => r.map((x) => (x as HTMLElement).dataset.status)),
    ).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    await shot('06-jobs-filtered');
  });

  it('templates: create, render with a merge value, delete', async () => {
    await page.goto(`${platform.url}/#/templates/new`);
    await page.getByLabel('Name').fill('greeting');
    await page.getByLabel('Template edit', { exact: false }).fill(
      JSON.stringify({
        merge: [
          { find: 'NAME', replace: 'World' },
          { find: 'SECONDS', replace: 2 },
        ],
        timeline: {
          background: '#000000',
          tracks: [
            {
              clips: [
                { asset: { type: 'title', text: 'Hello {{ NAME }}' }, start: 0, length: '{{SECONDS}}' },
              ],
            },
          ],
        },
        output: { format: 'mp4', resolution: 'preview' },
      }),
    );
    await page.getByRole('button', { name: 'Create template' }).click();
    await page.waitForURL(/#\/templates\/[\w-]+$/);
    // exact: the template page also has its own 'Name' field.
    await page.getByLabel('NAME', { exact: true }).fill('Ada');
    await page.getByLabel('SECONDS', { exact: true }).fill('3');
    await shot('07-template');
    await expectAccessible(page, 'template page');
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    await page.waitForURL(/#\/jobs\/[\w-]+$/);
    await waitForStatus('SUCCEEDED');
    const duration = await page.locator('video').evaluate(async (v: HTMLVideoElement) => {
      if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
      return v.duration;
    });
    expect(duration).toBeCloseTo(3, 0); // the merge value, a number, reached the clip's length

    await page.goto(`${platform.url}/#/templates`);
    await page.getByRole('link', { name: 'greeting', exact: true }).waitFor();
    // The console's own dialog asks first (no native confirm()): Cancel keeps the template.
    const native: string[] = [];
    page.on('dialog', (d) => void (native.push(d.message()), d.dismiss()));
    await page.getByRole('button', { name: 'Delete greeting' }).click();
    const ask = page.getByRole('dialog', { name: 'Delete this template?' });
    await ask.waitFor();
    await expectAccessible(page, 'delete-template dialog');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Delete greeting',
    );
    expect((await call('GET', '/v1/templates')).body.templates.map((t: { name: string }) => t.name)).toEqual([
      'greeting',
    ]);
    await page.getByRole('button', { name: 'Delete greeting' }).click();
    await ask.getByRole('button', { name: 'Delete greeting' }).click();
    await page.getByText('No templates yet.').waitFor();
    expect((await call('GET', '/v1/templates')).body.templates).toEqual([]);
    expect(native).toEqual([]);
  });

  it('every control has a label, and the layout fits a 375 px phone without sideways scrolling', async () => {
    for (const hash of ['#/jobs', '#/submit', '#/templates/new']) {
      await page.goto(`${platform.url}/${hash}`);
      await page.locator('h1').waitFor();
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
      expect(unlabelled, hash).toEqual([]);
    }
    // At least one finished job to show, whichever tests ran before.
    const hello = JSON.parse(await readFile(resolve('examples/hello.json'), 'utf8'));
    await waitForJob(call, (await call('POST', '/v1/renders', hello)).body.id);
    const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, isMobile: true });
    await phone.goto(platform.url);
    await phone.evaluate((k) => sessionStorage.setItem('cutline.apiKey', k), platform.apiKey);
    for (const [hash, name] of [
      ['#/jobs', '08-phone-jobs'],
      ['#/submit', '09-phone-submit'],
    ] as const) {
      await phone.goto(`${platform.url}/${hash}`);
      await phone.reload();
      await phone.locator('h1').waitFor();
      if (hash === '#/jobs') await phone.locator('table.jobs tbody tr').first().waitFor();
      expect(await phone.evaluate(() => document.documentElement.scrollWidth), hash).toBeLessThanOrEqual(375);
      await expectNoSideScroll(phone, hash);
      await shot(name, phone);
    }
    await phone.goto(`${platform.url}/#/jobs`);
    const job = await phone.locator('table.jobs tbody a').first().getAttribute('href');
    await phone.goto(`${platform.url}/${job}`);
    await waitForStatus('SUCCEEDED', phone);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expectNoSideScroll(phone, 'job page');
    await shot('10-phone-job', phone);
    await phone.close();
  });
});
