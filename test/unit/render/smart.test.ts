import { describe, expect, it } from 'vitest';
import { smartRenderEnabled } from '../../../lambdas/core/config.js';
import { cutPoints, parsePackets, type VideoIndex } from '../../../lambdas/core/media/video-index.js';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { outputSpec } from '../../../lambdas/core/render/output-spec.js';
import { resolveTimeline } from '../../../lambdas/core/render/timeline.js';
import { copyCandidates, planSmart, sourceMismatch } from '../../../lambdas/core/render/smart.js';

const FPS = { num: 30, den: 1 };
const TB = { num: 1, den: 15360 };
const tick = 512; // one frame at 30 fps in 1/15360

/** Packets of an x264-like stream: GOPs of `gop` frames, each I P B B … in decode order (closed GOPs). */
function closedGops(frames: number, gop: number): Array<{ pts: number; dts: number; key: boolean }> {
  const out: Array<{ pts: number; dts: number; key: boolean }> = [];
  let dts = -2 * tick;
  for (let g = 0; g < frames; g += gop) {
    const n = Math.min(gop, frames - g);
    out.push({ pts: g * tick, dts, key: true });
    dts += tick;
    // Display order g+1 … g+n-1 sent as pairs: the later one first (a P), then the earlier (a B).
    for (let k = 1; k < n; k += 2) {
      const later = Math.min(k + 1, n - 1);
      out.push({ pts: (g + later) * tick, dts, key: false });
      dts += tick;
      if (later !== k) {
        out.push({ pts: (g + k) * tick, dts, key: false });
        dts += tick;
      }
    }
  }
  return out;
}

const index = (over: Partial<VideoIndex> = {}): VideoIndex => ({
  codec: 'h264',
  pixelFormat: 'yuv420p',
  width: 640,
  height: 360,
  sar: '1:1',
  fieldOrder: 'progressive',
  fps: FPS,
  leadSeconds: 0,
  frames: 600,
  constantRate: true,
  cutFrames: Array.from({ length: 21 }, (_, i) => i * 30),
  ...over,
});

function setup(clips: unknown[], extraTracks: unknown[] = [], output: Record<string, unknown> = {}) {
  const edit = parseEdit({
    timeline: { tracks: [...extraTracks, { clips }] },
    output: { format: 'mp4', size: { width: 640, height: 360 }, fps: 30, ...output },
  });
  const timeline = resolveTimeline(edit, () => 20);
  const spec = outputSpec(edit.output);
  const total = Math.round(timeline.duration * 30);
  return { edit, timeline, spec, window: { startFrame: 0, endFrame: total } };
}

const sources = (i: VideoIndex = index()) => new Map([['a.mp4', { index: i, probe: { rotation: 0 } }]]);
const opts = { minCopyFrames: 30 };

describe('video index: clean cut points from packets', () => {
  it('parses ffprobe CSV (pts,dts,flags) and skips packets without a pts', () => {
    expect(parsePackets('0,-1024,K__\n1024,-512,__\nN/A,0,__\n512,0,_D\n')).toEqual([
      { pts: 0, dts: -1024, key: true },
      { pts: 1024, dts: -512, key: false },
      { pts: 512, dts: 0, key: false },
    ]);
  });

  it('lists every keyframe of closed GOPs and the end of the stream', () => {
    const r = cutPoints(closedGops(95, 30), TB, FPS);
    expect(r).toEqual({ frames: 95, constantRate: true, cutFrames: [0, 30, 60, 90, 95] });
  });

  it('leaves out a keyframe that a later packet is shown before (an open GOP)', () => {
    const packets = closedGops(90, 30);
    // Move a B frame of GOP 2 (display 31) to display 29 (before the keyframe at 30): it refers back.
    const i = packets.findIndex((p) => p.pts === 31 * tick);
    const j = packets.findIndex((p) => p.pts === 29 * tick);
    packets[i]!.pts = 29 * tick;
    packets[j]!.pts = 31 * tick;
    expect(cutPoints(packets, TB, FPS).cutFrames).not.toContain(30);
  });

  it('cuts nothing in a stream whose frames are off the frame grid (variable rate)', () => {
    const packets = closedGops(60, 30);
    packets[5]!.pts += 100;
    expect(cutPoints(packets, TB, FPS)).toEqual({ frames: 60, constantRate: false, cutFrames: [0, 60] });
  });
});

describe('smart planner', () => {
  it('copies a lone untouched clip between the first and last keyframes of its span', () => {
    const s = setup([{ asset: { type: 'video', src: 'a.mp4', trim: 0.5 }, start: 0, length: 4.2 }]);
    expect(copyCandidates(s)).toEqual(['a.mp4']);
    // Output f shows source f + 15: source cut points 30…120 inside [15, 141).
    expect(planSmart(s, sources(), opts)).toEqual([
      { kind: 'encode', startFrame: 0, endFrame: 15 },
      { kind: 'copy', startFrame: 15, endFrame: 105, src: 'a.mp4', sourceFrame: 30 },
      { kind: 'encode', startFrame: 105, endFrame: 126 },
    ]);
  });

  it('copies to the end of the source where the clip runs to it', () => {
    const s = setup([{ asset: { type: 'video', src: 'a.mp4', trim: 18 }, start: 0, length: 2 }]);
    expect(planSmart(s, sources(), opts)).toEqual([
      { kind: 'copy', startFrame: 0, endFrame: 60, src: 'a.mp4', sourceFrame: 540 },
    ]);
  });

  it('encodes the frames another layer covers and copies around them', () => {
    const s = setup(
      [{ asset: { type: 'video', src: 'a.mp4' }, start: 0, length: 6 }],
      [{ clips: [{ asset: { type: 'title', text: 'x' }, start: 2.5, length: 1 }] }],
    );
    expect(planSmart(s, sources(), opts)).toEqual([
      { kind: 'copy', startFrame: 0, endFrame: 60, src: 'a.mp4', sourceFrame: 0 },
      { kind: 'encode', startFrame: 60, endFrame: 120 },
      { kind: 'copy', startFrame: 120, endFrame: 180, src: 'a.mp4', sourceFrame: 120 },
    ]);
  });

  it('encodes crossfades, effects, filters, speed, scale, offsets and transitions', () => {
    const touched = [
      { effect: 'zoomIn' },
      { filter: 'greyscale' },
      { scale: 0.5 },
      { offset: { x: 0.1 } },
      { transition: { in: 'fade' } },
      { transform: { flip: { horizontal: true } } },
    ];
    for (const extra of touched) {
      const s = setup([{ asset: { type: 'video', src: 'a.mp4' }, start: 0, length: 6, ...extra }]);
      expect(planSmart(s, sources(), opts).map((x) => x.kind)).toEqual(['encode']);
    }
    const sped = setup([{ asset: { type: 'video', src: 'a.mp4', speed: 2 }, start: 0, length: 3 }]);
    expect(planSmart(sped, sources(), opts).map((x) => x.kind)).toEqual(['encode']);
    // A crossfade: the overlap has two clips on screen; each clip's other frames may still be copied.
    const xf = setup([
      { asset: { type: 'video', src: 'a.mp4' }, start: 0, length: 4 },
      { asset: { type: 'video', src: 'a.mp4', trim: 4 }, start: 3, length: 4 },
    ]);
    const plan = planSmart(xf, sources(), opts);
    for (const seg of plan.filter((p) => p.kind === 'copy'))
      expect(seg.endFrame <= 90 || seg.startFrame >= 120).toBe(true);
  });

  it('encodes everything when the source is not coded as the output', () => {
    const s = setup([{ asset: { type: 'video', src: 'a.mp4' }, start: 0, length: 6 }]);
    for (const bad of [
      { codec: 'hevc' },
      { pixelFormat: 'yuv422p' },
      { width: 1280 },
      { sar: '4:3' },
      { fps: { num: 25, den: 1 } },
      { constantRate: false },
      { fieldOrder: 'tt' },
      { leadSeconds: 0.04 },
    ]) {
      expect(sourceMismatch(index(bad), { rotation: 0 }, s.spec)).not.toBeNull();
      expect(planSmart(s, sources(index(bad)), opts).map((x) => x.kind)).toEqual(['encode']);
    }
    expect(sourceMismatch(index(), { rotation: 90 }, s.spec)).toMatch(/rotated/);
    expect(sourceMismatch(index(), { rotation: 0 }, s.spec)).toBeNull();
  });

  it('copies nothing into webm, gif or a scaled output, or off the frame grid', () => {
    const clip = { asset: { type: 'video', src: 'a.mp4' }, start: 0, length: 6 };
    expect(copyCandidates(setup([clip], [], { format: 'webm' }))).toEqual([]);
    expect(copyCandidates(setup([clip], [], { format: 'gif' }))).toEqual([]);
    const offGrid = setup([{ ...clip, asset: { ...clip.asset, trim: 0.01 } }]);
    expect(planSmart(offGrid, sources(), opts).map((x) => x.kind)).toEqual(['encode']);
  });

  it('encodes a copy shorter than the minimum', () => {
    const s = setup([{ asset: { type: 'video', src: 'a.mp4', trim: 0.5 }, start: 0, length: 1.6 }]);
    // Source [15, 63): the only whole GOP is 30–60, shorter than 60 frames.
    expect(planSmart(s, sources(), { minCopyFrames: 60 }).map((x) => x.kind)).toEqual(['encode']);
    expect(planSmart(s, sources(), { minCopyFrames: 30 }).map((x) => x.kind)).toEqual([
      'encode',
      'copy',
      'encode',
    ]);
  });
});

describe('smart rendering setting', () => {
  it('is on unless CUTLINE_SMART_RENDER says off', () => {
    const before = process.env.CUTLINE_SMART_RENDER;
    try {
      delete process.env.CUTLINE_SMART_RENDER;
      expect(smartRenderEnabled()).toBe(true);
      for (const off of ['off', 'OFF', '0', 'false', 'no']) {
        process.env.CUTLINE_SMART_RENDER = off;
        expect(smartRenderEnabled()).toBe(false);
      }
      process.env.CUTLINE_SMART_RENDER = 'on';
      expect(smartRenderEnabled()).toBe(true);
    } finally {
      if (before === undefined) delete process.env.CUTLINE_SMART_RENDER;
      else process.env.CUTLINE_SMART_RENDER = before;
    }
  });
});
