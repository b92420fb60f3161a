import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageFixture, renderEdit, toneFixture, videoFixture } from '../../helpers/fixtures.js';
import { ffprobeJson, meanVolume } from '../../helpers/media.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-audio-'));
  await Promise.all([videoFixture(), imageFixture('red'), toneFixture(6, 330), toneFixture(1, 660)]);
});

const picture = (length: number) => ({
  clips: [{ asset: { type: 'image', src: 'image-red.png' }, start: 0, length }],
});
const output = { format: 'mp4', size: { width: 160, height: 90 } };

describe('audio', () => {
  it('a faded-in soundtrack is quieter in its first 200 ms than in the middle, and fades out at the end', async () => {
    const out = join(dir, 'fade.mp4');
    await renderEdit(
      {
        timeline: { soundtrack: { src: 'tone-330-6.wav', effect: 'fadeInFadeOut' }, tracks: [picture(4)] },
        output,
      },
      out,
    );
    const start = await meanVolume(out, 0, 0.2);
    const middle = await meanVolume(out, 1.8, 0.4);
    const end = await meanVolume(out, 3.8, 0.2);
    expect(start).toBeLessThan(middle - 10);
    expect(end).toBeLessThan(middle - 10);
  });

  it('the soundtrack loops to fill the timeline and is cut at its end; volume scales it', async () => {
    const out = join(dir, 'loop.mp4');
    await renderEdit(
      { timeline: { soundtrack: { src: 'tone-660-1.wav' }, tracks: [picture(3.5)] }, output },
      out,
    );
    const probe = await ffprobeJson(out);
    const audio = probe.streams.find((s) => s.codec_type === 'audio')!;
    expect(Math.abs(Number(audio.duration) - 3.5)).toBeLessThan(0.05);
    const late = await meanVolume(out, 2.5, 0.8);
    expect(late).toBeGreaterThan(-30);
    const quiet = join(dir, 'quiet.mp4');
    await renderEdit(
      { timeline: { soundtrack: { src: 'tone-660-1.wav', volume: 0.25 }, tracks: [picture(2)] }, output },
      quiet,
    );
    const loud = await meanVolume(out, 0.2, 0.6);
    expect(await meanVolume(quiet, 0.2, 0.6)).toBeCloseTo(loud - 12, 0);
  });

  it('audio clips play at their start with their trim; silent elsewhere', async () => {
    const out = join(dir, 'clip.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [{ asset: { type: 'audio', src: 'tone-330-6.wav', trim: 4 }, start: 1, length: 'auto' }],
            },
            picture(4),
          ],
        },
        output,
      },
      out,
    );
    expect(await meanVolume(out, 0.1, 0.7)).toBeLessThan(-80);
    expect(await meanVolume(out, 1.2, 1.6)).toBeGreaterThan(-30);
    // trim 4 of a 6 s tone leaves 2 s: silent again from 3 s.
    expect(await meanVolume(out, 3.2, 0.6)).toBeLessThan(-80);
  });

  it('mixing keeps each source at its own level (no amix level drop)', async () => {
    const alone = join(dir, 'alone.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [{ clips: [{ asset: { type: 'video', src: 'video.mp4' }, start: 0, length: 2 }] }],
        },
        output,
      },
      alone,
    );
    const mixed = join(dir, 'mixed.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                { asset: { type: 'audio', src: 'tone-330-6.wav', volume: 0.001 }, start: 0, length: 2 },
              ],
            },
            { clips: [{ asset: { type: 'video', src: 'video.mp4' }, start: 0, length: 2 }] },
          ],
        },
        output,
      },
      mixed,
    );
    const a = await meanVolume(alone, 0.5, 1);
    const m = await meanVolume(mixed, 0.5, 1);
    expect(Math.abs(a - m)).toBeLessThan(1);
  });

  it('video volume 0 mutes a clip; output.mute drops the audio stream', async () => {
    const out = join(dir, 'mute.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            { clips: [{ asset: { type: 'video', src: 'video.mp4', volume: 0 }, start: 0, length: 1 }] },
          ],
        },
        output,
      },
      out,
    );
    expect(await meanVolume(out, 0, 1)).toBeLessThan(-80);
    const none = join(dir, 'none.mp4');
    await renderEdit({ timeline: { tracks: [picture(1)] }, output: { ...output, mute: true } }, none);
    expect((await ffprobeJson(none)).streams.some((s) => s.codec_type === 'audio')).toBe(false);
  });
});
