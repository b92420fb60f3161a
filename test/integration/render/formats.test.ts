import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageFixture, renderEdit, toneFixture, videoFixture } from '../../helpers/fixtures.js';
import { ffprobeJson, meanVolume, readFrame, regionMean } from '../../helpers/media.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-formats-'));
  await Promise.all([videoFixture(), imageFixture('red'), toneFixture()]);
});

const edit = (format: string, extra: Record<string, unknown> = {}) => ({
  timeline: {
    soundtrack: { src: 'tone-330-6.wav' },
    tracks: [
      {
        clips: [
          {
            asset: { type: 'image', src: 'image-red.png' },
            start: 0,
            length: 1,
            position: 'topRight',
            scale: 0.25,
          },
        ],
      },
      { clips: [{ asset: { type: 'video', src: 'video.mp4' }, start: 0, length: 2 }] },
    ],
  },
  output: { format, size: { width: 320, height: 180 }, ...extra },
});

const streams = async (file: string) => {
  const p = await ffprobeJson(file);
  return {
    video: p.streams.find((s) => s.codec_type === 'video'),
    audio: p.streams.find((s) => s.codec_type === 'audio'),
    duration: Number(p.format.duration),
    format: p.format.format_name ?? '',
  };
};

describe('output formats', () => {
  it('mp4: H.264 yuv420p + AAC, exact duration, frame rate and size, faststart', async () => {
    const out = join(dir, 'a.mp4');
    const { files } = await renderEdit(edit('mp4', { fps: 30 }), out);
    const s = await streams(out);
    expect(s.video?.codec_name).toBe('h264');
    expect(s.video?.pix_fmt).toBe('yuv420p');
    expect([s.video?.width, s.video?.height]).toEqual([320, 180]);
    expect(s.video?.avg_frame_rate).toBe('30/1');
    expect(s.audio?.codec_name).toBe('aac');
    expect(Math.abs(s.duration - 2)).toBeLessThan(1 / 30 + 0.03);
    expect(files[0]).toMatchObject({ kind: 'video', width: 320, height: 180 });
  });

  it('webm: VP9 + Opus', async () => {
    const out = join(dir, 'a.webm');
    await renderEdit(edit('webm', { quality: 'verylow' }), out);
    const s = await streams(out);
    expect(s.video?.codec_name).toBe('vp9');
    expect(s.audio?.codec_name).toBe('opus');
    expect(Math.abs(s.duration - 2)).toBeLessThan(0.1);
  });

  it('mov: H.264 + AAC in QuickTime', async () => {
    const out = join(dir, 'a.mov');
    await renderEdit(edit('mov'), out);
    const s = await streams(out);
    expect(s.format).toContain('mov');
    expect(s.video?.codec_name).toBe('h264');
    expect(s.audio?.codec_name).toBe('aac');
  });

  it('gif: palette GIF without audio', async () => {
    const out = join(dir, 'a.gif');
    await renderEdit(edit('gif', { fps: 12 }), out);
    const s = await streams(out);
    expect(s.video?.codec_name).toBe('gif');
    expect(s.audio).toBeUndefined();
    const frame = await readFrame(out, 0.5);
    const [r, g, b] = regionMean(frame, 0.8, 0.02, 0.98, 0.2);
    expect(r).toBeGreaterThan(180);
    expect(g + b).toBeLessThan(120);
  });

  it('mp3 and wav: audio only, the timeline length', async () => {
    for (const format of ['mp3', 'wav']) {
      const out = join(dir, `a.${format}`);
      const { files } = await renderEdit(edit(format), out);
      const s = await streams(out);
      expect(s.video).toBeUndefined();
      expect(s.audio?.codec_name).toBe(format === 'mp3' ? 'mp3' : 'pcm_s16le');
      expect(Math.abs(s.duration - 2)).toBeLessThan(0.06);
      expect(files[0]!.kind).toBe('audio');
      expect(await meanVolume(out, 0.5, 1)).toBeGreaterThan(-40);
    }
  });

  it('jpg and png: one frame at output.range.start', async () => {
    for (const format of ['jpg', 'png']) {
      const out = join(dir, `a.${format}`);
      const { files } = await renderEdit(edit(format, { range: { start: 0.5, length: 1 } }), out);
      const s = await streams(out);
      expect(s.video?.codec_name).toBe(format === 'jpg' ? 'mjpeg' : 'png');
      expect([s.video?.width, s.video?.height]).toEqual([320, 180]);
      expect(files[0]!.kind).toBe('image');
      const [r] = regionMean(await readFrame(out), 0.8, 0.02, 0.98, 0.2);
      expect(r).toBeGreaterThan(180);
    }
  });

  it('resolution and aspectRatio name the frame size (9:16 hd is 720×1280)', async () => {
    const out = join(dir, 'portrait.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [{ clips: [{ asset: { type: 'image', src: 'image-red.png' }, start: 0, length: 0.2 }] }],
        },
        output: { format: 'mp4', resolution: 'hd', aspectRatio: '9:16', quality: 'verylow' },
      },
      out,
    );
    const s = await streams(out);
    expect([s.video?.width, s.video?.height]).toEqual([720, 1280]);
  });

  it('range renders only part of the timeline; poster and thumbnail come out as extra images', async () => {
    const out = join(dir, 'range.mp4');
    const { files } = await renderEdit(
      edit('mp4', {
        range: { start: 0.5, length: 1 },
        poster: { capture: 0.2 },
        thumbnail: { capture: 0.4, scale: 0.5 },
      }),
      out,
    );
    const s = await streams(out);
    expect(Math.abs(s.duration - 1)).toBeLessThan(0.06);
    const poster = files.find((f) => f.kind === 'poster')!;
    const thumb = files.find((f) => f.kind === 'thumbnail')!;
    const p = await streams(poster.path);
    const t = await streams(thumb.path);
    expect([p.video?.width, p.video?.height]).toEqual([320, 180]);
    expect([t.video?.width, t.video?.height]).toEqual([160, 90]);
  });

  it('an edit without any sound still carries a silent audio stream of the full length', async () => {
    const out = join(dir, 'silent.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [{ clips: [{ asset: { type: 'image', src: 'image-red.png' }, start: 0, length: 1.5 }] }],
        },
        output: { format: 'mp4', size: { width: 160, height: 90 } },
      },
      out,
    );
    const s = await streams(out);
    expect(s.audio?.codec_name).toBe('aac');
    expect(Math.abs(Number(s.audio?.duration) - 1.5)).toBeLessThan(0.05);
    expect(await meanVolume(out, 0, 1.5)).toBeLessThan(-80);
  });
});
