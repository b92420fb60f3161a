import { copyFileSync, mkdirSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CutlineError } from '../../lambdas/core/errors.js';
import { parseEdit } from '../../lambdas/core/intake/parse-edit.js';
import { builtinFontsDir } from '../../lambdas/core/text/index.js';
import {
  FIXTURES,
  captionsFixture,
  imageFixture,
  jpegFixture,
  renderEdit,
  toneFixture,
  videoFixture,
} from '../helpers/fixtures.js';
import { ffprobeJson, meanVolume, readFrame, regionMean } from '../helpers/media.js';

/**
 * Conformance: public Shotstack example edits, kept as they were published (edits/; origins.json names
 * where each came from: shotstack/json-examples, shotstack.io's guide pages, the Studio SDK's templates and
 * demos, the cookbook and the template gallery), with only their sources (a `src` URL, or a merge value
 * that is one) pointed at local media ffmpeg makes and the output made small (preview size, the first
 * RANGE seconds) so CI stays quick. Each edit either renders — checked for size, length, that the frame is
 * not blank where a clip shows, that there is sound where the edit has some, and for some edits what they
 * are for (CHECKS) — or fails with the 4xx cutline gives for what it lacks. OUTCOMES is the record: a
 * change in either direction fails the test, so the README's count stays true.
 */
const EDITS = join(import.meta.dirname, 'edits');
const RANGE = 2;
/**
 * Edits too slow for every CI run (kinetic-text draws 34 html panels: about a minute on a loaded 2-core
 * machine) are validated there and rendered with CUTLINE_CONFORMANCE=full.
 */
const HEAVY = [
  'json-examples-kinetic-text.json',
  // Two rich-texts fading in word by word: a page per frame of each animation (about a minute here).
  'templates-grey-minimalist-product-ad-v2.json',
];
const FULL = process.env.CUTLINE_CONFORMANCE === 'full';

/**
 * Why an edit does not render (code and a message fragment), or 'renders'. The health-1 templates name
 * Lato faces they supply by URL: here every font URL is the same Open Sans stand-in, so Lato is missing.
 */
const OUTCOMES: Record<string, 'renders' | { code: string; match: RegExp }> = {
  'cookbook-bulk-csv-videos-ai.json': {
    code: 'VALIDATION_FAILED',
    match: /timeline\.background: must be a hex colour/,
  },
  'cookbook-bulk-csv-videos.json': {
    code: 'VALIDATION_FAILED',
    match: /timeline\.background: must be a hex colour/,
  },
  'cookbook-first-render.json': 'renders',
  'docs-aliases-captions.json': {
    code: 'NOT_SUPPORTED',
    match: /src "alias:\/\/[^"]+" is resolved by a job/,
  },
  'docs-aliases-overlay.json': 'renders',
  'docs-smart-clips-auto.json': 'renders',
  'json-examples-1-min-stitched.json': 'renders',
  'json-examples-captions.json': 'renders',
  'json-examples-carousel.json': 'renders',
  'json-examples-crop.json': 'renders',
  'json-examples-ken-burns-effect.json': 'renders',
  'json-examples-kinetic-text.json': 'renders',
  'json-examples-luma-matte.json': 'renders',
  'json-examples-overlay-transition.json': 'renders',
  'json-examples-picture-in-picture.json': 'renders',
  'json-examples-snowflake-overlay.json': 'renders',
  'json-examples-watermark.json': 'renders',
  'studio-sdk-ai-assets.json': {
    code: 'NOT_SUPPORTED',
    match: /text-to-image assets need an image generation provider/,
  },
  'studio-sdk-alias.json': 'renders',
  'studio-sdk-animations.json': 'renders',
  'studio-sdk-caption-alias.json': {
    code: 'NOT_SUPPORTED',
    match: /src "alias:\/\/VIDEO" is resolved by a job/,
  },
  'studio-sdk-caption.json': 'renders',
  'studio-sdk-default-fonts.json': { code: 'VALIDATION_FAILED', match: /font\.weight: Too small/ },
  'studio-sdk-demos-template.json': 'renders',
  'studio-sdk-emoji-test.json': 'renders',
  // Its first face is named by its file's stem (found); the second, DM Sans 9pt, is the stand-in's gap.
  'studio-sdk-hello.json': { code: 'VALIDATION_FAILED', match: /"DM Sans 9pt" is not available/ },
  'studio-sdk-html5-bundle-demo.json': {
    code: 'VALIDATION_FAILED',
    match: /asset type "html5" is not supported/,
  },
  'studio-sdk-lumas-asset-heavy.json': { code: 'VALIDATION_FAILED', match: /"DM Sans 9pt" is not available/ },
  'studio-sdk-prompt-assets.json': {
    code: 'NOT_SUPPORTED',
    match: /image-to-video assets need a video generation provider/,
  },
  'studio-sdk-speed.json': { code: 'VALIDATION_FAILED', match: /speed must be more than 0/ },
  'studio-sdk-svg.json': 'renders',
  'studio-sdk-text-to-rich-text.json': 'renders',
  'studio-sdk-tweens.json': { code: 'VALIDATION_FAILED', match: /skew\.x\[0\]\.from: Too small/ },
  'templates-automated-tiktok-video-science-facts.json': {
    code: 'NOT_SUPPORTED',
    match: /text-to-image assets need an image generation provider/,
  },
  'templates-breaking-news-intro.json': 'renders',
  'templates-car-sale-video.json': { code: 'VALIDATION_FAILED', match: /"Times New Roman" is not available/ },
  'templates-electric-car-for-sale.json': 'renders',
  'templates-grey-minimalist-product-ad-v2.json': 'renders',
  'templates-health-1-v2.json': { code: 'VALIDATION_FAILED', match: /"Lato Light" is not available/ },
  'templates-health-1.json': { code: 'VALIDATION_FAILED', match: /"Lato Black" is not available/ },
};

const ORIGINS = JSON.parse(await readFile(join(import.meta.dirname, 'origins.json'), 'utf8')) as Record<
  string,
  string
>;

/** What some edits are for, read from their frames: the parts that make the edit what it is. */
const CHECKS: Record<string, (out: string) => Promise<void>> = {
  // Shotstack's captions example: a "subtitle" title at the bottom with offset y −0.4 shows in the frame.
  'json-examples-captions.json': async (out) => {
    const f = await readFrame(out, 1.6);
    expect(brightIn(f, 0, 0.75, 1, 1), 'subtitle text in the bottom quarter').toBeGreaterThan(20);
  },
  // "Hello World" in the middle of a dark frame; the corners are the background.
  'cookbook-first-render.json': async (out) => {
    const f = await readFrame(out, 1);
    expect(brightIn(f, 0.25, 0.35, 0.75, 0.65)).toBeGreaterThan(40);
    expect(brightIn(f, 0, 0, 0.15, 0.2)).toBe(0);
  },
  // An orange square (svg, merge-filled colour) near the bottom left of a white frame (offset y < 0 is down).
  'studio-sdk-svg.json': async (out) => {
    const f = await readFrame(out, 1.5);
    const [r, g, b] = regionMean(f, 0.07, 0.89, 0.11, 0.93);
    expect([r > 200, g > 110 && g < 190, b < 80]).toEqual([true, true, true]);
    expect(regionMean(f, 0.45, 0.45, 0.55, 0.55)[2]).toBeGreaterThan(200);
  },
};

/** Pixels in a region (fractions of the frame) brighter than 200 on every channel. */
function brightIn(f: Awaited<ReturnType<typeof readFrame>>, x0: number, y0: number, x1: number, y1: number) {
  let n = 0;
  for (let y = Math.floor(y0 * f.height); y < Math.floor(y1 * f.height); y++)
    for (let x = Math.floor(x0 * f.width); x < Math.floor(x1 * f.width); x++) {
      const i = (y * f.width + x) * 4;
      if (f.data[i]! > 200 && f.data[i + 1]! > 200 && f.data[i + 2]! > 200) n++;
    }
  return n;
}

let dir: string;
const media: Record<string, string> = {};
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-conformance-'));
  const name = (p: string) => p.slice(FIXTURES.length + 1);
  media.video = name(await videoFixture());
  media.audio = name(await toneFixture());
  media.jpg = name(await jpegFixture());
  media.png = name(await imageFixture('white', true));
  await copyFile(join(builtinFontsDir(), 'OpenSans-Regular.ttf'), join(FIXTURES, 'conformance-font.ttf'));
  media.font = 'conformance-font.ttf';
  media.captions = name(await captionsFixture());
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The local file a published URL stands for, by what the URL says it is. */
function localFor(url: string): string {
  const path = url.toLowerCase().split('?')[0]!;
  if (/\.(mp4|mov|webm|m4v)$/.test(path)) return media.video!;
  if (/\.(srt|vtt)$/.test(path)) return media.captions!;
  if (/\.(mp3|wav|m4a|aac|ogg)$/.test(path)) return media.audio!;
  if (/\.png$/.test(path)) return media.png!;
  if (/\.(ttf|otf)$/.test(path)) {
    // The stand-in keeps the published file's name: Studio templates name a font family by it.
    const stem = url
      .split('?')[0]!
      .split('/')
      .pop()!
      .replace(/\.(ttf|otf)$/i, '');
    const named = `conformance-fonts/${stem.replace(/[^\w.-]/g, '_')}.ttf`;
    mkdirSync(join(FIXTURES, 'conformance-fonts'), { recursive: true });
    copyFileSync(join(FIXTURES, media.font!), join(FIXTURES, named));
    return named;
  }
  if (/\.(jpe?g)$/.test(path) || /jpe?g/.test(url)) return media.jpg!;
  throw new Error(`no local stand-in for ${url}`);
}

/**
 * The edit with its remote sources local and its output small: nothing else changes. A source is a `src`
 * URL, or a merge value that is one (templates fill `src` with `{{ IMAGE }}`).
 */
function localise(edit: Record<string, unknown>): Record<string, unknown> {
  const remote = (x: unknown): x is string => typeof x === 'string' && /^https?:\/\//.test(x);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        (k === 'src' || k === 'replace') && remote(x) ? localFor(x) : walk(x),
      ]),
    );
  };
  // A Shotstack template (POST /templates: { name, template }) wraps the edit it renders.
  const body = edit.template && typeof edit.template === 'object' ? (edit.template as typeof edit) : edit;
  const out = walk(body) as { output: Record<string, unknown> };
  const o = { ...out.output };
  const size = o.size as { width: number; height: number } | undefined;
  if (size) {
    const k = 320 / size.width;
    o.size = { width: Math.round((size.width * k) / 2) * 2, height: Math.round((size.height * k) / 2) * 2 };
  } else o.resolution = 'preview';
  o.range = { start: 0, length: RANGE };
  return { ...out, output: o };
}

const files = (await readdir(EDITS)).filter((f) => f.endsWith('.json')).sort();

describe('public Shotstack edits', () => {
  it('every gathered edit has a recorded outcome and its public origin', () => {
    expect(Object.keys(OUTCOMES).sort()).toEqual(files);
    expect(Object.keys(ORIGINS).sort()).toEqual(files);
    for (const url of Object.values(ORIGINS))
      expect(url).toMatch(/^https:\/\/(github\.com\/shotstack\/|shotstack\.io\/)/);
  });

  it.each(files)(
    '%s',
    async (file) => {
      const edit = localise(JSON.parse(await readFile(join(EDITS, file), 'utf8')));
      const out = join(dir, file.replace(/\.json$/, '.mp4'));
      const expected = OUTCOMES[file]!;
      if (HEAVY.includes(file) && !FULL) {
        expect(expected).toBe('renders');
        expect(parseEdit(edit).timeline.tracks.length).toBeGreaterThan(0);
        return;
      }
      let rendered;
      try {
        rendered = await renderEdit(edit, out);
      } catch (err) {
        if (expected === 'renders') throw err;
        expect(err).toBeInstanceOf(CutlineError);
        expect((err as CutlineError).code).toBe(expected.code);
        expect((err as CutlineError).message).toMatch(expected.match);
        return;
      }
      expect(expected).toBe('renders');
      const { spec, timeline } = rendered.input;
      const probe = await ffprobeJson(out);
      const video = probe.streams.find((s) => s.codec_type === 'video')!;
      expect([Number(video.width), Number(video.height)]).toEqual([spec.width, spec.height]);
      const length = Math.min(RANGE, timeline.duration);
      expect(Number(probe.format.duration)).toBeGreaterThan(length - 0.15);
      expect(Number(probe.format.duration)).toBeLessThan(length + 0.15);
      // Where a visual clip is on screen, the frame is not one flat colour.
      const visual = timeline.tracks
        .flat()
        .filter((c) => c.clip.asset.type !== 'audio' && c.start < length)
        .sort((a, b) => a.start - b.start)[0];
      if (!visual) return;
      const t = Math.min(
        length - 0.1,
        visual.start + Math.min(0.5, (Math.min(visual.end, length) - visual.start) / 2),
      );
      const f = await readFrame(out, t);
      let sum = 0;
      let sq = 0;
      const n = f.width * f.height;
      for (let i = 0; i < f.data.length; i += 4) {
        const y = 0.299 * f.data[i]! + 0.587 * f.data[i + 1]! + 0.114 * f.data[i + 2]!;
        sum += y;
        sq += y * y;
      }
      const sd = Math.sqrt(sq / n - (sum / n) ** 2);
      expect(sd, `frame at ${t.toFixed(2)} s of ${file}`).toBeGreaterThan(2);
      // Sound where the edit has some in the range (a soundtrack, audio, or a video that is not muted).
      const audible =
        !!rendered.input.edit.timeline.soundtrack ||
        timeline.tracks
          .flat()
          .some(
            (c) =>
              c.start < length &&
              (c.clip.asset.type === 'audio' || c.clip.asset.type === 'video') &&
              c.clip.asset.volume !== 0,
          );
      if (audible) expect(await meanVolume(out, 0, length), `sound in ${file}`).toBeGreaterThan(-45);
      await CHECKS[file]?.(out);
    },
    120_000,
  );
});
