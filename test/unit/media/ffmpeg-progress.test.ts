import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { progressParser } from '../../../lambdas/core/media/ffmpeg-progress.js';

const block = (frame: string, outTimeUs: string, progress = 'continue') =>
  `frame=${frame}\nfps=25.00\nbitrate=N/A\nout_time_us=${outTimeUs}\nout_time=00:00:00.000000\nspeed=1x\nprogress=${progress}\n`;

describe('progressParser (pure)', () => {
  it('reads frame and out_time_us of each block; the fraction is over the expected duration', () => {
    const p = progressParser(4);
    expect(p.push(block('25', '1000000') + block('50', '2000000'))).toEqual([
      { frame: 25, outSeconds: 1, fraction: 0.25, end: false },
      { frame: 50, outSeconds: 2, fraction: 0.5, end: false },
    ]);
    expect(p.push(block('100', '4200000', 'end'))).toEqual([
      { frame: 100, outSeconds: 4.2, fraction: 1, end: true },
    ]);
  });

  it('joins lines split across pipe reads, and reports a block only when its progress= line is complete', () => {
    const text = block('12', '480000') + block('37', '1480000');
    const p = progressParser();
    const seen = [];
    // Every split point, one character at a time: the pipe may cut anywhere.
    for (const ch of text) seen.push(...p.push(ch));
    expect(seen).toEqual([
      { frame: 12, outSeconds: 0.48, fraction: 0, end: false },
      { frame: 37, outSeconds: 1.48, fraction: 0, end: false },
    ]);
    expect(progressParser().push('frame=9\nprogress=contin')).toEqual([]);
  });

  it('keeps the last good value when ffmpeg says N/A (before the first packet) and ignores other keys', () => {
    const p = progressParser(10);
    expect(p.push(block('0', 'N/A'))).toEqual([{ frame: 0, outSeconds: 0, fraction: 0, end: false }]);
    p.push(block('30', '3000000'));
    expect(p.push(block('N/A', 'N/A'))).toEqual([{ frame: 30, outSeconds: 3, fraction: 0.3, end: false }]);
    expect(p.push('stream_0_0_q=28.0\ndup_frames=0\nframe=  41 \r\nprogress=continue\r\n')).toEqual([
      { frame: 41, outSeconds: 3, fraction: 0.3, end: false },
    ]);
  });

  it('parses what a real ffmpeg writes with -progress pipe:1: frames climb to the output’s count', () => {
    const run = spawnSync(
      'ffmpeg',
      [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=s=64x36:r=25:d=2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-progress',
        'pipe:1',
        '-stats_period',
        '0.05',
        '-f',
        'null',
        '-',
      ],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const blocks = progressParser(2).push(run.stdout);
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    const last = blocks[blocks.length - 1]!;
    expect(last).toMatchObject({ frame: 50, end: true });
    expect(last.outSeconds).toBeCloseTo(2, 1);
    for (let i = 1; i < blocks.length; i++)
      expect(blocks[i]!.frame).toBeGreaterThanOrEqual(blocks[i - 1]!.frame);
    expect(blocks.filter((b) => b.end)).toHaveLength(1);
  });
});
