import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../../lambdas/core/aws/call-recorder.js';
import { ENV, HANDLERS } from '../../../lambdas/core/config.js';
import { readBoxes } from '../../../lambdas/core/media/mp4-box.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { FIXTURES, toneFixture } from '../../helpers/fixtures.js';
import {
  bucketPolicies,
  evaluate,
  iamRequests,
  principalFor,
  synthesizedTemplate,
} from '../../helpers/iam-simulation.js';
import { ffprobeJson } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

/**
 * The stitch Lambda's reference join through the real local platform (state machine, Lambda handlers,
 * the SigV4 S3 proxy): a chunked render whose parts are over 5 MiB (640×360 noise), so S3 really copies
 * them with UploadPartCopy. Noise frames are independent of each other, so comparing every output frame
 * with the source frame it should be proves order and timing: a frame off by one scores ~8 dB.
 */
const run = promisify(execFile);
let platform: LocalPlatform;
let call: Api;
let recordFile: string;
let dir: string;
const SECONDS = 9;

const noiseFixture = async () => {
  const path = join(FIXTURES, `noise-640x360-${SECONDS}.mp4`);
  if (!existsSync(path))
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `nullsrc=s=640x360:r=25:d=${SECONDS},geq=lum='random(1)*255':cb='128+random(2)*64':cr=128`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-qp',
      '0',
      '-pix_fmt',
      'yuv420p',
      `${path}.tmp.mp4`,
    ]).then(() => run('mv', [`${path}.tmp.mp4`, path]));
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-ref-stitch-'));
  await Promise.all([noiseFixture(), toneFixture(16, 440)]);
  recordFile = join(dir, 'calls.jsonl');
  process.env[ENV.RECORD_AWS_CALLS] = recordFile;
  // 3 s chunks: three parts of ~7 MB each.
  platform = await startTestPlatform({
    planLimits: { minChunkSeconds: 3, maxChunks: 3, maxConcurrency: 3, minAudioPartSeconds: 3 },
  });
  call = api(platform);
}, 120_000);
afterAll(async () => {
  delete process.env[ENV.RECORD_AWS_CALLS];
  await platform?.close();
});

describe('the stitch by reference on the local platform', () => {
  it('assembles the output with UploadPartCopy; frames in place, audio exact in length, poster from its chunk', async () => {
    const res = await call('POST', '/v1/renders', {
      timeline: {
        soundtrack: { src: fixtureUrl('tone-440-16.wav') },
        tracks: [
          {
            clips: [
              {
                asset: { type: 'video', src: fixtureUrl(`noise-640x360-${SECONDS}.mp4`) },
                start: 0,
                length: SECONDS,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 640, height: 360 }, fps: 25, poster: { capture: 7.5 } },
    });
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(job.plan[0].chunks).toBe(3);
    const main = job.outputs.find((o: { kind: string }) => o.kind === 'video');
    const poster = job.outputs.find((o: { kind: string }) => o.kind === 'poster');
    const file = join(dir, 'out.mp4');
    await writeFile(file, Buffer.from(await (await fetch(main.url)).arrayBuffer()));
    const bytes = await readFile(file);
    expect(bytes.length).toBe(main.bytes);
    expect(readBoxes(bytes).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);

    // What the stitch did: its parts copied by S3, no chunk downloaded whole.
    const calls = (await readFile(recordFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RecordedCall)
      .filter((c) => c.caller === HANDLERS.pipeline.stitch);
    const copies = calls.filter((c) => c.command === 'UploadPartCopyCommand');
    expect(copies.length).toBeGreaterThanOrEqual(2);
    const gets = calls.filter(
      (c) => c.command === 'GetObjectCommand' && String((c.input as { Key?: string }).Key).includes('chunk-'),
    );
    // Ranged header reads, one whole chunk for the poster (7.5 s lies in chunk 2).
    expect(gets.filter((g) => !(g.input as { Range?: string }).Range).length).toBe(1);
    // AWS would allow each of these calls to the stitch under the synthesized template.
    const template = synthesizedTemplate();
    const buckets = bucketPolicies(template);
    for (const c of calls.filter((c) => c.service === 's3'))
      for (const r of iamRequests(c, template)) {
        const v = await evaluate(c.caller, principalFor(template, c.caller), r, buckets);
        expect(v.result, `${c.command} ${r.action} ${r.resource}`).toBe('Allowed');
      }

    const probe = await ffprobeJson(file);
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    const audio = probe.streams.find((s) => s.codec_type === 'audio')!;
    expect(Number(video.nb_frames)).toBe(SECONDS * 25);
    expect(Number(audio.duration_ts)).toBe(SECONDS * 48_000);
    // Every frame against the source frame it shows (PSNR per frame).
    const stats = (
      await run('ffmpeg', [
        '-v',
        'error',
        '-i',
        file,
        '-i',
        await noiseFixture(),
        '-lavfi',
        `[0:v][1:v]psnr=stats_file=${join(dir, 'psnr.log')}`,
        '-f',
        'null',
        '-',
      ]).then(() => readFile(join(dir, 'psnr.log'), 'utf8'))
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => Number(/psnr_avg:([\d.]+|inf)/.exec(l)![1]));
    expect(stats.length).toBe(SECONDS * 25);
    expect(Math.min(...stats), 'the worst frame against its source').toBeGreaterThan(20);

    // The poster, taken from the chunk that holds 7.5 s, is the very image a poster taken from the whole
    // joined file is (as the ffmpeg stitch's path takes it): the frame at 7.52 s, source frame 188.
    const posterFile = join(dir, 'poster.jpg');
    await writeFile(posterFile, Buffer.from(await (await fetch(poster.url)).arrayBuffer()));
    const whole = join(dir, 'whole-poster.jpg');
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-ss',
      '7.5',
      '-i',
      file,
      '-frames:v',
      '1',
      '-q:v',
      '3',
      '-update',
      '1',
      whole,
    ]);
    expect((await readFile(posterFile)).equals(await readFile(whole))).toBe(true);
    const psnrAt = async (frame: number) => {
      const { stderr } = await run('ffmpeg', [
        '-v',
        'info',
        '-i',
        posterFile,
        '-i',
        await noiseFixture(),
        '-lavfi',
        `[1:v]select=eq(n\\,${frame})[s];[0:v]scale=out_range=tv,format=yuv420p[p];[p][s]psnr`,
        '-f',
        'null',
        '-',
      ]);
      return Number(/average:([\d.]+)/.exec(stderr)![1]);
    };
    const [at, before] = [await psnrAt(188), await psnrAt(187)];
    expect(at).toBeGreaterThan(before + 6);
  }, 300_000);
});
