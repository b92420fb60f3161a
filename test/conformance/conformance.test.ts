import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CutlineError } from '../../lambdas/core/errors.js';
import { parseEdit } from '../../lambdas/core/intake/parse-edit.js';
import { builtinFontsDir } from '../../lambdas/core/text/index.js';
import {
  FIXTURES,
  imageFixture,
  jpegFixture,
  renderEdit,
  toneFixture,
  videoFixture,
} from '../helpers/fixtures.js';
import { ffprobeJson, readFrame } from '../helpers/media.js';

/**
 * Conformance: public Shotstack example edits, kept as they were published (edits/: shotstack/json-examples
 * at 68f9a2b, and examples from shotstack.io's guide pages), with only their `src` URLs pointed at local
 * media ffmpeg makes and the output made small (preview size, the first RANGE seconds) so CI stays quick.
 * Each edit either renders — checked for size, length and that the frame is not blank where a clip shows —
 * or fails with the 4xx cutline gives for what it lacks. OUTCOMES is the record: a change in either
 * direction fails the test, so the README's count stays true.
 */
const EDITS = join(import.meta.dirname, 'edits');
const RANGE = 2;
/**
 * Edits too slow for every CI run (kinetic-text draws 34 html panels: about a minute on a loaded 2-core
 * machine) are validated there and rendered with CUTLINE_CONFORMANCE=full.
 */
const HEAVY = ['json-examples-kinetic-text.json'];
const FULL = process.env.CUTLINE_CONFORMANCE === 'full';

/** Why an edit does not render (code and a message fragment), or 'renders'. */
const OUTCOMES: Record<string, 'renders' | { code: string; match: RegExp }> = {
  'docs-aliases-captions.json': { code: 'NOT_SUPPORTED', match: /transcription provider/ },
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
};

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
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The local file a published URL stands for, by what the URL says it is. */
function localFor(url: string): string {
  const path = url.toLowerCase().split('?')[0]!;
  if (/\.(mp4|mov|webm|m4v)$/.test(path)) return media.video!;
  if (/\.(mp3|wav|m4a|aac|ogg)$/.test(path)) return media.audio!;
  if (/\.png$/.test(path)) return media.png!;
  if (/\.(ttf|otf)$/.test(path)) return media.font!;
  if (/\.(jpe?g)$/.test(path) || /jpe?g/.test(url)) return media.jpg!;
  throw new Error(`no local stand-in for ${url}`);
}

/** The edit with its remote sources local and its output small: nothing else changes. */
function localise(edit: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k === 'src' && typeof x === 'string' && /^https?:\/\//.test(x) ? localFor(x) : walk(x),
      ]),
    );
  };
  const out = walk(edit) as { output: Record<string, unknown> };
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
  it('every gathered edit has a recorded outcome', () => {
    expect(Object.keys(OUTCOMES).sort()).toEqual(files);
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
    },
    120_000,
  );
});
