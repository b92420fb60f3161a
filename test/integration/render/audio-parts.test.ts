import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { renderOnThisMachine } from '../../../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import { planRender } from '../../../lambdas/core/plan/planner.js';
import type { CompileInput } from '../../../lambdas/core/render/compile.js';
import { FIXTURES, imageFixture, toneFixture } from '../../helpers/fixtures.js';
import { decodePcm, ffmpeg, ffprobeJson } from '../../helpers/media.js';

/**
 * Audio in AAC parts joined by stream copy must sound like the single pass: the same samples (up to AAC
 * coding noise), the same length, nothing at the seams. Tolerances: AAC at 192 kb/s codes these tones
 * with an error ~ −40 dB; a part encoded with pre-roll differs from the single pass by the same order, a
 * seam without pre-roll clicks at ~0.06 full scale (measured), a gap or a shifted part at ~0.5.
 */
const MAX_DIFF = 0.01;
const MAX_REL_RMS_DB = -30;

let dir: string;
let input: CompileInput;

// Five 15 s clips with 1 s crossfades (0–15, 14–29, …, 56–71 s), two tones so a misplaced part shows,
// over a quiet looping soundtrack that fades in and out.
const clips = [0, 14, 28, 42, 56].map((start, i) => ({
  asset: { type: 'audio', src: i % 2 ? 'tone-660-16.wav' : 'tone-440-16.wav', trim: 0.25 },
  start,
  length: 15,
}));
const edit = {
  timeline: {
    soundtrack: { src: 'tone-330-6.wav', effect: 'fadeInFadeOut', volume: 0.2 },
    tracks: [
      { clips },
      { clips: [{ asset: { type: 'image', src: 'image-red.png' }, start: 0, length: 71 }] },
    ],
  },
  output: { format: 'mp4', size: { width: 64, height: 36 }, fps: 12 },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-audio-parts-'));
  await Promise.all([toneFixture(16, 440), toneFixture(16, 660), toneFixture(6, 330), imageFixture('red')]);
  const resolver = new LocalSourceResolver({
    mediaRoot: FIXTURES,
    baseDir: FIXTURES,
    maxSourceBytes: 100 * 1024 * 1024,
  });
  input = await prepareRender(parseEdit(edit), { resolver });
}, 60_000);

function compare(a: Float32Array, b: Float32Array, from = 0, to = Math.min(a.length, b.length)) {
  let max = 0;
  let err = 0;
  let ref = 0;
  for (let i = from; i < to; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > max) max = d;
    err += d * d;
    ref += a[i]! * a[i]!;
  }
  return { max, relRmsDb: 10 * Math.log10(err / ref) };
}

const audioStream = async (file: string) =>
  (await ffprobeJson(file)).streams.find((s) => s.codec_type === 'audio')!;

describe('audio parts joined by stream copy', () => {
  it('match the single-pass mix sample for sample (length, seams, level)', async () => {
    const plan = planRender(input, { maxConcurrency: 3 }, { chunks: 3, local: true });
    const parts = plan.audio!.parts;
    expect(parts.length).toBe(3);
    const single = join(dir, 'single.mp4');
    const chunked = join(dir, 'chunked.mp4');
    await renderOnThisMachine(input, { output: single, chunks: 1 });
    await renderOnThisMachine(input, { output: chunked, chunks: 3, concurrency: 2 });

    // Same length in samples, by the container and by decoding.
    const [sa, ca] = await Promise.all([audioStream(single), audioStream(chunked)]);
    expect(ca.duration_ts).toBe(sa.duration_ts);
    expect(Number(sa.duration_ts)).toBe(71 * 48_000);
    const [a, b] = await Promise.all([decodePcm(single), decodePcm(chunked)]);
    expect(b.length).toBe(a.length);

    const whole = compare(a, b);
    expect(whole.max).toBeLessThan(MAX_DIFF);
    expect(whole.relRmsDb).toBeLessThan(MAX_REL_RMS_DB);
    // Around every seam (±50 ms): no click, no gap.
    for (const part of parts.slice(1)) {
      const at = part.startSample * 2;
      const seam = compare(a, b, at - 4800, at + 4800);
      expect(seam.max, `seam at sample ${part.startSample}`).toBeLessThan(MAX_DIFF);
      // A gap or a dropped frame would take energy away: within 5 % of the single pass's, ±10 ms.
      let got = 0;
      let want = 0;
      for (let i = at - 960; i < at + 960; i++) {
        got += b[i]! * b[i]!;
        want += a[i]! * a[i]!;
      }
      expect(got / want, 'no gap at the seam').toBeGreaterThan(0.95);
      expect(got / want, 'no click at the seam').toBeLessThan(1.05);
    }
  }, 240_000);

  it('the single pass is the sum of its sources: a hand-written adelay + amix mix of the same clips', async () => {
    const out = join(dir, 'only-clips.m4a');
    const e = parseEdit({
      ...edit,
      timeline: { tracks: [{ clips }] },
      output: { format: 'mp4', size: { width: 64, height: 36 }, fps: 12 },
    });
    const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e8 });
    const only = await prepareRender(e, { resolver });
    const rendered = join(dir, 'only-clips.mp4');
    await renderOnThisMachine(only, { output: rendered, chunks: 1 });
    // The reference: each clip trimmed, faded over its 1 s overlaps (tri), delayed to its start, summed.
    const inputs = clips.flatMap((c) => ['-i', join(FIXTURES, c.asset.src)]);
    const chains = clips.map((c, i) => {
      const fades = [
        i > 0 ? 'afade=t=in:st=0:d=1:curve=tri' : '',
        i < clips.length - 1 ? 'afade=t=out:st=14:d=1:curve=tri' : '',
      ].filter(Boolean);
      return `[${i}:a]atrim=start=0.25:duration=15,asetpts=N/SR/TB,${fades.join(',')},adelay=delays=${c.start * 48000}S:all=1[c${i}]`;
    });
    const graph = `${chains.join(';')};${clips.map((_, i) => `[c${i}]`).join('')}amix=inputs=${clips.length}:normalize=0:dropout_transition=0`;
    await ffmpeg([...inputs, '-filter_complex', graph, '-c:a', 'aac', '-b:a', '192k', out]);
    const [ref, got] = await Promise.all([decodePcm(out), decodePcm(rendered)]);
    const n = Math.min(ref.length, got.length);
    expect(Math.abs(ref.length - got.length)).toBeLessThanOrEqual(2 * 1024 * 2);
    const c = compare(ref, got, 0, n);
    expect(c.max).toBeLessThan(MAX_DIFF * 2);
    expect(c.relRmsDb).toBeLessThan(MAX_REL_RMS_DB);
  }, 120_000);
});
