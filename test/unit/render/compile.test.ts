import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import type { Clip } from '../../../lambdas/core/edit/schema.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import type { ProbeResult } from '../../../lambdas/core/media/probe.js';
import { sourceInputOptions } from '../../../lambdas/core/media/source-input.js';
import {
  compileRender,
  defaultWindow,
  type CompileInput,
  type CompileOptions,
} from '../../../lambdas/core/render/compile.js';
import { outputSpec } from '../../../lambdas/core/render/output-spec.js';
import { resolveTimeline } from '../../../lambdas/core/render/timeline.js';
import type { MediaEntry } from '../../../lambdas/core/render/visual.js';
import { FontRegistry } from '../../../lambdas/core/text/fonts.js';

const run = promisify(execFile);
const fonts = FontRegistry.builtin();
const FONTS_DIR = dirname(fonts.resolve(undefined, 400).path);

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
/** What probing would have found; paths are made up (nothing is read). */
const MEDIA = new Map<string, MediaEntry>([
  [
    'a.mp4',
    {
      path: '/media/a.mp4',
      probe: probe({ durationSeconds: 4, hasVideo: true, hasAudio: true, width: 320, height: 180, fps: 25 }),
    },
  ],
  [
    'red.png',
    { path: '/media/red.png', probe: probe({ hasVideo: true, isImage: true, width: 200, height: 200 }) },
  ],
  ['tone.wav', { path: '/media/tone.wav', probe: probe({ durationSeconds: 6, hasAudio: true }) }],
]);
const intrinsic = (clip: Clip): number | null => {
  const a = clip.asset;
  if (a.type !== 'video' && a.type !== 'audio') return null;
  const d = MEDIA.get(a.src)?.probe.durationSeconds;
  return d ? d - (a.trim ?? 0) : null;
};

function inputOf(raw: unknown): CompileInput {
  const edit = parseEdit(raw);
  const timeline = resolveTimeline(edit, intrinsic);
  return { edit, timeline, spec: outputSpec(edit.output), media: MEDIA, captions: new Map(), fonts };
}

/** The source allowlists before every `-i` (media/source-input; these fixtures' probes name no format). */
const ALLOWLISTS = ` ${sourceInputOptions('/media/x').join(' ')} -i `;

/**
 * Compiles; the graph gets a stable font directory and the command line shows it as <graph>. Every
 * input must be opened with the source allowlists; `cmd` leaves them out so the snapshots stay readable.
 */
function compile(raw: unknown, options: Partial<CompileOptions> = {}) {
  const r = compileRender(inputOf(raw), { output: '/out/render', ...options });
  const at = r.args.indexOf('-filter_complex');
  expect(r.args[at + 1]).toBe(r.graph);
  const line = r.args.map((a, i) => (i === at + 1 ? '<graph>' : a)).join(' ');
  expect(line.split(' -i ').length).toBe(line.split(ALLOWLISTS).length);
  return {
    ...r,
    graph: r.graph.split(FONTS_DIR).join('<fonts>'),
    cmd: line.split(ALLOWLISTS).join(' -i '),
  };
}

type Json = Record<string, unknown>;
const size = { width: 320, height: 180 };
const edit = (tracks: Json[][], output: Json = { format: 'mp4', size }, timeline: Json = {}): Json => ({
  timeline: { ...timeline, tracks: tracks.map((clips) => ({ clips })) },
  output,
});
const video = (extra: Json = {}, asset: Json = {}): Json => ({
  asset: { type: 'video', src: 'a.mp4', ...asset },
  start: 0,
  length: 2,
  ...extra,
});
const image = (extra: Json = {}): Json => ({
  asset: { type: 'image', src: 'red.png' },
  start: 0,
  length: 2,
  ...extra,
});

describe('compileRender: golden graphs', () => {
  it('a single video clip', () => {
    const r = compile(edit([[video()]]));
    expect(r.graph).toMatchInlineSnapshot(`
      "color=c=0x000000@1:s=320x180:r=25,format=pix_fmts=yuv420p,trim=end_frame=50[bg0];
      [0:v]setpts=PTS+0/TB,fps=fps=25,trim=start_pts=0:end_pts=50[p1];
      [p1]scale=w=320:h=180,setsar=r=1,setpts=PTS-0[p2];
      [bg0][p2]overlay=x=0:y=0:eof_action=pass:eval=init[p3];
      [p3]format=pix_fmts=yuv420p[vout];
      anullsrc=r=48000:cl=stereo,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=end_sample=96000[p4];
      [0:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=N/SR/TB,atrim=end_sample=96000,volume=volume=1[p5];
      [p4][p5]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[p6];
      [p6]atrim=start_sample=0:end_sample=96000,asetpts=PTS-STARTPTS[p7]"
    `);
    expect(r.cmd).toMatchInlineSnapshot(
      `"-hide_banner -nostdin -y -t 2.25 -i /media/a.mp4 -filter_complex <graph> -map [vout] -map [p7] -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -g 50 -x264-params open-gop=0 -r 25 -c:a aac -b:a 192k -ar 48000 -movflags +faststart -metadata encoder=cutline /out/render"`,
    );
    expect([r.window, r.frames, r.durationSeconds, r.hasVideo, r.hasAudio]).toEqual([
      { startFrame: 0, endFrame: 50 },
      50,
      2,
      true,
      true,
    ]);
  });

  it('an image at topRight, scale 0.25, with a fade in', () => {
    const r = compile(edit([[image({ position: 'topRight', scale: 0.25, transition: { in: 'fade' } })]]));
    expect(r.graph).toMatchInlineSnapshot(`
      "color=c=0x000000@1:s=320x180:r=25,format=pix_fmts=yuv420p,trim=end_frame=50[bg0];
      [0:v]scale=w=80:h=80,setsar=r=1,crop=w=80:h=46,loop=loop=49:size=1:start=0,settb=expr=1/25,setpts=N+0,format=pix_fmts=yuva420p,sendcmd=c=0.0000-0.0200 lutyuv@fadein_0_0 a val*0.0000\\;0.0200-0.0600 lutyuv@fadein_0_0 a val*0.0175\\;0.0600-0.1000 lutyuv@fadein_0_0 a val*0.0635\\;0.1000-0.1400 lutyuv@fadein_0_0 a val*0.1297\\;0.1400-0.1800 lutyuv@fadein_0_0 a val*0.2090\\;0.1800-0.2200 lutyuv@fadein_0_0 a val*0.2955\\;0.2200-0.2600 lutyuv@fadein_0_0 a val*0.3845\\;0.2600-0.3000 lutyuv@fadein_0_0 a val*0.4724\\;0.3000-0.3400 lutyuv@fadein_0_0 a val*0.5563\\;0.3400-0.3800 lutyuv@fadein_0_0 a val*0.6341\\;0.3800-0.4200 lutyuv@fadein_0_0 a val*0.7045\\;0.4200-0.4600 lutyuv@fadein_0_0 a val*0.7666\\;0.4600-0.5000 lutyuv@fadein_0_0 a val*0.8202\\;0.5000-0.5400 lutyuv@fadein_0_0 a val*0.8652\\;0.5400-0.5800 lutyuv@fadein_0_0 a val*0.9021\\;0.5800-0.6200 lutyuv@fadein_0_0 a val*0.9314\\;0.6200-0.6600 lutyuv@fadein_0_0 a val*0.9540\\;0.6600-0.7000 lutyuv@fadein_0_0 a val*0.9707\\;0.7000-0.7400 lutyuv@fadein_0_0 a val*0.9825\\;0.7400-0.7800 lutyuv@fadein_0_0 a val*0.9904\\;0.7800-0.8200 lutyuv@fadein_0_0 a val*0.9953\\;0.8200-0.8600 lutyuv@fadein_0_0 a val*0.9981\\;0.8600-0.9000 lutyuv@fadein_0_0 a val*0.9994\\;0.9000-0.9400 lutyuv@fadein_0_0 a val*0.9999\\;0.9400-0.9800 lutyuv@fadein_0_0 a val*1.0000\\;0.9800-1.0200 lutyuv@fadein_0_0 a val*1.0000\\;1.0200-1000000 lutyuv@fadein_0_0 a val*1,lutyuv@fadein_0_0=a=val,setpts=PTS-0[p1];
      [bg0][p1]overlay=x=240:y=0:eof_action=pass:eval=init[p2];
      [p2]format=pix_fmts=yuv420p[vout];
      anullsrc=r=48000:cl=stereo,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=end_sample=96000[p3];
      [p3]atrim=start_sample=0:end_sample=96000,asetpts=PTS-STARTPTS[p4]"
    `);
    expect(r.cmd).toMatchInlineSnapshot(
      `"-hide_banner -nostdin -y -i /media/red.png -filter_complex <graph> -map [vout] -map [p4] -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -g 50 -x264-params open-gop=0 -r 25 -c:a aac -b:a 192k -ar 48000 -movflags +faststart -metadata encoder=cutline /out/render"`,
    );
  });

  it('a title over a video, with a soundtrack fading in', () => {
    const r = compile(
      edit(
        [[{ asset: { type: 'title', text: 'Hello' }, start: 0.5, length: 1 }], [video({ length: 4 })]],
        { format: 'mp4', size },
        {
          soundtrack: { src: 'tone.wav', effect: 'fadeIn' },
        },
      ),
    );
    expect(r.graph).toMatchInlineSnapshot(`
      "color=c=0x000000@1:s=320x180:r=25,format=pix_fmts=yuv420p,trim=end_frame=100[bg0];
      [0:v]setpts=PTS+0/TB,fps=fps=25,trim=start_pts=0:end_pts=100[p1];
      [p1]scale=w=320:h=180,setsar=r=1,setpts=PTS-0[p2];
      [bg0][p2]overlay=x=0:y=0:eof_action=pass:eval=init[p3];
      color=c=0x000000@0:s=36x19:r=25,format=pix_fmts=rgba,trim=end_frame=1,format=pix_fmts=rgba,lutrgb=r=255:g=255:b=255:a=0,drawtext=fontfile=<fonts>/OpenSans-Regular.ttf:text=Hello:expansion=none:fontsize=14:fontcolor=0xffffff@1:x=1+(34-tw)/2:y=15-ascent[p4];
      [p4]loop=loop=24:size=1:start=0,settb=expr=1/25,setpts=N+13,setpts=PTS-0[p5];
      [p3][p5]overlay=x=142:y=81:eof_action=pass:eval=init[p6];
      [p6]format=pix_fmts=yuv420p[vout];
      anullsrc=r=48000:cl=stereo,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=end_sample=192000[p7];
      [1:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=N/SR/TB,atrim=end_sample=192000,volume=volume=1,afade=t=in:st=0:d=1.5:curve=tri[p8];
      [0:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=N/SR/TB,atrim=end_sample=192000,volume=volume=1[p9];
      [p7][p8][p9]amix=inputs=3:duration=first:dropout_transition=0:normalize=0[p10];
      [p10]atrim=start_sample=0:end_sample=192000,asetpts=PTS-STARTPTS[p11]"
    `);
    expect(r.cmd).toMatchInlineSnapshot(
      `"-hide_banner -nostdin -y -t 4.25 -i /media/a.mp4 -stream_loop -1 -vn -i /media/tone.wav -filter_complex <graph> -map [vout] -map [p11] -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -g 50 -x264-params open-gop=0 -r 25 -c:a aac -b:a 192k -ar 48000 -movflags +faststart -metadata encoder=cutline /out/render"`,
    );
    // Track 0 is the top layer: the video is overlaid first, the title last.
    expect(r.graph.indexOf('text=Hello')).toBeGreaterThan(r.graph.indexOf('[0:v]'));
    // The title is on screen from frame 13 (0.5 s → first frame at or after) for 25 frames.
    expect(r.graph).toContain('loop=loop=24:size=1:start=0,settb=expr=1/25,setpts=N+13');
    // The soundtrack fades in over 1.5 s and is cut to the timeline.
    expect(r.graph).toContain('atrim=end_sample=192000,volume=volume=1,afade=t=in:st=0:d=1.5:curve=tri');
  });
});

describe('compileRender: windows and stream selection', () => {
  it('a video window seeks the input and keeps absolute frame numbers', () => {
    const r = compile(edit([[video({ length: 3 }, { trim: 1 })]]), {
      window: { startFrame: 25, endFrame: 50 },
      streams: 'video',
    });
    expect(r.graph).toMatchInlineSnapshot(`
      "color=c=0x000000@1:s=320x180:r=25,format=pix_fmts=yuv420p,trim=end_frame=25[bg0];
      [0:v]setpts=PTS+0/TB,fps=fps=25,trim=start_pts=25:end_pts=50[p1];
      [p1]scale=w=320:h=180,setsar=r=1,setpts=PTS-25[p2];
      [bg0][p2]overlay=x=0:y=0:eof_action=pass:eval=init[p3];
      [p3]format=pix_fmts=yuv420p[vout]"
    `);
    expect(r.cmd).toMatchInlineSnapshot(
      `"-hide_banner -nostdin -y -ss 1 -t 2.25 -an -i /media/a.mp4 -filter_complex <graph> -map [vout] -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -g 50 -x264-params open-gop=0 -r 25 -movflags +faststart /out/render"`,
    );
    expect(r.graph).toContain('trim=start_pts=25:end_pts=50');
    expect(r.graph).toContain('setpts=PTS-25[');
    expect(r.cmd).toContain('-ss 1 -t 2.25 -an -i /media/a.mp4');
    expect([r.frames, r.durationSeconds, r.hasVideo, r.hasAudio]).toEqual([25, 1, true, false]);
    expect(r.cmd).not.toContain('-c:a');
    expect(r.cmd).not.toContain('encoder=cutline');
  });

  it('the seek point follows the window on an untrimmed source (a second early, then exact)', () => {
    const r = compile(edit([[video({ length: 4 })]]), {
      window: { startFrame: 50, endFrame: 75 },
      streams: 'video',
    });
    expect(r.cmd).toContain('-ss 1 -t 2.25 -an -i /media/a.mp4');
    expect(r.graph).toContain('[0:v]setpts=PTS+1/TB,fps=fps=25,trim=start_pts=50:end_pts=75');
    expect(r.graph).toContain('setpts=PTS-50[');
    const first = compile(edit([[video({ length: 4 })]]), {
      window: { startFrame: 0, endFrame: 25 },
      streams: 'video',
    });
    expect(first.cmd).toContain('-nostdin -y -t 1.25 -an -i /media/a.mp4');
  });

  it('streams "audio" renders only the mix, cut to the window', () => {
    const r = compile(edit([[video({ length: 3 })]]), {
      window: { startFrame: 25, endFrame: 50 },
      streams: 'audio',
    });
    expect(r.graph).toMatchInlineSnapshot(`
      "anullsrc=r=48000:cl=stereo,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=end_sample=48000[p0];
      [0:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=N/SR/TB,atrim=end_sample=96000,volume=volume=1,atrim=start_sample=0:end_sample=48000,asetpts=PTS-STARTPTS[p1];
      [p0][p1]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[p2];
      [p2]atrim=start_sample=0:end_sample=48000,asetpts=PTS-STARTPTS[p3]"
    `);
    expect(r.cmd).toMatchInlineSnapshot(
      `"-hide_banner -nostdin -y -ss 1 -t 2.15 -vn -i /media/a.mp4 -filter_complex <graph> -map [p3] -c:a aac -b:a 192k -ar 48000 -movflags +faststart /out/render"`,
    );
    expect(r.cmd).not.toContain('[vout]');
    expect(r.cmd).not.toContain('-c:v');
    expect([r.hasVideo, r.hasAudio]).toEqual([false, true]);
  });

  it('threads are passed to every decoder, the filter graph and the encoder', () => {
    const r = compile(edit([[image()]]), { threads: 2 });
    expect(r.cmd).toContain('-nostdin -y -filter_complex_threads 2 -threads 2 -i /media/red.png');
    // The filter graph's threads can be set apart (one filter thread on two cores: plan/threads.ts).
    const apart = compile(edit([[image()]]), { threads: 2, filterThreads: 1 });
    expect(apart.cmd).toContain('-nostdin -y -filter_complex_threads 1 -threads 2 -i /media/red.png');
    expect(compile(edit([[image()]]), { filterThreads: 1 }).cmd).toContain(
      '-nostdin -y -filter_complex_threads 1 -i /media/red.png',
    );
    expect(r.cmd).toContain('-r 25 -threads 2 -c:a aac');
  });
});

describe('compileRender: formats', () => {
  it('gif: split → palettegen → paletteuse, no audio, loops unless repeat is false', () => {
    const r = compile(edit([[image({ length: 1 })]], { format: 'gif', size, fps: 12 }));
    expect(r.graph).toMatchInlineSnapshot(`
      "color=c=0x000000@1:s=320x180:r=12,format=pix_fmts=yuv420p,trim=end_frame=12[bg0];
      [0:v]scale=w=320:h=320,setsar=r=1,crop=w=320:h=180,loop=loop=11:size=1:start=0,settb=expr=1/12,setpts=N+0,setpts=PTS-0[p1];
      [bg0][p1]overlay=x=0:y=0:eof_action=pass:eval=init[p2];
      [p2]split[g3][g4];
      [g3]palettegen=stats_mode=diff[p5];
      [g4][p5]paletteuse=dither=bayer:bayer_scale=4[vout]"
    `);
    expect(r.cmd).toMatchInlineSnapshot(
      `"-hide_banner -nostdin -y -i /media/red.png -filter_complex <graph> -map [vout] -c:v gif -r 12 -loop 0 -metadata encoder=cutline /out/render"`,
    );
    const once = compile(edit([[image({ length: 1 })]], { format: 'gif', size, repeat: false }));
    expect(once.cmd).toContain('-loop -1');
  });

  it('jpg: one frame at output.range.start, no audio', () => {
    const r = compile(
      edit([[image({ length: 1 })]], { format: 'jpg', size, range: { start: 0.5, length: 1 } }),
    );
    expect(r.graph).toMatchInlineSnapshot(`
      "color=c=0x000000@1:s=320x180:r=25,format=pix_fmts=yuv420p,trim=end_frame=1[bg0];
      [0:v]scale=w=320:h=320,setsar=r=1,crop=w=320:h=180,loop=loop=0:size=1:start=0,settb=expr=1/25,setpts=N+13,setpts=PTS-13[p1];
      [bg0][p1]overlay=x=0:y=0:eof_action=pass:eval=init[p2];
      [p2]format=pix_fmts=yuv420p[vout]"
    `);
    expect(r.cmd).toMatchInlineSnapshot(
      `"-hide_banner -nostdin -y -i /media/red.png -filter_complex <graph> -map [vout] -c:v mjpeg -q:v 2 -frames:v 1 -update 1 -metadata encoder=cutline /out/render"`,
    );
    expect(r.window).toEqual({ startFrame: 13, endFrame: 14 });
  });

  it('png: rgb24, one frame, clamped to the last frame when range.start is past the end', () => {
    const r = compile(
      edit([[image({ length: 1 })]], { format: 'png', size, range: { start: 5, length: 1 } }),
    );
    expect(r.window).toEqual({ startFrame: 24, endFrame: 25 });
    expect(r.graph).toContain('format=pix_fmts=rgb24[vout]');
    expect(r.cmd).toContain('-c:v png -frames:v 1 -update 1');
  });

  it('mp3: audio only — no background, no video map', () => {
    const r = compile(
      edit([[image({ length: 1 })]], { format: 'mp3', size }, { soundtrack: { src: 'tone.wav' } }),
    );
    expect(r.graph).toMatchInlineSnapshot(`
      "anullsrc=r=48000:cl=stereo,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=end_sample=48000[p0];
      [0:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=N/SR/TB,atrim=end_sample=48000,volume=volume=1[p1];
      [p0][p1]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[p2];
      [p2]atrim=start_sample=0:end_sample=48000,asetpts=PTS-STARTPTS[p3]"
    `);
    expect(r.cmd).toMatchInlineSnapshot(
      `"-hide_banner -nostdin -y -stream_loop -1 -vn -i /media/tone.wav -filter_complex <graph> -map [p3] -c:a libmp3lame -b:a 192k -ar 48000 -metadata encoder=cutline /out/render"`,
    );
    expect(r.graph).not.toContain('color=');
    expect(r.cmd).not.toContain('/media/red.png');
  });

  it('29.97 fps uses exact rationals everywhere', () => {
    const r = compile(edit([[image({ length: 1 })]], { format: 'mp4', size, fps: 29.97 }));
    expect(r.graph).toContain('color=c=0x000000@1:s=320x180:r=30000/1001');
    expect(r.graph).toContain('settb=expr=1001/30000');
    expect(r.frames).toBe(30);
    expect(r.cmd).toContain('-g 60 -x264-params open-gop=0 -r 30000/1001');
  });
});

describe('compileRender: errors', () => {
  const errorOf = (fn: () => unknown): CutlineError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof CutlineError) return err;
      throw err;
    }
    throw new Error('expected a CutlineError');
  };

  it('a source that was not resolved', () => {
    const input = inputOf(
      edit([[image()], [{ asset: { type: 'image', src: 'missing.png' }, start: 0, length: 1 }]]),
    );
    const err = errorOf(() => compileRender(input, { output: '/out/x.mp4' }));
    expect(err.code).toBe('SOURCE_NOT_FOUND');
    expect(err.message).toBe('timeline.tracks[1].clips[0].asset.src: source was not resolved: missing.png');
  });

  it('an output.range that starts after the timeline', () => {
    const input = inputOf(
      edit([[image({ length: 1 })]], { format: 'mp4', size, range: { start: 2, length: 1 } }),
    );
    const err = errorOf(() => defaultWindow(input));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details).toEqual([
      { path: 'output.range.start', message: 'is after the end of the timeline (1 s)' },
    ]);
  });

  it('nothing to render: a muted mp3, or gif audio', () => {
    const mp3 = inputOf(edit([[image()]], { format: 'mp3', mute: true }));
    expect(errorOf(() => compileRender(mp3, { output: '/out/x.mp3' })).message).toBe(
      'output: nothing to render (no video and no audio)',
    );
    const gif = inputOf(edit([[image()]], { format: 'gif', size }));
    expect(errorOf(() => compileRender(gif, { output: '/out/x.gif', streams: 'audio' })).code).toBe(
      'VALIDATION_FAILED',
    );
  });
});

describe('compileRender: user text is escaped', () => {
  const text = `a:b'c\\d,e;f[g]h%{pts}`;
  const titleEdit = edit([[{ asset: { type: 'title', text, size: 'small' }, start: 0, length: 0.2 }]]);

  it('appears in the graph only in escaped form', () => {
    const r = compile(titleEdit);
    expect(r.graph).toContain(`:text=\\'a:b\\'\\\\\\'\\'c\\\\d\\,e\\;f\\[g\\]h%{pts}\\':expansion=none:`);
    expect(r.graph.split('%{pts}')).toHaveLength(2);
    // Without the escaped characters, no quote is left and every ; , [ ] is the graph's own.
    const bare = r.graph.replace(/\\./g, '');
    expect(bare).not.toContain("'");
    expect(bare.split(';').length).toBe(r.graph.split(';\n').length);
  });

  it('the compiled command runs in ffmpeg', async () => {
    const r = compileRender(inputOf(titleEdit), { output: '/out/title.mp4' });
    expect(r.frames).toBe(5);
    const args = [...r.args.slice(0, -1), '-f', 'null', '-'];
    await run('ffmpeg', ['-v', 'error', ...args]);
  });
});
