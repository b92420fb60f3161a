import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import {
  compileRender,
  type CompileInput,
  type CompileOptions,
} from '../../../lambdas/core/render/compile.js';
import {
  colorVideoFixture,
  FIXTURES,
  imageFixture,
  toneFixture,
  videoFixture,
} from '../../helpers/fixtures.js';

const run = promisify(execFile);

// 4 s at 25 fps: a (testsrc2 with a tone, trimmed) crossfades into a green clip over 2.0–2.6 s, under a
// picture-in-picture, a logo and a title, over a soundtrack: the bench's edit in small.
const edit = {
  timeline: {
    soundtrack: { src: 'tone-330-6.wav', volume: 0.5 },
    tracks: [
      { clips: [{ asset: { type: 'title', text: 'Base', style: 'minimal' }, start: 0.5, length: 2 }] },
      {
        clips: [
          {
            asset: { type: 'image', src: 'image-red.png' },
            start: 0,
            length: 4,
            fit: 'contain',
            scale: 0.15,
            position: 'bottomLeft',
          },
        ],
      },
      {
        clips: [
          {
            asset: { type: 'video', src: 'video.mp4', volume: 0 },
            start: 1,
            length: 2,
            fit: 'contain',
            scale: 0.3,
            position: 'topRight',
          },
        ],
      },
      {
        clips: [
          { asset: { type: 'video', src: 'video.mp4', trim: 0.5 }, start: 0, length: 2.6 },
          { asset: { type: 'video', src: 'color-green-3.mp4' }, start: 2, length: 2 },
        ],
      },
    ],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 }, fps: 25 },
};

let base: CompileInput;
/** The same input with the pixel formats forgotten: the compiler then draws every clip over a black frame. */
let layered: CompileInput;

/** MD5 of every decoded frame and audio packet (PCM) of a compiled render, without encoding it. */
async function frameHashes(input: CompileInput, options: Partial<CompileOptions> = {}) {
  const compiled = compileRender(input, { output: '-', ...options });
  const at =
    compiled.args.indexOf('-c:v') >= 0 ? compiled.args.indexOf('-c:v') : compiled.args.indexOf('-c:a');
  const args = [
    ...compiled.args.slice(0, at),
    ...(compiled.hasAudio ? ['-c:a', 'pcm_f32le'] : []),
    '-f',
    'framemd5',
    '-',
  ];
  const { stdout } = await run('ffmpeg', ['-v', 'error', ...args], { maxBuffer: 64 * 1024 * 1024 });
  const lines = stdout.split('\n').filter((l) => l && !l.startsWith('#'));
  const pick = (stream: string) =>
    lines.filter((l) => l.split(',')[0]!.trim() === stream).map((l) => l.split(',')[5]!.trim());
  return { graph: compiled.graph, args: compiled.args, video: pick('0'), audio: pick('1') };
}

beforeAll(async () => {
  await Promise.all([videoFixture(), colorVideoFixture('green', 3), imageFixture('red'), toneFixture()]);
  const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e8 });
  base = await prepareRender(parseEdit(edit), { resolver });
  const media = new Map(
    [...base.media].map(([k, v]) => [k, { ...v, probe: { ...v.probe, pixelFormat: undefined } }]),
  );
  layered = { ...base, media };
}, 60_000);

describe('opaque full-frame clips are the base (real ffmpeg)', () => {
  it('draws the same frames and the same sound as the layered path, from fewer inputs and no black base', async () => {
    const [fast, slow] = [await frameHashes(base), await frameHashes(layered)];
    expect(fast.graph).toContain('concat=n=');
    expect(fast.graph).not.toContain('trim=end_frame=100[bg');
    expect(slow.graph).toContain('trim=end_frame=100[bg');
    expect(fast.video).toHaveLength(100);
    const differ = fast.video.flatMap((h, i) => (h === slow.video[i] ? [] : [i]));
    expect(differ).toEqual([]);
    expect(fast.audio.length).toBeGreaterThan(0);
    expect(fast.audio).toEqual(slow.audio);
    // The crossfading clip's file is opened once for picture and sound.
    const opens = (args: string[]) => args.filter((a) => a.endsWith('/video.mp4')).length;
    expect(opens(fast.args)).toBe(2); // the pip, and the first clip's picture and sound
    expect(opens(slow.args)).toBe(2);
  }, 60_000);

  it('a luma matte, a tween or a skew on the bottom track keeps the layered path (a black base)', async () => {
    const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e8 });
    const bottom = { asset: { type: 'video', src: 'color-green-3.mp4' }, start: 0, length: 2 };
    const tween = [{ from: 1, to: 1.5, start: 0, length: 2 }];
    const variants = {
      plain: [bottom],
      luma: [bottom, { asset: { type: 'luma', src: 'image-red.png' }, start: 0, length: 2 }],
      scale: [{ ...bottom, scale: tween }],
      offset: [{ ...bottom, offset: { x: [{ from: 0, to: 0.5, start: 0, length: 2 }] } }],
      opacity: [{ ...bottom, opacity: [{ from: 0, to: 1, start: 0, length: 2 }] }],
      skew: [{ ...bottom, transform: { skew: { x: 0.2 } } }],
    };
    const graphs: Record<string, string> = {};
    for (const [name, clips] of Object.entries(variants)) {
      const input = await prepareRender(
        parseEdit({ timeline: { tracks: [{ clips }] }, output: edit.output }),
        { resolver },
      );
      graphs[name] = compileRender(input, { output: '-' }).graph;
    }
    const black = (g: string) => g.includes('trim=end_frame=50[bg');
    expect(black(graphs.plain!)).toBe(false);
    for (const name of ['luma', 'scale', 'offset', 'opacity', 'skew'])
      expect([name, black(graphs[name]!)]).toEqual([name, true]);
  }, 60_000);

  it('chunk windows across the crossfade join to the single pass, frame for frame', async () => {
    const whole = await frameHashes(base, { streams: 'video' });
    const parts = [];
    for (const [startFrame, endFrame] of [
      [0, 53],
      [53, 65],
      [65, 100],
    ] as const)
      parts.push(...(await frameHashes(base, { streams: 'video', window: { startFrame, endFrame } })).video);
    expect(parts).toEqual(whole.video);
  }, 60_000);
});
