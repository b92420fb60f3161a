import { describe, expect, it } from 'vitest';
import type { Clip } from '../../../lambdas/core/edit/schema.js';
import { filter, printFilter, type FilterNode } from '../../../lambdas/core/filtergraph/graph.js';
import { curveValue } from '../../../lambdas/core/render/motion.js';
import {
  alphaFilters,
  easedFade,
  holdStill,
  layerMotion,
  lookFilters,
  motionFilters,
  windowRelative,
} from '../../../lambdas/core/render/visual.js';

const print = (nodes: readonly FilterNode[]) => nodes.map(printFilter).join(',');
const clip = (extra: Partial<Clip> = {}): Clip =>
  ({ asset: { type: 'image', src: 'x.png' }, start: 0, length: 4, ...extra }) as Clip;
const timed = { start: 2, end: 6, length: 4 };
const size = { width: 320, height: 180 };
const fps = { num: 25, den: 1 };

describe('buildLayer phases', () => {
  it('layerMotion: a crossfade overlap is a fade in, unless the clip names its own transition', () => {
    expect(layerMotion(clip(), timed, 0.5)).toEqual({ tIn: { kind: 'fade', duration: 0.5 } });
    expect(layerMotion(clip({ transition: { in: 'wipeLeft' } }), timed, 0.5).tIn).toEqual({
      kind: 'wipeLeft',
      duration: 1,
    });
    expect(layerMotion(clip({ effect: 'zoomInSlow' }), timed, 0)).toEqual({
      effect: { kind: 'zoomIn', amount: 0.1 }, // c1: Shotstack's Slow zoom reaches 1.1×
    });
  });

  it('lookFilters: filter, then flips, in that order', () => {
    expect(
      print(lookFilters(clip({ filter: 'greyscale', transform: { flip: { horizontal: true } } }), size)),
    ).toBe('hue=s=0,hflip');
    expect(lookFilters(clip(), size)).toEqual([]);
  });

  it('holdStill: a still is looped over its frames and stamped from vs; video passes as it is', () => {
    expect(print(holdStill(false, 13, 38, fps))).toBe(
      'loop=loop=24:size=1:start=0,settb=expr=1/25,setpts=N+13',
    );
    expect(print(holdStill(false, 0, 30, { num: 30000, den: 1001 }))).toContain('settb=expr=1001/30000');
    expect(holdStill(true, 13, 38, fps)).toEqual([]);
  });

  it('motionFilters: slides crop a larger copy over the clip; zooms go through zoompan and restamp', () => {
    expect(motionFilters(timed, size, {}, 50, fps)).toEqual([]);
    const slide = print(
      motionFilters(timed, size, layerMotion(clip({ effect: 'slideLeft' }), timed, 0), 50, fps),
    );
    expect(slide).toBe('scale=w=396:h=224,crop=w=320:h=180:x=(iw-ow)*clip((t-2)/4\\,0\\,1):y=(ih-oh)/2');
    const zoom = print(motionFilters(timed, size, { tIn: { kind: 'zoom', duration: 1 } }, 50, fps));
    expect(zoom).toMatch(/^zoompan=z=.*:d=1:s=320x180:fps=25,setpts=PTS\+50$/);
  });

  it('alphaFilters: only clips that need alpha get yuva420p; rotation grows the layer', () => {
    expect(alphaFilters(clip(), timed, size, {})).toEqual({ filters: [], size });
    const fade = alphaFilters(clip(), timed, size, { tIn: { kind: 'fade', duration: 1 } });
    expect(print(fade.filters)).toBe('format=pix_fmts=yuva420p,fade=t=in:st=2:d=1:alpha=1');
    const half = alphaFilters(clip({ opacity: 0.5 }), timed, size, { tOut: { kind: 'fade', duration: 0.5 } });
    expect(print(half.filters)).toBe(
      'format=pix_fmts=yuva420p,lutyuv=a=val*0.5,fade=t=out:st=5.5:d=0.5:alpha=1',
    );
    const rotated = alphaFilters(clip({ transform: { rotate: { angle: 90 } } }), timed, size, {});
    expect(rotated.size).toEqual({ width: 180, height: 320 });
    expect(print(rotated.filters)).toMatch(
      /^format=pix_fmts=yuva420p,rotate=a=1.570796:ow=180:oh=320:c=none$/,
    );
    const wipe = print(
      alphaFilters(clip(), timed, size, { tIn: { kind: 'wipeRight', duration: 1 } }).filters,
    );
    expect(wipe).toContain('a=if(lt(X\\,W*'); // wipeRight uncovers from the left edge
    expect(wipe).toContain('enable=between(t\\,2\\,3)');
  });

  it('windowRelative: timestamps move back by the window start', () => {
    expect(printFilter(windowRelative({ startFrame: 75, endFrame: 100 }))).toBe('setpts=PTS-75');
  });
});

describe('easedFade', () => {
  it("sets the alpha factor per frame to the curve's value at that frame's time, then holds", () => {
    const [send, lut] = easedFade(
      { kind: 'fade', duration: 1, curve: 'smooth' },
      true,
      2,
      { num: 25, den: 1 },
      '3_1',
    );
    expect(lut).toEqual(filter('lutyuv@fadein_3_1', { a: 'val' }));
    const cmds = String((send!.args as Record<string, unknown>).c).split(';');
    // Frames 50…75 (2 s to 3 s), then one open interval after.
    expect(cmds).toHaveLength(27);
    expect(cmds[0]).toBe('1.9800-2.0200 lutyuv@fadein_3_1 a val*0.0000');
    expect(cmds[6]).toBe(`2.2200-2.2600 lutyuv@fadein_3_1 a val*${curveValue(0.24, 'smooth').toFixed(4)}`);
    expect(cmds[26]).toBe('3.0200-1000000 lutyuv@fadein_3_1 a val*1');
    const out = easedFade(
      { kind: 'fade', duration: 0.5, curve: 'smooth' },
      false,
      1,
      { num: 25, den: 1 },
      'x',
    );
    const last = String((out[0]!.args as Record<string, unknown>).c).split(';');
    // The clip ends at 1.5 s: frame 37 (1.48 s) is almost gone, frame 38 is gone.
    expect(last.at(-3)).toBe(
      `1.4600-1.5000 lutyuv@fadeout_x a val*${(1 - curveValue(0.96, 'smooth')).toFixed(4)}`,
    );
    expect(last.at(-2)).toBe('1.5000-1.5400 lutyuv@fadeout_x a val*0.0000');
  });
});
