import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { meanVolume, readFrame } from '../../helpers/media.js';
import { speechVideo } from '../../helpers/speech.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;

beforeAll(async () => {
  platform = await startTestPlatform();
  call = api(platform);
}, 120_000);
afterAll(async () => platform?.close());

type Output = { kind: string; key: string; url: string };
type Word = { start: number; end: number; text: string };

/** The band where captions are drawn, counted as bright pixels (the background is black; 9 px text at 320×180). */
const lit = async (video: string, t: number) => {
  const f = await readFrame(video, t);
  let n = 0;
  for (let i = Math.floor(f.height * 0.6) * f.width * 4; i < f.data.length; i += 4)
    if (Math.max(f.data[i]!, f.data[i + 1]!, f.data[i + 2]!) > 128) n++;
  return n;
};

/** Shotstack's text-to-speech asset and caption src "auto", through the local platform (espeak-ng). */
describe('text-to-speech asset and "auto" captions', () => {
  it('the voice speaks the text where the clip starts; "auto" captions show its words while they are spoken', async () => {
    const res = await call('POST', '/v1/renders', {
      timeline: {
        background: '#000000',
        tracks: [
          { clips: [{ asset: { type: 'caption', src: 'auto' }, start: 0, length: 5 }] },
          {
            clips: [
              {
                asset: {
                  type: 'text-to-speech',
                  text: 'Hello there world. Captions follow the voice.',
                  voice: 'Joanna',
                },
                start: 0.5,
                length: 4.5,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    const outputs = job.outputs as Output[];
    const transcript = (await (await fetch(outputs.find((o) => o.kind === 'transcript')!.url)).json()) as {
      words: Word[];
    };
    const words = transcript.words;
    expect(words.map((w) => w.text)).toEqual([
      'Hello',
      'there',
      'world.',
      'Captions',
      'follow',
      'the',
      'voice.',
    ]);
    expect(words[0]!.start).toBeGreaterThanOrEqual(0.5);
    const path = join(await mkdtemp(join(tmpdir(), 'cutline-tts-')), 'out.mp4');
    await writeFile(
      path,
      Buffer.from(await (await fetch(outputs.find((o) => o.kind === 'video')!.url)).arrayBuffer()),
    );
    // Speech where the words are, silence before the clip starts.
    const w = words[3]!;
    expect(await meanVolume(path, w.start, w.end - w.start)).toBeGreaterThan(-35);
    expect(await meanVolume(path, 0, 0.4)).toBeLessThan(-60);
    // Captions: lit during a word, dark before the first and in the pause between the two sentences.
    expect(await lit(path, (w.start + w.end) / 2)).toBeGreaterThan(30);
    expect(await lit(path, 0.25)).toBe(0);
    expect(await lit(path, (words[2]!.end + words[3]!.start) / 2)).toBe(0);
  }, 300_000);

  it('"auto" captions of a trimmed video clip: its recognized words, moved to where the clip plays', async () => {
    const speech = await speechVideo();
    const trim = speech.spans[1]!.start - 0.5;
    const res = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'caption', src: 'auto' }, start: 0, length: 5 }] },
          {
            clips: [
              {
                asset: { type: 'video', src: fixtureUrl('librivox-speech-black.mp4'), trim },
                start: 1,
                length: 4,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.error ?? null).toBeNull();
    const outputs = job.outputs as Output[];
    const { words } = (await (await fetch(outputs.find((o) => o.kind === 'transcript')!.url)).json()) as {
      words: Word[];
    };
    expect(words.length).toBeGreaterThan(3);
    for (const w of words) {
      expect(w.start).toBeGreaterThanOrEqual(1);
      expect(w.end).toBeLessThanOrEqual(5);
      // Back on the source's clock, every word lies in the recording that plays there.
      const s = speech.spans[1]!;
      expect(w.start - 1 + trim).toBeGreaterThanOrEqual(s.start - 0.05);
      expect(w.end - 1 + trim).toBeLessThanOrEqual(s.end + 0.05);
    }
  }, 300_000);

  it('captions from "alias://name" show only that clip\'s words: not the other voice\'s', async () => {
    const res = await call('POST', '/v1/renders', {
      timeline: {
        background: '#000000',
        tracks: [
          { clips: [{ asset: { type: 'caption', src: 'alias://host' }, start: 0, length: 6 }] },
          {
            clips: [
              {
                alias: 'host',
                asset: { type: 'text-to-speech', text: 'Hello there world.', voice: 'Joanna' },
                start: 0.3,
                length: 2.4,
              },
              {
                asset: { type: 'text-to-speech', text: 'Goodbye to the moon.', voice: 'Joanna' },
                start: 3.3,
                length: 2.7,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    const outputs = job.outputs as Output[];
    const path = join(await mkdtemp(join(tmpdir(), 'cutline-alias-captions-')), 'out.mp4');
    await writeFile(
      path,
      Buffer.from(await (await fetch(outputs.find((o) => o.kind === 'video')!.url)).arrayBuffer()),
    );
    // Both voices speak; the captions are lit while "host" speaks and dark while the other one does.
    expect(await meanVolume(path, 0.6, 0.5)).toBeGreaterThan(-35);
    expect(await meanVolume(path, 3.6, 0.5)).toBeGreaterThan(-35);
    let hostLit = 0;
    for (const t of [0.7, 0.9, 1.1, 1.3]) hostLit = Math.max(hostLit, await lit(path, t));
    expect(hostLit).toBeGreaterThan(30);
    for (const t of [3.7, 4.0, 4.3]) expect(await lit(path, t)).toBe(0);
  }, 300_000);

  it('captions from "alias://name" of an image clip are a 400 at the caption\'s src', async () => {
    const res = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'caption', src: 'alias://pic' }, start: 0, length: 2 }] },
          {
            clips: [
              {
                alias: 'pic',
                asset: { type: 'image', src: fixtureUrl('image-red.png') },
                start: 0,
                length: 2,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('timeline.tracks[0].clips[0].asset.src');
  });

  it('an unknown voice is a client error naming the asset; a bad language code is refused at submit', async () => {
    const bad = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [
          {
            clips: [
              {
                asset: { type: 'text-to-speech', text: 'x', voice: 'Joanna', language: 'english please' },
                start: 0,
                length: 1,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toMatch(
      /timeline\.tracks\[0\]\.clips\[0\]\.asset\.language/,
    );
    const res = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [
          {
            clips: [{ asset: { type: 'text-to-speech', text: 'x', voice: 'zz-nope' }, start: 0, length: 1 }],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    });
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 120_000);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('VALIDATION_FAILED');
    expect(job.error.message).toMatch(/timeline\.tracks\[0\]\.clips\[0\]\.asset\.voice/);
  }, 200_000);
});
