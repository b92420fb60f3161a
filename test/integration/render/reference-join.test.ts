import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderAacPart, renderChunk, stitch } from '../../../lambdas/core/engine/chunks.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { joinLocalParts, readLocalPart } from '../../../lambdas/core/engine/reference-join.js';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { readBoxes } from '../../../lambdas/core/media/mp4-box.js';
import { joinLayout } from '../../../lambdas/core/media/mp4-join.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import { planRender } from '../../../lambdas/core/plan/planner.js';
import type { CompileInput } from '../../../lambdas/core/render/compile.js';
import { FIXTURES, toneFixture, videoFixture } from '../../helpers/fixtures.js';
import { ffprobeJson } from '../../helpers/media.js';

/**
 * The reference join (no ffmpeg) against today's concat-demuxer stitch, from the very same chunk and
 * audio parts: the same decoded frames and samples (framemd5 of both streams, exactly), the same timing,
 * a faststart file, seeks that decode the same frames, and Chromium plays and seeks it.
 */
const run = promisify(execFile);
const CHROMIUM = process.env.CUTLINE_CHROMIUM ?? '/usr/bin/chromium';

let dir: string;

interface Rendered {
  input: CompileInput;
  chunks: string[];
  aac: string[];
  totalSamples: number;
}

async function renderParts(edit: unknown, chunks: number, sub: string): Promise<Rendered> {
  const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e8 });
  const input = await prepareRender(parseEdit(edit), { resolver });
  const plan = planRender(input, { maxConcurrency: chunks, minAudioPartSeconds: 2 }, { chunks, local: true });
  const work = join(dir, sub);
  await run('mkdir', ['-p', work]);
  const files = await Promise.all(plan.chunks.map((c) => renderChunk(input, c, work, { threads: 1 })));
  const aac = await Promise.all(
    (plan.audio?.parts ?? []).map((p) => renderAacPart(input, plan, p, work, { threads: 1 })),
  );
  return { input, chunks: files, aac, totalSamples: plan.audio?.totalSamples ?? 0 };
}

const framemd5 = async (file: string, stream: string, pre: string[] = [], post: string[] = []) =>
  (
    await run(
      'ffmpeg',
      ['-v', 'error', ...pre, '-i', file, '-map', `0:${stream}`, ...post, '-f', 'framemd5', '-'],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    )
  ).stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));

const edit = (fps: number) => ({
  timeline: {
    soundtrack: { src: 'tone-440-16.wav', volume: 0.5 },
    tracks: [
      { clips: [{ asset: { type: 'title', text: 'joined', style: 'minimal' }, start: 0, length: 12 }] },
      { clips: [0, 4, 8].map((start) => ({ asset: { type: 'video', src: 'video.mp4' }, start, length: 4 })) },
    ],
  },
  output: {
    format: 'mp4',
    size: { width: 320, height: 180 },
    fps,
    metadata: { title: 'Joined', comment: 'by reference' },
  },
});

let r: Rendered;
let viaFfmpeg: string;
let viaReference: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-ref-join-'));
  await Promise.all([toneFixture(16, 440), videoFixture()]);
  r = await renderParts(edit(25), 4, 'a');
  viaFfmpeg = join(dir, 'stitch.mp4');
  viaReference = join(dir, 'reference.mp4');
  await stitch(r.input, r.chunks, { parts: r.aac, totalSamples: r.totalSamples }, viaFfmpeg, join(dir, 'a'));
  await joinLocalParts(
    r.chunks,
    { parts: r.aac, totalSamples: r.totalSamples },
    viaReference,
    r.input.edit.output.metadata,
  );
}, 180_000);

describe('the reference join', () => {
  it('decodes to the frames and samples of the ffmpeg stitch, with its timing and tags', async () => {
    expect(r.chunks.length).toBe(4);
    expect(r.aac.length).toBeGreaterThan(1);
    const [a, b] = await Promise.all([ffprobeJson(viaFfmpeg), ffprobeJson(viaReference)]);
    const pick = (s: Record<string, unknown>) => ({
      codec_type: s.codec_type,
      codec_name: s.codec_name,
      width: s.width,
      height: s.height,
      r_frame_rate: s.r_frame_rate,
      time_base: s.time_base,
      start_pts: s.start_pts,
      duration_ts: s.duration_ts,
      nb_frames: s.nb_frames,
      sample_rate: s.sample_rate,
      channels: s.channels,
      profile: s.profile,
    });
    expect(b.streams.map(pick)).toEqual(a.streams.map(pick));
    expect(Number(b.streams[1]!.duration_ts)).toBe(12 * 48_000);
    expect(b.format.duration).toBe(a.format.duration);
    expect(b.format.tags).toEqual(a.format.tags);
    expect(b.format.tags?.title).toBe('Joined');
    for (const s of ['v:0', 'a:0'])
      expect(await framemd5(viaReference, s), s).toEqual(await framemd5(viaFfmpeg, s));
  }, 120_000);

  it('is faststart: ftyp, moov, then one mdat', async () => {
    const file = await readFile(viaReference);
    const types = readBoxes(file).map((b) => b.type);
    expect(types).toEqual(['ftyp', 'moov', 'mdat']);
  });

  it('seeks to the frames the ffmpeg stitch seeks to', async () => {
    for (const at of ['0.5', '3.97', '6.2', '11.5']) {
      const opts = [
        ['-ss', at],
        ['-frames:v', '5'],
      ] as const;
      expect(await framemd5(viaReference, 'v:0', [...opts[0]], [...opts[1]]), `video at ${at}`).toEqual(
        await framemd5(viaFfmpeg, 'v:0', [...opts[0]], [...opts[1]]),
      );
      expect(await framemd5(viaReference, 'a:0', ['-ss', at], ['-frames:a', '20'])).toEqual(
        await framemd5(viaFfmpeg, 'a:0', ['-ss', at], ['-frames:a', '20']),
      );
    }
  }, 120_000);

  it('at 30000/1001 fps with audio in several blocks ahead of their video', async () => {
    const n = await renderParts({ ...edit(29.97) }, 3, 'ntsc');
    const ref = join(dir, 'ntsc-ref.mp4');
    const ff = join(dir, 'ntsc-ff.mp4');
    await stitch(n.input, n.chunks, { parts: n.aac, totalSamples: n.totalSamples }, ff, join(dir, 'ntsc'));
    const parts = await Promise.all(n.chunks.map((c) => readLocalPart(c)));
    const { readAacParts, writeLayout } = await import('../../../lambdas/core/engine/reference-join.js');
    // Small blocks: the audio is split, each block before the part it plays with.
    const layout = joinLayout(parts, await readAacParts(n.aac, n.totalSamples), {
      metadata: n.input.edit.output.metadata,
      audioBlockBytes: 50_000,
    });
    const kinds = layout.segments.slice(1).map((s) => ('bytes' in s ? 'audio' : 'video'));
    expect(kinds.filter((k) => k === 'audio').length).toBeGreaterThan(1);
    expect(kinds[0]).toBe('audio');
    await writeLayout(layout, n.chunks, ref);
    const [a, b] = await Promise.all([ffprobeJson(ff), ffprobeJson(ref)]);
    expect(b.streams.map((s) => [s.duration_ts, s.nb_frames, s.r_frame_rate])).toEqual(
      a.streams.map((s) => [s.duration_ts, s.nb_frames, s.r_frame_rate]),
    );
    for (const s of ['v:0', 'a:0']) expect(await framemd5(ref, s), s).toEqual(await framemd5(ff, s));
  }, 180_000);

  it('refuses parts that cannot share a track, naming the part', async () => {
    const other = await renderParts(
      { ...edit(25), output: { ...edit(25).output, size: { width: 160, height: 90 } } },
      2,
      'small',
    );
    await expect(
      joinLocalParts([r.chunks[0]!, other.chunks[1]!], null, join(dir, 'mixed.mp4')),
    ).rejects.toThrow(/chunk part 1 \(chunk-0001\.mp4\) has a different sample description/);
  }, 120_000);

  // Both files: one audio block, and the 29.97 fps one with its audio in blocks between the parts.
  it('plays in Chromium with its audio, and seeks near the end', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it), or set CUTLINE_CHROMIUM`,
      );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
    });
    try {
      for (const file of ['reference.mp4', 'ntsc-ref.mp4']) {
        const page = join(dir, `play-${file}.html`);
        await writeFile(page, `<video id="v" src="${file}" muted></video>`);
        const p = await browser.newPage();
        await p.goto(`file://${page}`);
        const result = await p.evaluate(async () => {
          const v = document.getElementById('v') as HTMLVideoElement & {
            webkitAudioDecodedByteCount?: number;
          };
          if (v.error) throw new Error(`video error ${v.error.code}: ${v.error.message}`);
          if (v.readyState < 1)
            await new Promise((ok, bad) => {
              v.onloadedmetadata = ok;
              v.onerror = () => bad(new Error(`video error ${v.error?.code}: ${v.error?.message}`));
            });
          await v.play();
          await new Promise((ok) => setTimeout(ok, 1500));
          const played = v.currentTime;
          const audioBefore = v.webkitAudioDecodedByteCount ?? -1;
          v.currentTime = v.duration - 1.5;
          await new Promise((ok) => (v.onseeked = ok));
          const seekedTo = v.currentTime;
          await new Promise((ok) => setTimeout(ok, 700));
          return {
            duration: v.duration,
            played,
            seekedTo,
            after: v.currentTime,
            audioBefore,
            audioAfter: v.webkitAudioDecodedByteCount ?? -1,
            width: v.videoWidth,
            error: (v.error as MediaError | null)?.code ?? null,
          };
        });
        expect(result.error, file).toBeNull();
        expect(result.duration, file).toBeCloseTo(12, 1);
        expect(result.width, file).toBe(320);
        expect(result.played, file).toBeGreaterThan(0.3);
        expect(result.seekedTo, file).toBeGreaterThan(10);
        expect(result.after, file).toBeGreaterThan(result.seekedTo);
        // Chromium counts the audio bytes it decoded: the audio plays, and goes on playing after the seek.
        expect(result.audioBefore, file).toBeGreaterThan(0);
        expect(result.audioAfter, file).toBeGreaterThan(result.audioBefore);
        await p.close();
      }
    } finally {
      await browser.close();
    }
  }, 90_000);
});
