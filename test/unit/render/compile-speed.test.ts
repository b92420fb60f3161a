import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import type { Clip } from '../../../lambdas/core/edit/schema.js';
import type { ProbeResult } from '../../../lambdas/core/media/probe.js';
import { compileRender, type CompileOptions } from '../../../lambdas/core/render/compile.js';
import { outputSpec } from '../../../lambdas/core/render/output-spec.js';
import { resolveTimeline } from '../../../lambdas/core/render/timeline.js';
import { decodeTail, type MediaEntry } from '../../../lambdas/core/render/visual.js';
import { FontRegistry } from '../../../lambdas/core/text/fonts.js';

/** What the compiler leaves out when it can: a black base, whole-clip alpha, second opens, part faststart. */
const probe = (p: Partial<ProbeResult>): ProbeResult => ({
  durationSeconds: null,
  hasVideo: false,
  hasAudio: false,
  isImage: false,
  width: 0,
  height: 0,
  rotation: 0,
  fps: null,
  bytes: 1000,
  ...p,
});
const av = (path: string) => ({
  path,
  probe: probe({
    durationSeconds: 6,
    hasVideo: true,
    hasAudio: true,
    width: 320,
    height: 180,
    fps: 25,
    pixelFormat: 'yuv420p',
  }),
});
const MEDIA = new Map<string, MediaEntry>([
  ['a.mp4', av('/media/a.mp4')],
  ['b.mp4', av('/media/b.mp4')],
  [
    'logo.png',
    {
      path: '/media/logo.png',
      probe: probe({ hasVideo: true, isImage: true, width: 50, height: 50, pixelFormat: 'rgba' }),
    },
  ],
]);
const intrinsic = (clip: Clip) => (clip.asset.type === 'video' ? 6 : null);
const fonts = FontRegistry.builtin();

function compile(tracks: unknown[][], options: Partial<CompileOptions> = {}) {
  const edit = parseEdit({
    timeline: { tracks: tracks.map((clips) => ({ clips })) },
    output: { format: 'mp4', size: { width: 320, height: 180 }, fps: 25 },
  });
  const input = {
    edit,
    timeline: resolveTimeline(edit, intrinsic),
    spec: outputSpec(edit.output),
    media: MEDIA,
    captions: new Map(),
    fonts,
  };
  const r = compileRender(input, { output: '/out/x.mp4', ...options });
  return { ...r, cmd: r.args.join(' ') };
}
const a = { asset: { type: 'video', src: 'a.mp4' }, start: 0, length: 3 };
const b = { asset: { type: 'video', src: 'b.mp4', trim: 1 }, start: 2, length: 3 };
const logo = {
  asset: { type: 'image', src: 'logo.png' },
  start: 0,
  length: 5,
  scale: 0.2,
  position: 'topLeft',
};

describe('compileRender: no black base under opaque full-frame clips', () => {
  it('a crossfade joins its pieces; only the 1 s overlap is converted to alpha and blended', () => {
    const r = compile([[logo], [a, b]]);
    // The one frame at the overlap's end (a has ended, b's fade is not done) is over the background, as
    // the layered path draws it; no full-length black frame is made.
    expect(r.graph).toContain('color=c=0x000000@1:s=320x180:r=25,format=pix_fmts=yuv420p,trim=end_frame=1[');
    expect(r.graph).toContain('concat=n=4:v=1:a=0,settb=expr=1/25,setpts=N');
    // b's fade, once on the overlap piece and once on that frame: nothing else is converted to alpha.
    expect(r.graph.split('format=pix_fmts=yuva420p')).toHaveLength(3);
    expect(r.graph).toMatch(
      /trim=start_pts=50:end_pts=75,format=pix_fmts=yuva420p,fade=t=in:st=2:d=1:alpha=1,setpts=PTS-50/,
    );
    // a before the overlap, b after it: plain pieces, no alpha, no blend.
    expect(r.graph).toContain('trim=start_pts=0:end_pts=50,setpts=PTS-0');
    expect(r.graph).toContain('trim=start_pts=76:end_pts=125,setpts=PTS-76');
    // Blends for the overlap (two pieces) and the logo: no full-frame overlay of a or b.
    expect(r.graph.match(/overlay=/g)).toHaveLength(3);
  });

  it('a window (chunk) keeps only its pieces, window-relative', () => {
    const r = compile([[a, b]], { window: { startFrame: 60, endFrame: 100 }, streams: 'video' });
    expect(r.graph).toMatch(
      /trim=start_pts=60:end_pts=75,format=pix_fmts=yuva420p,fade=t=in:st=2:d=1:alpha=1,setpts=PTS-60/,
    );
    expect(r.graph).toContain('concat=n=3:v=1:a=0');
    expect(r.frames).toBe(40);
  });

  it('one opaque clip over the whole window is the base as it is', () => {
    const r = compile([[logo], [{ ...a, length: 5 }]]);
    expect(r.graph).not.toContain('concat');
    expect(r.graph).not.toContain('color=c=');
    expect(r.graph).toContain('[0:v]setpts=PTS+0/TB,fps=fps=25,trim=start_pts=0:end_pts=125[');
  });

  it('a clip that does not fill the frame keeps the background and the layered path', () => {
    const r = compile([[{ ...a, scale: 0.5 }]]);
    expect(r.graph).toContain('color=c=0x000000@1:s=320x180');
    expect(r.graph).not.toContain('concat');
  });
});

describe('compileRender: each source opened once', () => {
  it('a clip with sound reads picture and sound from one input', () => {
    const r = compile([[a]]);
    expect(r.cmd.match(/-i \/media\/a\.mp4/g)).toHaveLength(1);
    expect(r.cmd).not.toContain('-vn');
    expect(r.cmd).not.toContain('-an');
    expect(r.graph).toContain('[0:a]aresample');
  });

  it('the sound seeks with the picture (a second early) and drops the difference sample-exactly', () => {
    const r = compile([[{ ...b, start: 0 }]]);
    expect(r.cmd.match(/-i \/media\/b\.mp4/g)).toHaveLength(1);
    expect(r.cmd).toContain('-t 4.25 -protocol_whitelist');
    expect(r.graph).toContain('[0:a]atrim=start=1,aresample');
    const late = compile([[{ ...b, start: 0, asset: { ...b.asset, trim: 2.5 } }]]);
    expect(late.cmd).toContain('-ss 1.5 -t 4.25 -protocol_whitelist');
    expect(late.graph).toContain('[0:a]atrim=start=1,aresample');
  });

  it('a muted clip keeps -an; the video of a chunk is opened without its sound', () => {
    const muted = compile([[{ ...a, asset: { ...a.asset, volume: 0 } }]]);
    expect(muted.cmd).toContain('-an -protocol_whitelist');
    const chunk = compile([[a]], { window: { startFrame: 0, endFrame: 25 }, streams: 'video' });
    expect(chunk.cmd).toContain('-t 1.25 -an -protocol_whitelist');
  });
});

describe('compileRender: faststart only on the final file', () => {
  it('a part has no +faststart; the final file has it', () => {
    expect(compile([[a]]).cmd).toContain('-movflags +faststart');
    expect(compile([[a]], { part: true, streams: 'video' }).cmd).not.toContain('faststart');
  });
});

describe('decodeTail: how far past its end a video clip is decoded', () => {
  it('three source frames, at least a quarter second, a second when the rate is unknown', () => {
    expect(decodeTail(25)).toBe(0.25);
    expect(decodeTail(5)).toBeCloseTo(0.6, 10);
    expect(decodeTail(2)).toBe(1);
    expect(decodeTail(null)).toBe(1);
    expect(decodeTail(0)).toBe(1);
  });
});
