import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../helpers/fixtures.js';
import { ffprobeJson, litBox, meanVolume, readFrame } from '../../helpers/media.js';
import { speechVideo } from '../../helpers/speech.js';

/**
 * `cutline render` of edits that need speech, on this machine with the real engines: a text-to-speech
 * asset spoken by espeak-ng, and `caption` src "auto" transcribed by pocketsphinx (LibriVox speech from
 * Debian's pocketsphinx-testdata) or timed by the voice's own word marks. No platform runs.
 */
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
let speech: Awaited<ReturnType<typeof speechVideo>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-cli-speech-'));
  speech = await speechVideo();
});

const write = async (name: string, edit: unknown) => {
  const path = join(FIXTURES, name);
  await writeFile(path, JSON.stringify(edit));
  return path;
};
const output = { format: 'mp4', size: { width: 320, height: 180 }, fps: 25 };
type Words = { words: Array<{ text: string; start: number; end: number }> };

describe('cutline render with speech', () => {
  it('speaks a text-to-speech asset with espeak-ng, and "auto" captions follow its words', async () => {
    const edit = await write('cli-tts.json', {
      timeline: {
        background: '#000000',
        tracks: [
          { clips: [{ asset: { type: 'caption', src: 'auto' }, start: 0, length: 4.5 }] },
          {
            clips: [
              {
                asset: { type: 'text-to-speech', text: 'Hello there, this is cutline.', voice: 'en-us' },
                start: 1,
                length: 3.5,
              },
            ],
          },
        ],
      },
      output,
    });
    const out = join(dir, 'tts.mp4');
    const r = await cli(['render', edit, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const probe = await ffprobeJson(out);
    expect(probe.streams.some((s) => s.codec_type === 'audio')).toBe(true);
    expect(Number(probe.format.duration)).toBeCloseTo(4.5, 0);
    // Silent before the speech starts at 1 s, speech after.
    expect(await meanVolume(out, 0, 0.9)).toBeLessThan(-50);
    expect(await meanVolume(out, 1.1, 1.2)).toBeGreaterThan(-35);
    // The timeline's words are written beside the output, placed where the clip plays.
    const words = (JSON.parse(await readFile(join(dir, 'tts.transcript.json'), 'utf8')) as Words).words;
    expect(words.map((w) => w.text.toLowerCase().replace(/[^a-z]/g, ''))).toEqual(
      expect.arrayContaining(['hello', 'there', 'cutline']),
    );
    expect(words[0]!.start).toBeGreaterThanOrEqual(1);
    // Burned captions: dark before the first word, lit during it.
    expect(litBox(await readFrame(out, 0.5))).toBeNull();
    const first = words[0]!;
    expect(litBox(await readFrame(out, (first.start + first.end) / 2))).not.toBeNull();
  });

  it('transcribes real speech for "auto" captions with pocketsphinx: lit during the words, dark in the pause', async () => {
    const span = speech.spans[0]!;
    const length = Math.ceil((span.end + 0.5) * 10) / 10;
    const edit = await write('cli-auto-captions.json', {
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'caption', src: 'auto' }, start: 0, length }] },
          { clips: [{ asset: { type: 'video', src: 'librivox-speech-black.mp4' }, start: 0, length }] },
        ],
      },
      output,
    });
    const out = join(dir, 'auto.mp4');
    const r = await cli(['render', edit, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const words = (JSON.parse(await readFile(join(dir, 'auto.transcript.json'), 'utf8')) as Words).words;
    const heard = new Set(words.map((w) => w.text.toLowerCase()));
    const known = span.words.filter((w) => heard.has(w.toLowerCase()));
    // pocketsphinx hears most of a LibriVox sentence; every word it heard lies in the recording's span.
    expect(known.length / span.words.length).toBeGreaterThan(0.5);
    for (const w of words) {
      expect(w.start).toBeGreaterThanOrEqual(span.start - 0.3);
      expect(w.end).toBeLessThanOrEqual(span.end + 0.3);
    }
    expect(litBox(await readFrame(out, span.start / 2))).toBeNull();
    const mid = words[Math.floor(words.length / 2)]!;
    expect(litBox(await readFrame(out, (mid.start + mid.end) / 2))).not.toBeNull();
  });

  it('still refuses what no local engine does, naming what to set', async () => {
    const edit = await write('cli-tts-none.json', {
      timeline: {
        tracks: [
          {
            clips: [{ asset: { type: 'text-to-speech', text: 'Hi', voice: 'en-us' }, start: 0, length: 1 }],
          },
        ],
      },
      output,
    });
    const { stdout, stderr } = await run('node', [CLI, 'render', edit, '-o', join(dir, 'none.mp4')], {
      cwd: FIXTURES,
      env: { ...process.env, CUTLINE_VOICE: 'none' },
    }).catch((e: { stdout: string; stderr: string }) => e);
    expect(stdout + stderr).toMatch(/NOT_SUPPORTED/);
    expect(stdout + stderr).toMatch(/espeak/);
  });
});
