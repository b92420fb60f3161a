import { describe, expect, it } from 'vitest';
import { adtsFrames, sliceAdts } from '../../../lambdas/core/media/adts.js';
import {
  AAC_FRAME,
  audioPartCount,
  joinedFrames,
  joinTimingFilter,
  planAudioParts,
  PREROLL_FRAMES,
} from '../../../lambdas/core/render/audio-parts.js';
import { planRender } from '../../../lambdas/core/plan/planner.js';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { resolveTimeline } from '../../../lambdas/core/render/timeline.js';
import { outputSpec } from '../../../lambdas/core/render/output-spec.js';

describe('planAudioParts', () => {
  it('cuts on AAC frames, covers every sample once, and keeps exactly the joined stream’s frames', () => {
    for (const [total, count] of [
      [480_000, 3],
      [71 * 48_000, 3],
      [1024 * 10, 10],
      [3600 * 48_000, 200],
      [1000, 4],
    ] as const) {
      const parts = planAudioParts(total, count);
      expect(parts[0]!.startSample).toBe(0);
      expect(parts.at(-1)!.endSample).toBe(total);
      let kept = 0;
      parts.forEach((p, i) => {
        if (i > 0) expect(p.startSample).toBe(parts[i - 1]!.endSample);
        expect(p.startSample % AAC_FRAME).toBe(0);
        expect(p.encodeFrom).toBe(Math.max(0, p.startSample - PREROLL_FRAMES * AAC_FRAME));
        expect(p.encodeTo).toBeGreaterThanOrEqual(p.endSample);
        expect(p.encodeTo).toBeLessThanOrEqual(total);
        // Frames the encoder writes for [encodeFrom, encodeTo): one priming frame, then one per 1024.
        const written = Math.ceil((p.encodeTo - p.encodeFrom) / AAC_FRAME) + 1;
        const keep = p.keepFrames ?? written - p.skipFrames;
        expect(p.skipFrames + keep).toBeLessThanOrEqual(written);
        kept += keep;
      });
      expect(kept).toBe(joinedFrames(total));
    }
  });

  it('never plans more parts than frames, nor parts shorter than the minimum', () => {
    expect(planAudioParts(2048, 10)).toHaveLength(2);
    expect(audioPartCount(71 * 48_000, 3)).toBe(3);
    expect(audioPartCount(44 * 48_000, 3)).toBe(2);
    expect(audioPartCount(8 * 48_000, 2)).toBe(1);
    expect(audioPartCount(8 * 48_000, 2, 2)).toBe(2);
    // Long windows split further (no part over a minute), up to the Map's item budget.
    expect(audioPartCount(3600 * 48_000, 2)).toBe(60);
    expect(audioPartCount(3600 * 48_000, 200)).toBe(200);
    expect(audioPartCount(36_000 * 48_000, 2)).toBe(200);
  });

  it('the join filter times frame 0 as priming and shortens the last frame to the samples left', () => {
    expect(joinTimingFilter(480_000)).toBe(
      'setts=time_base=1/48000:ts=N*1024-1024:duration=if(eq(N\\,469)\\,768\\,1024)',
    );
    expect(joinTimingFilter(2048)).toContain('if(eq(N\\,2)\\,1024\\,1024)');
  });
});

describe('ADTS frames', () => {
  const frame = (len: number, fill: number) => {
    const b = Buffer.alloc(len, fill);
    b[0] = 0xff;
    b[1] = 0xf1;
    b[3] = (len >> 11) & 0x03;
    b[4] = (len >> 3) & 0xff;
    b[5] = ((len & 0x07) << 5) | 0x1f;
    return b;
  };
  const data = Buffer.concat([frame(10, 1), frame(12, 2), frame(9, 3), frame(20, 4)]);

  it('splits on the header lengths and keeps whole frames', () => {
    expect(adtsFrames(data).map((f) => f.length)).toEqual([10, 12, 9, 20]);
    expect([...sliceAdts(data, 1, 2)].filter((_, i) => i === 9 || i === 20)).toEqual([2, 3]);
    expect(sliceAdts(data, 1, 2).length).toBe(21);
    expect(sliceAdts(data, 2, null).length).toBe(29);
  });

  it('fails loudly on a truncated or foreign stream, or frames that are not there', () => {
    expect(() => adtsFrames(data.subarray(0, 20))).toThrow(/truncated ADTS frame at byte 10/);
    expect(() => adtsFrames(Buffer.from('not audio at all'))).toThrow(/no ADTS frame header at byte 0/);
    expect(() => sliceAdts(data, 3, 2)).toThrow(/needed frames 3–5 of 4/);
  });
});

describe('the planner’s audio parts', () => {
  const build = (seconds: number, format: 'mp4' | 'webm' = 'mp4') => {
    const edit = parseEdit({
      timeline: {
        soundtrack: { src: 'a.mp3' },
        tracks: [{ clips: [{ asset: { type: 'image', src: 'a.png' }, start: 0, length: seconds }] }],
      },
      output: { format, resolution: 'sd' },
    });
    return { edit, timeline: resolveTimeline(edit, () => null), spec: outputSpec(edit.output) };
  };

  it('an MP4 in chunks gets one part per chunk, at least minAudioPartSeconds each; its samples are the window’s', () => {
    const plan = planRender(build(120), { maxConcurrency: 4 });
    expect(plan.chunks).toHaveLength(4);
    expect(plan.audio!.parts).toHaveLength(4);
    expect(plan.audio!.totalSamples).toBe(120 * 48_000);
    expect(planRender(build(8), { maxConcurrency: 2 }).audio!.parts).toHaveLength(1);
    expect(planRender(build(8), { maxConcurrency: 2, minAudioPartSeconds: 2 }).audio!.parts).toHaveLength(2);
  });

  it('the hour’s audio estimate follows the measurements (one mix of 240 clips: 128 s; one 18 s part: well under 1 s)', () => {
    const clips = Array.from({ length: 240 }, (_, i) => ({
      asset: { type: 'audio', src: 'a.mp3' },
      start: i * 14,
      length: 15,
    }));
    const edit = parseEdit({
      timeline: {
        tracks: [
          { clips: clips.slice(0, 200) },
          { clips: clips.slice(200) },
          { clips: [{ asset: { type: 'image', src: 'a.png' }, start: 0, length: 3600 }] },
        ],
      },
      output: { format: 'mp4', resolution: 'sd' },
    });
    const input = { edit, timeline: resolveTimeline(edit, () => null), spec: outputSpec(edit.output) };
    const single = planRender(input, {}, { chunks: 1 });
    const audioOnly =
      single.estimatedSeconds - (single.window.endFrame - single.window.startFrame) * single.secondsPerFrame;
    expect(audioOnly).toBeGreaterThan(128 * 0.8);
    expect(audioOnly).toBeLessThan(128 * 1.2);
    const chunked = planRender(input, { maxConcurrency: 200 });
    expect(chunked.audio!.parts).toHaveLength(200);
    expect(chunked.audio!.estimatedSeconds).toBeGreaterThan(0.2);
    expect(chunked.audio!.estimatedSeconds).toBeLessThan(1);
  });

  it('webm (Opus) and single passes have no parts: the audio is one mix', () => {
    expect(planRender(build(120, 'webm'), { maxConcurrency: 4 }).audio!.parts).toEqual([]);
    expect(planRender(build(120), { maxConcurrency: 4 }, { chunks: 1 }).audio!.parts).toEqual([]);
  });
});
