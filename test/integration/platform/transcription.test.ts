import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { readFrame } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';
import { speechVideo, wordErrorRate } from '../../helpers/speech.js';

let platform: LocalPlatform;
let call: Api;
let speech: Awaited<ReturnType<typeof speechVideo>>;

beforeAll(async () => {
  speech = await speechVideo();
  platform = await startTestPlatform();
  call = api(platform);
}, 120_000);
afterAll(async () => platform?.close());

type Output = { kind: string; key: string; url: string; rendition?: string };
type Word = { start: number; end: number; text: string };
type Meta = {
  start: number;
  end: number;
  title: string;
  why: Record<string, number>;
  transcript: { src: string; cached: boolean };
};
type Manifest = { outputs: Array<{ name: string; meta: Meta; files: Output[] }> };

const download = async (url: string, name: string) => {
  const path = join(await mkdtemp(join(tmpdir(), 'cutline-tr-')), name);
  await writeFile(path, Buffer.from(await (await fetch(url)).arrayBuffer()));
  return path;
};

/** captions.transcribe on a clip job: real recorded speech through the local recognizer, end to end. */
describe('transcription on the local platform (pocketsphinx)', () => {
  let transcript: Word[];
  let transcriptSrc: string;

  it('auto clips of a speech source: the transcript is an output, no clip cuts a word or is pure silence', async () => {
    const res = await call('POST', '/v1/clips', {
      src: fixtureUrl('librivox-speech-black.mp4'),
      mode: 'auto',
      count: 2,
      length: 6,
      captions: { transcribe: true },
      aspectRatios: ['16:9'],
      output: { resolution: 'preview' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 300_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    const outputs = job.outputs as Output[];
    const t = outputs.find((o) => o.kind === 'transcript')!;
    expect(t.key).toMatch(new RegExp(`^outputs/[^/]+/${job.id}/transcript\\.json$`));
    const body = (await (await fetch(t.url)).json()) as { engine: string; words: Word[] };
    expect(body.engine).toBe('pocketsphinx');
    transcript = body.words;
    const wer = wordErrorRate(
      speech.spans.flatMap((s) => s.words),
      transcript.map((w) => w.text),
    );
    expect(wer).toBeLessThan(0.35);

    const manifest = (await (
      await fetch(outputs.find((o) => o.kind === 'manifest')!.url)
    ).json()) as Manifest;
    expect(manifest.outputs).toHaveLength(2);
    for (const o of manifest.outputs) {
      const { start, end } = o.meta;
      for (const w of transcript) {
        expect(start > w.start && start < w.end, `clip starts inside "${w.text}"`).toBe(false);
        expect(end > w.start && end < w.end, `clip ends inside "${w.text}"`).toBe(false);
      }
      expect(
        transcript.some((w) => w.start >= start && w.end <= end),
        'a clip with no words',
      ).toBe(true);
      expect(o.meta.transcript.cached).toBe(false);
      transcriptSrc = o.meta.transcript.src;
    }
  }, 400_000);

  it('the same source again reuses its stored transcript; burned captions are lit during words, dark in pauses', async () => {
    const res = await call('POST', '/v1/clips', {
      src: fixtureUrl('librivox-speech-black.mp4'),
      clips: [{ start: 0, end: speech.spans[1]!.end + 1 }],
      captions: { transcribe: true },
      aspectRatios: ['16:9'],
      output: { resolution: 'preview' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 300_000);
    expect(job.error ?? null).toBeNull();
    const outputs = job.outputs as Output[];
    const manifest = (await (
      await fetch(outputs.find((o) => o.kind === 'manifest')!.url)
    ).json()) as Manifest;
    expect(manifest.outputs[0]!.meta.transcript).toMatchObject({ cached: true, src: transcriptSrc });
    const video = await download(outputs.find((o) => o.kind === 'video')!.url, 'clip.mp4');
    // The source is black: the caption band is lit only while a cue (a group of words) is on screen.
    const band = async (t: number) => {
      const f = await readFrame(video, t);
      let lit = 0;
      for (let i = Math.floor(f.height * 0.6) * f.width * 4; i < f.data.length; i += 4)
        if (Math.min(f.data[i]!, f.data[i + 1]!, f.data[i + 2]!) > 200) lit++;
      return lit;
    };
    const first = transcript.filter((w) => w.end <= speech.spans[0]!.end + 0.05);
    const mid = first[Math.floor(first.length / 2)]!;
    expect(await band((mid.start + mid.end) / 2)).toBeGreaterThan(100);
    // The middle of the pause before the first recording and between the first two.
    expect(await band(speech.spans[0]!.start / 2)).toBe(0);
    expect(await band((speech.spans[0]!.end + speech.spans[1]!.start) / 2)).toBe(0);
  }, 400_000);
});
