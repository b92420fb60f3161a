import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, imageFixture, videoFixture } from '../../helpers/fixtures.js';
import { ffmpeg, ffprobeJson, litBox, meanVolume, readFrame, regionMean } from '../../helpers/media.js';
import { startGenerationServer } from '../../helpers/generation-server.js';
import { speechVideo } from '../../helpers/speech.js';

/**
 * Every job kind `cutline render <job.json>` takes, through the real CLI without the platform: each one
 * renders on this machine (speech by espeak-ng, transcripts by pocketsphinx) or is refused in one line that
 * says what to use instead. Neither ever shows a stack or the install's own paths.
 */
const run = promisify(execFile);
const CLI = resolve('bin/cutline.mjs');
const INSTALL = resolve('.');

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await run('node', [CLI, ...args], { cwd: FIXTURES, env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
  // What a user sees: no stack lines, nothing of where cutline is installed.
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain(INSTALL);
  return r;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-cli-jobs-'));
  await Promise.all([videoFixture(), imageFixture('red')]);
});

const write = async (name: string, job: unknown) => {
  const path = join(FIXTURES, name);
  await writeFile(path, JSON.stringify(job));
  return path;
};
const output = { format: 'mp4', size: { width: 320, height: 180 }, fps: 25 };
type Manifest = {
  type: string;
  outputs: Array<{
    name: string;
    meta?: Record<string, unknown>;
    files: Array<{ kind: string; path: string }>;
  }>;
};
const manifestOf = async (out: string) =>
  JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest;

describe('cutline render of each job kind', () => {
  it('render: a { type, edit } job file, its merge fields filled, --merge winning over the file', async () => {
    const edit = {
      merge: [{ find: 'COLOR', replace: '#000000' }],
      timeline: {
        background: '{{COLOR}}',
        tracks: [
          { clips: [{ asset: { type: 'image', src: 'image-red.png' }, start: 0, length: 1, scale: 0.2 }] },
        ],
      },
      output,
    };
    const job = await write('cli-job-render.json', { type: 'render', edit });
    const out = join(dir, 'render.mp4');
    const r = await cli(['render', job, '-o', out, '--merge', 'COLOR=#ffffff']);
    expect(r.code, r.stderr).toBe(0);
    expect(Number((await ffprobeJson(out)).format.duration)).toBeCloseTo(1, 1);
    // The corner is the background: white from --merge, not the file's black.
    expect(regionMean(await readFrame(out, 0.5), 0, 0, 0.1, 0.1)[0]).toBeGreaterThan(200);
  });

  it('template: a saved template ({ name, edit }, as GET /v1/templates/{id} shows it) renders with its merge', async () => {
    const job = await write('cli-job-template.json', {
      name: 'Corner',
      edit: {
        merge: [{ find: 'COLOR', replace: '#ffffff' }],
        timeline: {
          background: '{{COLOR}}',
          tracks: [
            { clips: [{ asset: { type: 'image', src: 'image-red.png' }, start: 0, length: 1, scale: 0.2 }] },
          ],
        },
        output,
      },
    });
    const out = join(dir, 'template.mp4');
    const r = await cli(['render', job, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(regionMean(await readFrame(out, 0.5), 0, 0, 0.1, 0.1)[0]).toBeGreaterThan(200);
  });

  it('mix: every variation into the folder', async () => {
    const job = await write('cli-job-mix.json', {
      type: 'mix',
      groups: [
        { name: 'a', clips: [{ src: 'video.mp4', length: 0.5 }] },
        { name: 'b', clips: [{ src: 'video.mp4', trim: 1, length: 0.5 }] },
      ],
      mode: 'auto',
      count: 1,
      output,
    });
    const out = join(dir, 'mix');
    const r = await cli(['render', job, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const m = await manifestOf(out);
    expect(m.outputs).toHaveLength(1);
    const video = m.outputs[0]!.files.find((f) => f.kind === 'video')!;
    expect(Number((await ffprobeJson(video.path)).format.duration)).toBeCloseTo(1, 1);
  });

  it('project: a voiceover scene is spoken by espeak-ng after a title scene, with no platform', async () => {
    const job = await write('cli-job-project.json', {
      type: 'project',
      project: {
        mode: 'custom',
        output,
        scenes: [
          { id: 't', status: 'pending', attempts: 0, source: 'title', text: 'Hello', length: 1 },
          {
            id: 'v',
            status: 'pending',
            attempts: 0,
            source: 'voiceover',
            text: 'This is a voice over.',
            voice: 'en-us',
          },
        ],
      },
    });
    const out = join(dir, 'project');
    const r = await cli(['render', job, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const video = (await manifestOf(out)).outputs[0]!.files.find((f) => f.kind === 'video')!.path;
    const duration = Number((await ffprobeJson(video)).format.duration);
    expect(duration).toBeGreaterThan(2);
    // Silent on the title card, speech once the voiceover scene begins.
    expect(await meanVolume(video, 0.1, 0.8)).toBeLessThan(-50);
    expect(await meanVolume(video, 1.2, duration - 0.6)).toBeGreaterThan(-35);
  });

  it('project: a generate scene with no provider configured is refused in one line', async () => {
    const job = await write('cli-job-generate.json', {
      type: 'project',
      project: {
        mode: 'custom',
        output,
        scenes: [{ id: 'g', status: 'pending', attempts: 0, source: 'generate', prompt: 'a red fox' }],
      },
    });
    const r = await cli(['render', job, '-o', join(dir, 'generate')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cutline: NOT_SUPPORTED: .*project\.scenes\[0\]/m);
  });

  it('project: a generate scene is made by the configured HTTP provider, polled until done', async () => {
    const gen = await startGenerationServer();
    try {
      const job = await write('cli-job-generate-http.json', {
        type: 'project',
        project: {
          mode: 'custom',
          output,
          scenes: [
            {
              id: 'g',
              status: 'pending',
              attempts: 0,
              source: 'generate',
              kind: 'image',
              prompt: 'a red field',
              length: 1,
            },
          ],
        },
      });
      const out = join(dir, 'generate-http');
      const r = await cli(['render', job, '-o', out], {
        CUTLINE_GENERATION_ENDPOINT: gen.url,
        CUTLINE_GENERATION_POLL_SECONDS: '1',
      });
      expect(r.code, r.stderr).toBe(0);
      expect(gen.requests).toHaveLength(1);
      const video = (await manifestOf(out)).outputs[0]!.files.find((f) => f.kind === 'video')!.path;
      // The provider's red still fills the frame.
      const [red, green] = regionMean(await readFrame(video, 0.5), 0, 0, 0.2, 0.2);
      expect(red).toBeGreaterThan(180);
      expect(green).toBeLessThan(80);
    } finally {
      await gen.close();
    }
  });

  it('clips: captions.transcribe runs pocketsphinx on real speech; the captions are lit during the words', async () => {
    const speech = await speechVideo();
    const span = speech.spans[0]!;
    const start = Math.round((span.start - 1) * 10) / 10;
    const end = Math.round((span.end + 0.3) * 10) / 10;
    // The first recording only (with the pause before it): the whole source is transcribed, kept short.
    await ffmpeg([
      '-y',
      '-i',
      speech.path,
      '-t',
      String(end + 0.2),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      join(FIXTURES, 'librivox-first.mp4'),
    ]);
    const job = await write('cli-job-clips.json', {
      type: 'clips',
      src: 'librivox-first.mp4',
      clips: [{ start, end }],
      aspectRatios: ['16:9'],
      captions: { transcribe: true },
      output: { resolution: 'preview', fps: 25 },
    });
    const out = join(dir, 'clips');
    const r = await cli(['render', job, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const words = (
      JSON.parse(await readFile(join(out, 'transcript.json'), 'utf8')) as {
        words: Array<{ text: string; start: number; end: number }>;
      }
    ).words;
    const heard = new Set(words.map((w) => w.text.toLowerCase()));
    expect(span.words.filter((w) => heard.has(w.toLowerCase())).length / span.words.length).toBeGreaterThan(
      0.5,
    );
    const m = await manifestOf(out);
    expect(m.outputs[0]!.meta).toMatchObject({ transcript: { engine: 'pocketsphinx' } });
    const video = m.outputs[0]!.files.find((f) => f.kind === 'video')!.path;
    // The source is black: dark before the speech, lit mid-word (source times less the clip's start).
    expect(litBox(await readFrame(video, 0.4))).toBeNull();
    const said = words.filter((w) => w.start >= start && w.end <= end);
    expect(said.length).toBeGreaterThan(0);
    const mid = said[Math.floor(said.length / 2)]!;
    expect(litBox(await readFrame(video, (mid.start + mid.end) / 2 - start))).not.toBeNull();
  });

  it('clips: captions.transcribe with Amazon Transcribe configured is refused naming the local engines', async () => {
    const job = await write('cli-job-clips-aws.json', {
      type: 'clips',
      src: 'video.mp4',
      clips: [{ start: 0, end: 1 }],
      captions: { transcribe: true },
      output: { resolution: 'preview' },
    });
    const r = await cli(['render', job, '-o', join(dir, 'clips-aws')], { CUTLINE_TRANSCRIBER: 'transcribe' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^cutline: NOT_SUPPORTED: captions\.transcribe: Amazon Transcribe runs as a pipeline step.*pocketsphinx/m,
    );
  });

  it('clips chosen by an LLM ranker are refused up front, naming the local heuristic', async () => {
    const job = await write('cli-job-clips-llm.json', {
      type: 'clips',
      src: 'video.mp4',
      mode: 'auto',
      count: 1,
      length: 1,
      captions: { transcribe: true },
      output: { resolution: 'preview' },
    });
    const r = await cli(['render', job, '-o', join(dir, 'clips-llm')], {
      CUTLINE_LLM_ENDPOINT: 'http://127.0.0.1:9/v1/chat/completions',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^cutline: NOT_SUPPORTED: clips are ranked by the openai model.*CUTLINE_RANKER=heuristic/m,
    );
  });

  it('a kind this build does not have (package) is refused naming those it has', async () => {
    const job = await write('cli-job-package.json', { type: 'package', src: 'video.mp4' });
    const r = await cli(['render', job, '-o', join(dir, 'package')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown job type "package".*render, clips, mix, project/);
  });
});
