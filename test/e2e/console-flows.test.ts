/**
 * The console's shared flows end to end, in Debian's Chromium (playwright-core) against the real local
 * platform: a refused key (and the forms it keeps), remembering a key, the delete / cancel dialogs,
 * required merge fields, stale messages, the confirm before an example replaces a draft, not-found pages, the jobs list's title / thumbnail / failure, editing a
 * project's fields, and every screen checked by axe-core and at a 375 px phone width.
 * Screenshots land in test-results/console/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import { expectAccessible, expectNoSideScroll } from '../helpers/console-checks.js';
import { toneFixture } from '../helpers/fixtures.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../helpers/platform.js';

const CHROMIUM = process.env.CUTLINE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = resolve('test-results/console');

let platform: LocalPlatform;
let call: Api;
let browser: Browser;
let page: Page;

const shot = (name: string, p = page) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const signIn = (p: Page, key = platform.apiKey) =>
  p.evaluate((k) => sessionStorage.setItem('cutline.apiKey', k), key);

/** A 2 s title card with a poster; `text` may hold placeholders. */
const card = (text: string) => ({
  timeline: {
    background: '#0b3d91',
    tracks: [{ clips: [{ asset: { type: 'title', text }, start: 0, length: 2 }] }],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 }, poster: { capture: 1 } },
});

let templateId: string;
let projectId: string;
let failedId: string;
let titledId: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium, or set CUTLINE_CHROMIUM`);
  await mkdir(SHOTS, { recursive: true });
  await toneFixture(3);
  platform = await startTestPlatform();
  call = api(platform);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => console.error('page error:', err));
  const tpl = await call('POST', '/v1/templates', {
    name: 'Greeting card',
    edit: { ...card('Hi {{ WHO }} from {{ NAME }}'), merge: [{ find: 'NAME', replace: 'cutline' }] },
  });
  expect(tpl.status).toBe(201);
  templateId = tpl.body.id;
  const project = await call('POST', '/v1/projects', { name: 'Launch', mode: 'custom' });
  expect(project.status).toBe(201);
  projectId = project.body.id;
  // A job that fails (its source does not exist), for the list's failure reason.
  const failed = await call('POST', '/v1/renders', {
    timeline: {
      tracks: [
        { clips: [{ asset: { type: 'video', src: fixtureUrl('missing.mp4') }, start: 0, length: 1 }] },
      ],
    },
    output: { format: 'mp4', size: { width: 160, height: 90 } },
  });
  failedId = failed.body.id;
  expect((await waitForJob(call, failedId)).job.status).toBe('FAILED');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

describe('console flows', () => {
  it('a refused key shows one prompt on any page and returns to it; "Remember in this browser" is opt-in, Forget clears it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await context.newPage();
    await p.goto(`${platform.url}/#/templates`);
    await p.getByRole('heading', { name: 'Sign in with an API key' }).waitFor();
    await expectAccessible(p, 'key page');
    await p.getByLabel('API key').fill(platform.apiKey);
    await p.getByLabel('Remember in this browser').check();
    await p.getByRole('button', { name: 'Continue' }).click();
    // Back on the page the link asked for, the key kept in local storage only.
    await p.getByRole('heading', { name: 'Templates' }).waitFor();
    expect(
      await p.evaluate(() => [
        sessionStorage.getItem('cutline.apiKey'),
        localStorage.getItem('cutline.apiKey'),
      ]),
    ).toEqual([null, platform.apiKey]);
    // Another tab of this browser is signed in already.
    const tab = await context.newPage();
    await tab.goto(`${platform.url}/#/jobs`);
    await tab.getByRole('heading', { name: 'Jobs' }).waitFor();
    await tab.close();

    // The key is revoked while a page is open: the next call anywhere brings the same prompt.
    for (const [hash, heading] of [
      [`#/jobs/${failedId}`, 'Job'],
      [`#/projects/${projectId}`, 'Launch'],
    ] as const) {
      await p.evaluate(() => localStorage.setItem('cutline.apiKey', 'revoked-key'));
      await p.goto(`${platform.url}/${hash}`);
      await p.getByText('The API refused the key; enter it again.').waitFor();
      expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Enter the API key again');
      // Still ticked (the user chose to be remembered), though the refused key is forgotten.
      expect(await p.getByLabel('Remember in this browser').isChecked()).toBe(true);
      expect(await p.evaluate(() => localStorage.getItem('cutline.apiKey'))).toBeNull();
      expect(p.url()).toContain(hash);
      await expectAccessible(p, `key prompt on ${hash}`);
      await p.getByLabel('API key').fill(platform.apiKey);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: heading, exact: false }).first().waitFor();
      expect(p.url()).toContain(hash);
      expect(
        await p.evaluate(() => [
          sessionStorage.getItem('cutline.apiKey'),
          localStorage.getItem('cutline.apiKey'),
        ]),
      ).toEqual([null, platform.apiKey]);
    }
    await shot('30-key-returned', p);
    await p.getByRole('button', { name: 'Forget API key' }).click();
    await p.getByRole('heading', { name: 'Sign in with an API key' }).waitFor();
    expect(
      await p.evaluate(() => [
        sessionStorage.getItem('cutline.apiKey'),
        localStorage.getItem('cutline.apiKey'),
      ]),
    ).toEqual([null, null]);
    await context.close();
  });

  it('a refused key keeps what was typed in every form (clips, mixes, template, project), through a reload, and puts it back after the key', async () => {
    await page.goto(platform.url);
    await signIn(page);
    const revoke = () => page.evaluate(() => sessionStorage.setItem('cutline.apiKey', 'revoked-key'));
    const kept = () => page.evaluate(() => sessionStorage.getItem('cutline.keptForms'));
    const giveKey = async () => {
      await page.getByLabel('API key').fill(platform.apiKey);
      await page.keyboard.press('Enter');
    };
    const sent = async () => JSON.parse((await page.locator('.request-json').textContent())!);
    const reprompt = page.getByText('The API refused the key; enter it again.');

    // Clips: a typed source, a second range added by hand, a ratio and a caption file.
    await page.goto(`${platform.url}/#/clips`);
    await page.getByRole('heading', { name: 'New clips' }).waitFor();
    await page.getByLabel('Source video', { exact: true }).fill(fixtureUrl('talk.mp4'));
    await page.getByRole('button', { name: 'Add a clip' }).click();
    await page.getByLabel('Start (s), clip 2').fill('4');
    await page.getByLabel('End (s), clip 2').fill('6.5');
    await page.getByLabel('1:1').check();
    await page.getByLabel('Captions', { exact: true }).selectOption('file');
    await page
      .getByLabel('Caption file (SRT, VTT or transcript JSON)', { exact: true })
      .fill(fixtureUrl('talk.srt'));
    // The key is revoked; the next edit's check is refused and the prompt replaces the form.
    await revoke();
    await page.getByLabel('Title, clip 2').fill('Closing');
    await reprompt.waitFor();
    expect(await kept()).not.toBeNull();
    expect(await kept()).not.toContain(platform.apiKey);
    // Kept in the tab's session storage: a reload during the prompt loses nothing either.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in with an API key' }).waitFor();
    await giveKey();
    await page.getByRole('heading', { name: 'New clips' }).waitFor();
    await expect.poll(() => page.getByLabel('Title, clip 2').inputValue()).toBe('Closing');
    expect(await page.getByLabel('Start (s), clip 2').inputValue()).toBe('4');
    expect(await page.getByLabel('1:1').isChecked()).toBe(true);
    // The form's own state, not only its boxes: the request it sends has everything back.
    await expect.poll(sent).toEqual({
      src: fixtureUrl('talk.mp4'),
      mode: 'manual',
      clips: [
        { start: 0, end: 1 },
        { start: 4, end: 6.5, title: 'Closing' },
      ],
      aspectRatios: ['9:16', '1:1'],
      reframe: { mode: 'center' },
      fit: 'crop',
      captions: { src: fixtureUrl('talk.srt'), style: 'clean' },
      output: { resolution: 'preview' },
    });
    expect(
      await page.getByLabel('Caption file (SRT, VTT or transcript JSON)', { exact: true }).isVisible(),
    ).toBe(true);
    expect(await kept()).toBeNull();
    await shot('36-clips-kept');
    await expectAccessible(page, 'clips form restored');
    await expectNoSideScroll(page, 'clips form restored');

    // Mixes: a group and a clip added by hand, a group's clip removed by hand.
    await page.goto(`${platform.url}/#/mixes`);
    await page.getByRole('heading', { name: 'New mix' }).waitFor();
    await page.getByRole('button', { name: 'Add a group' }).click();
    await page.getByLabel('Name, group 3').fill('middle');
    await page.getByLabel('Source, group 3 clip 1', { exact: true }).fill(fixtureUrl('b.mp4'));
    await page.getByRole('button', { name: 'Add a clip to group 1' }).click();
    await page.getByLabel('Source, group 1 clip 2', { exact: true }).fill(fixtureUrl('a2.mp4'));
    await page.getByRole('button', { name: 'Add a clip to group 1' }).click();
    await page.getByRole('button', { name: 'Remove group 1 clip 3' }).click();
    await page.getByLabel('Length (s), group 1 clip 2').fill('1.5');
    // The form's request once its debounced check has run on the last change.
    await expect
      .poll(async () => (await page.locator('.request-json').textContent())?.includes('1.5') ?? false)
      .toBe(true);
    const before = await sent();
    await revoke();
    // Typed again (the same name): the check it starts is refused.
    await page.getByLabel('Name, group 3').fill('middle');
    await reprompt.waitFor();
    await giveKey();
    await page.getByRole('heading', { name: 'New mix' }).waitFor();
    await expect.poll(() => page.getByLabel('Length (s), group 1 clip 2').inputValue()).toBe('1.5');
    await expect.poll(sent).toEqual(before);
    expect(before.groups.map((g: { name: string }) => g.name)).toEqual(['intro', 'outro', 'middle']);
    expect(await page.getByLabel('Source, group 1 clip 3', { exact: true }).count()).toBe(0);

    // A template's render form (drawn after the page loads the template): the merge value comes back.
    await page.goto(`${platform.url}/#/templates/${templateId}`);
    await page.getByLabel('WHO', { exact: true }).fill('Grace');
    await page.getByLabel('NAME', { exact: true }).fill('the team');
    await revoke();
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    await reprompt.waitFor();
    await giveKey();
    await expect.poll(() => page.getByLabel('WHO', { exact: true }).inputValue()).toBe('Grace');
    expect(await page.getByLabel('NAME', { exact: true }).inputValue()).toBe('the team');

    // The new-project form, with a reference image row added by hand; nothing was created meanwhile.
    await page.goto(`${platform.url}/#/projects`);
    const create = page.getByRole('region', { name: 'New project' });
    await create.getByLabel('Name', { exact: true }).fill('Kept through the prompt');
    await create.getByLabel('Subject').fill('a paper boat');
    await create.getByRole('button', { name: 'Add a reference image' }).click();
    await create.getByLabel('Reference image 1', { exact: true }).fill(fixtureUrl('boat.png'));
    await revoke();
    await create.getByRole('button', { name: 'Create project' }).click();
    await reprompt.waitFor();
    await giveKey();
    await expect
      .poll(() => create.getByLabel('Reference image 1', { exact: true }).inputValue())
      .toBe(fixtureUrl('boat.png'));
    expect(await create.getByLabel('Name', { exact: true }).inputValue()).toBe('Kept through the prompt');
    expect(await create.getByLabel('Subject').inputValue()).toBe('a paper boat');
    const projects = (await call('GET', '/v1/projects')).body.projects as Array<{ name: string }>;
    expect(projects.map((p) => p.name)).not.toContain('Kept through the prompt');
    await expectAccessible(page, 'project form restored');
  });

  it('cancelling a job and deleting a project ask in the console’s dialog; its Cancel keeps them', async () => {
    await page.goto(platform.url);
    await signIn(page);
    const native: string[] = [];
    const onNative = (d: import('playwright-core').Dialog) => void (native.push(d.message()), d.dismiss());
    page.on('dialog', onNative);

    // A 20-minute render, so it is still running when the dialog answers.
    const long = await call('POST', '/v1/renders', {
      timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'long' }, start: 0, length: 1200 }] }] },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    });
    expect(long.status).toBe(202);
    await page.goto(`${platform.url}/#/jobs/${long.body.id}`);
    const cancelJob = page.getByRole('button', { name: 'Cancel job' });
    await cancelJob.click();
    const ask = page.getByRole('dialog', { name: 'Cancel this job?' });
    await ask.waitFor();
    await expectAccessible(page, 'cancel-job dialog');
    await shot('37-cancel-dialog');
    await ask.getByRole('button', { name: 'Keep it running' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel job');
    expect(['QUEUED', 'RUNNING']).toContain((await call('GET', `/v1/renders/${long.body.id}`)).body.status);
    await cancelJob.click();
    await ask.getByRole('button', { name: 'Cancel job' }).click();
    await page.locator('.job-status .badge', { hasText: 'CANCELLED' }).waitFor({ timeout: 30_000 });
    expect((await call('GET', `/v1/renders/${long.body.id}`)).body.status).toBe('CANCELLED');

    const scrap = await call('POST', '/v1/projects', { name: 'Scrap', mode: 'custom' });
    await page.goto(`${platform.url}/#/projects/${scrap.body.id}`);
    await page.getByRole('heading', { name: 'Scrap' }).waitFor();
    await page.getByRole('button', { name: 'Delete project' }).click();
    const del = page.getByRole('dialog', { name: 'Delete this project?' });
    await del.waitFor();
    await expectAccessible(page, 'delete-project dialog');
    await expectNoSideScroll(page, 'delete-project dialog');
    await page.keyboard.press('Escape');
    await del.waitFor({ state: 'detached' });
    expect((await call('GET', `/v1/projects/${scrap.body.id}`)).status).toBe(200);
    await page.getByRole('button', { name: 'Delete project' }).click();
    await del.getByRole('button', { name: 'Delete project' }).click();
    await page.waitForURL(/#\/projects$/);
    expect((await call('GET', `/v1/projects/${scrap.body.id}`)).status).toBe(404);
    page.off('dialog', onNative);
    expect(native).toEqual([]);
  });

  it('a required merge field is refused by the form, naming it, before any submit; the API refuses it too', async () => {
    await page.goto(platform.url);
    await signIn(page);
    await page.goto(`${platform.url}/#/templates`);
    const row = page.locator('table.templates tbody tr', { hasText: 'Greeting card' });
    await row.waitFor();
    expect(await row.locator('td[data-label="Merge fields"]').textContent()).toBe('WHO (required), NAME');
    await page.goto(`${platform.url}/#/templates/${templateId}`);
    const who = page.getByLabel('WHO', { exact: true });
    await who.waitFor();
    expect(await who.getAttribute('required')).not.toBeNull();
    const before = (await call('GET', '/v1/renders')).body.renders.length;
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    const refusal = page.getByText('Not rendered: WHO is required (the template has no default).');
    await refusal.waitFor();
    expect(await who.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await who.getAttribute('aria-invalid')).not.toBeNull();
    expect(await page.getByLabel('NAME', { exact: true }).getAttribute('required')).toBeNull();
    await expectAccessible(page, 'template with a refused render');
    await shot('31-required-merge');
    expect((await call('GET', '/v1/renders')).body.renders.length).toBe(before);
    const direct = await call('POST', `/v1/templates/${templateId}/render`, {});
    expect([direct.status, direct.body.error.details[0].path]).toEqual([400, 'merge']);
    // Typing clears the stale message.
    await who.fill('Ada');
    expect(await refusal.count()).toBe(0);
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    await page.waitForURL(/#\/jobs\/[\w-]+$/);
    titledId = /#\/jobs\/([\w-]+)/.exec(page.url())![1]!;
    await page.locator('.job-status .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 90_000 });
  });

  it('stale messages clear when the input changes', async () => {
    await page.goto(`${platform.url}/#/submit`);
    const area = page.getByLabel('Edit (JSON', { exact: false });
    await area.fill(JSON.stringify(card('x')));
    await page.getByRole('button', { name: 'Save as template' }).click();
    const notSaved = page.getByText('Not saved: VALIDATION_FAILED', { exact: false });
    await notSaved.waitFor();
    await page.getByLabel('Template name').fill('c');
    expect(await notSaved.count()).toBe(0);
    await area.fill('{ "timeline": {} }');
    await page.getByRole('button', { name: 'Render' }).click();
    const notSubmitted = page.getByText('Not submitted: VALIDATION_FAILED', { exact: false });
    await notSubmitted.waitFor();
    await area.press('End');
    await area.press('Space');
    expect(await notSubmitted.count()).toBe(0);
    // Navigating clears them too, even to the page already shown.
    await page.getByRole('button', { name: 'Render' }).click();
    await notSubmitted.waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'New render' }).click();
    await expect.poll(() => notSubmitted.count()).toBe(0);
    expect(page.url()).toMatch(/#\/submit$/);
  });

  it('picking an example asks before it replaces a changed draft (an accessible dialog)', async () => {
    await page.goto(`${platform.url}/#/submit`);
    const area = page.getByLabel('Edit (JSON', { exact: false });
    await area.fill('{ "mine": true }');
    await page.locator('#example').focus();
    await page.locator('#example').selectOption('hello');
    const dialog = page.getByRole('dialog', { name: 'Replace your draft?' });
    await dialog.waitFor();
    // The safe choice has focus; Escape keeps the draft and the picker shows no example.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep my draft');
    await expectAccessible(page, 'replace-draft dialog');
    await shot('32-replace-draft');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect([await area.inputValue(), await page.inputValue('#example')]).toEqual(['{ "mine": true }', '']);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('example');
    await page.locator('#example').selectOption('hello');
    await dialog.getByRole('button', { name: 'Replace with hello' }).click();
    await expect.poll(async () => JSON.parse(await area.inputValue()).output?.fps).toBe(25);
    // An example left unchanged is replaced without asking.
    await page.locator('#example').selectOption('promo');
    await expect.poll(async () => (await area.inputValue()).includes('"mine"')).toBe(false);
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.inputValue('#example')).toBe('promo');
  });

  it('an unknown page or an id that is not there says so, with a link back', async () => {
    for (const [hash, heading, back] of [
      ['#/nowhere', 'Page not found', 'Go to the jobs list'],
      ['#/jobs/no-such-job', 'Job not found', '← All jobs'],
      ['#/templates/no-such-template', 'Template not found', '← All templates'],
      ['#/projects/no-such-project', 'Project not found', '← All projects'],
    ] as const) {
      await page.goto(`${platform.url}/${hash}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      expect(await page.title()).toBe(`${heading} — cutline`);
      await page.getByRole('link', { name: back }).waitFor();
      await expectAccessible(page, heading);
    }
    await shot('33-not-found');
    await page.getByRole('link', { name: '← All projects' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  });

  it('the jobs list shows each job’s title, its poster and why a failed one failed', async () => {
    await page.goto(`${platform.url}/#/jobs`);
    const titled = page.locator(`table.jobs tbody tr[data-id="${titledId}"]`);
    await titled.locator('img.thumb').waitFor();
    expect(await titled.locator('a.job-title').textContent()).toBe(`Greeting card ${titledId.slice(0, 8)}`);
    expect(
      await titled
        .locator('img.thumb')
        .evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth)),
    ).toBeGreaterThan(0);
    const failed = page.locator(`table.jobs tbody tr[data-id="${failedId}"]`);
    // A plain render has no name: it is called by its first media file (no host or folders).
    expect(await failed.locator('a.job-title').textContent()).toBe(`missing.mp4 ${failedId.slice(0, 8)}`);
    const reason = (await call('GET', `/v1/renders/${failedId}`)).body.error;
    expect(await failed.locator('.failure').textContent()).toBe(`${reason.code} ${reason.message}`);
    await expectAccessible(page, 'jobs list');
    await shot('34-jobs-list');
  });

  it('edits a project’s prompt, subject, mode and backing track on its page', async () => {
    await page.goto(`${platform.url}/#/projects/${projectId}`);
    await page.getByRole('heading', { name: 'Launch' }).waitFor();
    await page.getByText('Edit the project’s details').click();
    const form = page.locator('.project-details form');
    await form.getByLabel('Name', { exact: true }).fill('Launch v2');
    await form.getByLabel('Mode').selectOption('music-video');
    await form.getByLabel('Prompt', { exact: true }).fill('a product launch in the rain');
    await form.getByLabel('Subject').fill('a red umbrella');
    // A source the tenant may not read is refused with its path, at the field.
    await form.getByLabel('Backing track', { exact: true }).fill('s3://someone-else/track.wav');
    await form.getByRole('button', { name: 'Save the details' }).click();
    await form.locator('.problems', { hasText: 'audio.src' }).waitFor();
    await expectAccessible(page, 'project details refused');
    await form.getByLabel('Backing track', { exact: true }).fill(fixtureUrl('tone-330-3.wav'));
    expect(await form.locator('.problems').count()).toBe(0);
    await form.getByRole('button', { name: 'Save the details' }).click();
    await form.getByText('Saved.').waitFor();
    await page.getByRole('heading', { name: 'Launch v2' }).waitFor();
    expect(await page.locator('dl.facts').textContent()).toContain('a red umbrella');
    const stored = (await call('GET', `/v1/projects/${projectId}`)).body;
    expect(stored).toMatchObject({
      name: 'Launch v2',
      mode: 'music-video',
      prompt: 'a product launch in the rain',
      subject: 'a red umbrella',
      audio: { src: fixtureUrl('tone-330-3.wav') },
    });
    // Emptied, a field is removed.
    await form.getByLabel('Subject').fill('');
    await form.getByRole('button', { name: 'Save the details' }).click();
    await form.getByText('Saved.').waitFor();
    expect((await call('GET', `/v1/projects/${projectId}`)).body.subject).toBeUndefined();
    await shot('35-project-details');
  });

  it('every screen passes axe and fits a 375 px phone without sideways scrolling', async () => {
    const screens = [
      '#/jobs',
      `#/jobs/${titledId}`,
      '#/submit',
      '#/clips',
      '#/mixes',
      '#/projects',
      `#/projects/${projectId}`,
      '#/templates',
      `#/templates/${templateId}`,
      '#/templates/new',
      '#/nowhere',
    ];
    const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, isMobile: true });
    phone.on('pageerror', (err) => console.error('page error:', err));
    await phone.goto(platform.url);
    await phone.getByLabel('API key').waitFor();
    await expectNoSideScroll(phone, 'key page');
    await signIn(phone);
    for (const hash of screens) {
      for (const p of [page, phone]) {
        await p.goto(`${platform.url}/${hash}`);
        await p.reload();
        await p.locator('h1').waitFor();
        // The screen's data has arrived: no "Loading…" or "Checking…" left.
        await expect
          .poll(
            () =>
              p.evaluate(
                () =>
                  [...document.querySelectorAll('main *')].filter(
                    (e) =>
                      /^(Loading|Checking)…$/.test(e.textContent?.trim() ?? '') &&
                      (e as HTMLElement).offsetParent !== null,
                  ).length,
              ),
            { timeout: 20_000 },
          )
          .toBe(0);
        if (hash.startsWith('#/jobs/')) await p.locator('.job-status .badge').waitFor();
      }
      await expectAccessible(page, hash);
      await expectNoSideScroll(phone, hash);
      await expectAccessible(phone, `${hash} at 375 px`);
      if (hash === '#/submit') {
        // The editor wraps a long line rather than scrolling it sideways.
        const area = phone.getByLabel('Edit (JSON', { exact: false });
        await area.fill(JSON.stringify(card(`a long title ${'x'.repeat(200)}`)));
        expect(await area.evaluate((a) => a.scrollWidth - a.clientWidth)).toBeLessThanOrEqual(0);
        await expectNoSideScroll(phone, 'editor with a long line');
        // A problem's long JSON path wraps too.
        const long = card('x');
        Object.assign(long.timeline.tracks[0]!.clips[0]!.asset, { [`unknown${'Field'.repeat(30)}`]: 1 });
        await area.fill(JSON.stringify(long));
        await phone.locator('.problems', { hasText: 'unknownField' }).waitFor();
        await expectNoSideScroll(phone, 'editor with a long problem path');
        await shot('38-phone-problem-path', phone);
      }
      if (hash.startsWith('#/projects/')) await shot('36-phone-project', phone);
      if (hash === '#/jobs') await shot('37-phone-jobs', phone);
    }
    await phone.close();
  });
});
