import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, imageFixture, videoFixture } from '../../helpers/fixtures.js';
import { ffprobeJson, litBox, readFrame } from '../../helpers/media.js';

const run = promisify(execFile);
const CLI = resolve('bin/cutline.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { cwd: FIXTURES });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-cli-'));
  await Promise.all([videoFixture(), imageFixture('red')]);
});

const write = async (name: string, edit: unknown) => {
  const path = join(FIXTURES, name);
  await writeFile(path, JSON.stringify(edit));
  return path;
};

describe('cutline render', () => {
  it('renders an edit with paths relative to the edit file, merging --merge values, and reports the output', async () => {
    const edit = await write('cli-title.json', {
      timeline: {
        tracks: [
          {
            clips: [
              { asset: { type: 'title', text: '{{WORD}}', style: 'blockbuster' }, start: 0.5, length: 1 },
            ],
          },
          {
            clips: [
              {
                asset: { type: 'image', src: 'image-red.png' },
                start: 0,
                length: 2,
                scale: 0.2,
                position: 'bottomLeft',
              },
            ],
          },
        ],
      },
      merge: [{ find: 'WORD', replace: 'placeholder' }],
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    });
    const out = join(dir, 'nested', 'title.mp4');
    const r = await cli(['render', edit, '-o', out, '--merge', 'WORD=HELLO']);
    expect(r.stderr).toContain('done in');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`video: ${out}`);
    const probe = await ffprobeJson(out);
    expect(Number(probe.format.duration)).toBeCloseTo(2, 1);
    // White title text is lit only while its clip is on screen, in the middle band of the frame.
    const before = await readFrame(out, 0.2);
    const during = await readFrame(out, 1.0);
    const after = await readFrame(out, 1.7);
    const textBox = (f: typeof during) => {
      // Ignore the red image: count pixels that are bright in all channels.
      const copy = { ...f, data: Buffer.from(f.data) };
      for (let i = 0; i < copy.data.length; i += 4)
        if (Math.min(copy.data[i]!, copy.data[i + 1]!, copy.data[i + 2]!) < 200)
          copy.data[i] = copy.data[i + 1] = copy.data[i + 2] = 0;
      return litBox(copy, 200);
    };
    expect(textBox(before)).toBeNull();
    expect(textBox(after)).toBeNull();
    const box = textBox(during)!;
    expect(box).not.toBeNull();
    expect(box.y0).toBeGreaterThan(45);
    expect(box.y1).toBeLessThan(135);
    expect((box.x0 + box.x1) / 2).toBeGreaterThan(140);
    expect((box.x0 + box.x1) / 2).toBeLessThan(180);
  });

  it('--dry-run prints the ffmpeg command without rendering', async () => {
    const edit = await write('cli-dry.json', {
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'video', src: 'video.mp4' }, start: 0, length: 1 }] }],
      },
      output: { format: 'mp4', size: { width: 160, height: 90 }, poster: { capture: 0.5 } },
    });
    const r = await cli(['render', edit, '-o', join(dir, 'dry.mp4'), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ffmpeg .*-filter_complex '.*' .*-c:v libx264 .*dry\.mp4\n/s);
    expect(r.stdout).toMatch(/\nffmpeg .*dry-poster\.jpg\n$/);
  });

  it('keeps what ffprobe said of an unchanged source for the next render, still held to the limits', async () => {
    const edit = await write('cli-probe-cache.json', {
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'video', src: 'video.mp4' }, start: 0, length: 1 }] }],
      },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    });
    const home = await mkdtemp(join(tmpdir(), 'cutline-cache-home-'));
    const calls = join(home, 'ffprobe-calls');
    const wrapper = join(home, 'ffprobe');
    await writeFile(wrapper, `#!/bin/sh\necho "$@" >> '${calls}'\nexec ffprobe "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, XDG_CACHE_HOME: home, CUTLINE_FFPROBE: wrapper };
    const render = (...extra: string[]) =>
      run('node', [CLI, 'render', edit, '-o', join(dir, 'cached.mp4'), ...extra], {
        cwd: FIXTURES,
        env,
      }).then(
        () => 0,
        (e: { code: number; stderr: string }) => e,
      );
    // The source probes (smart rendering's keyframe reads are ffprobe runs of their own).
    const probes = async () =>
      (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter((l) => l.includes('-show_streams'))
        .length;
    expect(await render()).toBe(0);
    expect(await probes()).toBe(1);
    expect(await render()).toBe(0);
    expect(await probes()).toBe(1);
    expect(await render('--fresh-probes')).toBe(0);
    expect(await probes()).toBe(2);
    // A cached probe is checked against this run's limits like a new one (320×180 > 1000 pixels).
    const refused = (await render('--limit', 'maxSourcePixels=1000')) as { code: number; stderr: string };
    expect(await probes()).toBe(2);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('LIMIT_EXCEEDED');
  });

  it('fails with the JSON path of a bad field and exit code 1', async () => {
    const edit = await write('cli-bad.json', {
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'video', src: 'video.mp4', volumee: 1 }, start: 0, length: 1 }] },
        ],
      },
      output: { format: 'mp4' },
    });
    const r = await cli(['render', edit, '-o', join(dir, 'bad.mp4')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('VALIDATION_FAILED');
    expect(r.stderr).toContain('timeline.tracks[0].clips[0].asset.volumee');
  });

  it('refuses file:// sources outside --media-root and names missing sources', async () => {
    const outside = await write('cli-outside.json', {
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'image', src: 'file:///etc/hostname' }, start: 0, length: 1 }] }],
      },
      output: { format: 'mp4' },
    });
    const r = await cli(['render', outside, '-o', join(dir, 'x.mp4'), '--media-root', FIXTURES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SOURCE_REFUSED');
    expect(r.stderr).toContain('outside the media root');
    const traversal = await write('cli-traversal.json', {
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'image', src: '../../../etc/hostname' }, start: 0, length: 1 }] },
        ],
      },
      output: { format: 'mp4' },
    });
    const t = await cli(['render', traversal, '-o', join(dir, 'x.mp4')]);
    expect(t.stderr).toContain('SOURCE_REFUSED');
    const missing = await write('cli-missing.json', {
      timeline: { tracks: [{ clips: [{ asset: { type: 'video', src: 'nope.mp4' }, start: 0, length: 1 }] }] },
      output: { format: 'mp4' },
    });
    const m = await cli(['render', missing, '-o', join(dir, 'x.mp4')]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('SOURCE_NOT_FOUND');
    expect(m.stderr).toContain('timeline.tracks[0].clips[0].asset.src');
  });

  it('a corrupt source fails with a clear error naming the clip', async () => {
    await writeFile(join(FIXTURES, 'corrupt.mp4'), 'this is not a video');
    const edit = await write('cli-corrupt.json', {
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'video', src: 'corrupt.mp4' }, start: 0, length: 1 }] }],
      },
      output: { format: 'mp4' },
    });
    const r = await cli(['render', edit, '-o', join(dir, 'x.mp4')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SOURCE_UNREADABLE');
    expect(r.stderr).toContain('timeline.tracks[0].clips[0].asset.src');
  });

  it('--chunks renders in parallel and stitches', async () => {
    const edit = await write('cli-chunks.json', {
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'video', src: 'video.mp4' }, start: 0, length: 4 }] }],
      },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    });
    const out = join(dir, 'chunks.mp4');
    const r = await cli(['render', edit, '-o', out, '--chunks', '3', '--concurrency', '2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('rendered 3 chunks');
    expect(Number((await ffprobeJson(out)).format.duration)).toBeCloseTo(4, 1);
  });

  it('a clips job file renders every clip × aspect ratio into the output folder, with manifest.json', async () => {
    const job = await write('cli-clips.json', {
      type: 'clips',
      src: 'video.mp4',
      clips: [{ start: 0.5, end: 1.5 }],
      aspectRatios: ['9:16', '16:9'],
      output: { resolution: 'preview' },
    });
    const out = join(dir, 'clips');
    const r = await cli(['render', job, '-o', out]);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as {
      type: string;
      outputs: Array<{ name: string; files: Array<{ kind: string; path: string }> }>;
    };
    expect(manifest.type).toBe('clips');
    expect(manifest.outputs.map((o) => o.name)).toEqual(['clip-01-9x16', 'clip-01-16x9']);
    const tall = (await ffprobeJson(join(out, 'clip-01-9x16.mp4'))) as {
      streams: Array<{ width?: number; height?: number }>;
      format: { duration: string };
    };
    const v = tall.streams.find((s) => s.width)!;
    expect(v.width! / v.height!).toBeCloseTo(9 / 16, 2);
    expect(Number(tall.format.duration)).toBeCloseTo(1, 1);
  });

  it('a job file of an unknown type exits 1 naming the types', async () => {
    const job = await write('cli-unknown.json', { type: 'slideshow' });
    const r = await cli(['render', job, '-o', join(dir, 'x')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown job type "slideshow".*render, clips, mix, project/);
  });
});
