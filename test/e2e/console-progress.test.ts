/**
 * The job page's live progress, end to end: Debian's Chromium (playwright-core) on the console of the
 * real local platform while a chunked render runs. The bar (role=progressbar) advances with the frames
 * the render tasks count, beside the stage, with frames drawn and the time left. Screenshots land in
 * test-results/console/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import { videoFixture } from '../helpers/fixtures.js';
import { pacedFfmpeg } from '../helpers/paced-ffmpeg.js';
import { expectAccessible, expectNoSideScroll } from '../helpers/console-checks.js';
import { api, fixtureUrl, startTestPlatform, type Api } from '../helpers/platform.js';

const CHROMIUM = process.env.CUTLINE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = resolve('test-results/console');

let platform: LocalPlatform;
let call: Api;
let browser: Browser;
let page: Page;
let paced: Awaited<ReturnType<typeof pacedFfmpeg>>;

/** 20 s from the 4 s fixture, at 960×540: enough frames that several chunks take seconds to draw. */
const SECONDS = 20;
const FPS = 25;
const edit = () => ({
  timeline: {
    tracks: [
      {
        clips: Array.from({ length: SECONDS / 4 }, (_, i) => ({
          asset: { type: 'video', src: fixtureUrl('video.mp4') },
          start: i * 4,
          length: 4,
        })),
      },
    ],
  },
  output: { format: 'mp4', size: { width: 960, height: 540 }, fps: FPS },
});

interface Reading {
  status: string;
  stage: string;
  now: number;
  valuetext: string;
  text: string;
}

/** What the page shows now: the live status, the bar's ARIA value and its visible text. */
const read = (): Promise<Reading | null> =>
  page.evaluate(() => {
    const bar = document.querySelector('[role="progressbar"][aria-label="job progress"]');
    if (!bar) return null;
    return {
      status: document.querySelector('.job-status .badge')?.textContent ?? '',
      stage: document.querySelector('.job-status .stage')?.textContent ?? '',
      now: Number(bar.getAttribute('aria-valuenow')),
      valuetext: bar.getAttribute('aria-valuetext') ?? '',
      text: document.querySelector('.job-progress-text')?.textContent ?? '',
    };
  });

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it), or set CUTLINE_CHROMIUM`,
    );
  await mkdir(SHOTS, { recursive: true });
  await videoFixture();
  // Each chunk reads its inputs at their own speed: the render takes seconds on any machine.
  paced = await pacedFfmpeg();
  process.env.CUTLINE_FFMPEG = paced.bin;
  // Chunks of 4 s, two at a time: the bar sums several tasks' counters.
  platform = await startTestPlatform({ planLimits: { maxConcurrency: 2, minChunkSeconds: 4 } });
  call = api(platform);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => console.error('page error:', err));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
  delete process.env.CUTLINE_FFMPEG;
  await paced?.dispose();
});

describe('console job page: live progress', () => {
  it('the progress bar appears and advances with frames drawn and time left, beside the stage, to 100 %', async () => {
    await page.goto(platform.url);
    await page.getByLabel('API key').fill(platform.apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();

    const submitted = await call('POST', '/v1/renders', edit());
    expect(submitted.status).toBe(202);
    const id: string = submitted.body.id;
    await page.goto(`${platform.url}/#/jobs/${id}`);
    await page.getByRole('progressbar', { name: 'job progress' }).waitFor();

    const total = SECONDS * FPS;
    const readings: Reading[] = [];
    let midShot = false;
    const until = Date.now() + 240_000;
    for (;;) {
      const r = await read();
      const last = readings[readings.length - 1];
      if (r && (!last || last.now !== r.now || last.text !== r.text || last.status !== r.status)) {
        readings.push(r);
        if (!midShot && r.stage === 'rendering' && /\b[1-9]\d*\/\d+ frames/.test(r.text)) {
          midShot = true;
          await page.screenshot({ path: join(SHOTS, 'progress-rendering.png'), fullPage: true });
        }
      }
      if (r?.status === 'SUCCEEDED' || r?.status === 'FAILED') break;
      if (Date.now() > until) throw new Error(`job ${id} did not end: ${JSON.stringify(readings.at(-1))}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    await page.screenshot({ path: join(SHOTS, 'progress-succeeded.png'), fullPage: true });
    await expectAccessible(page, 'job page after live progress');
    const trail = JSON.stringify(readings.map((r) => [r.status, r.stage, r.now, r.text]));
    expect(readings.at(-1)!.status, trail).toBe('SUCCEEDED');

    // It rendered in chunks (so the bar summed several tasks), and the bar never went back.
    const job = (await call('GET', `/v1/renders/${id}`)).body;
    expect(job.plan[0].chunks).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < readings.length; i++)
      expect(readings[i]!.now, trail).toBeGreaterThanOrEqual(readings[i - 1]!.now);

    // While rendering: at least two rising values strictly inside the rendering band, the stage beside the
    // bar, frames drawn out of the total, and the time left once there is a rate.
    const rendering = readings.filter((r) => r.status === 'RUNNING' && r.stage === 'rendering');
    const inBand = [...new Set(rendering.map((r) => r.now).filter((n) => n > 5 && n < 90))];
    expect(inBand.length, trail).toBeGreaterThanOrEqual(2);
    const drawn = rendering
      .map((r) => Number(new RegExp(`(\\d+)/${total} frames`).exec(r.text)?.[1] ?? NaN))
      .filter((n) => n > 0 && n < total);
    expect(new Set(drawn).size, trail).toBeGreaterThanOrEqual(2);
    expect(
      rendering.some((r) => /about \d+( min \d+)? s left$/.test(r.text)),
      trail,
    ).toBe(true);
    // The ARIA value says the same as the text, for a screen reader.
    const spoken = rendering.find((r) => r.text.includes('left'))!;
    expect(spoken.valuetext).toMatch(
      new RegExp(`^${spoken.now} percent, \\d+ of ${total} frames, about .+ left$`),
    );

    // At the end: full, every frame, no time left.
    expect(readings.at(-1)).toMatchObject({ now: 100, text: `100% · ${total}/${total} frames`, stage: '' });

    // A phone's width: the status, bar and text wrap without sideways scroll.
    await page.setViewportSize({ width: 390, height: 800 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, 'progress-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    await expectNoSideScroll(page, 'job page after live progress at 375 px');
  }, 300_000);
});
