import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectInFrame } from '../../../lambdas/core/providers/faces/face-api.js';
import { movingFaceVideo } from '../../helpers/faces.js';
import { FIXTURES } from '../../helpers/fixtures.js';
import { readFrame } from '../../helpers/media.js';

const run = promisify(execFile);
const CLI = resolve('bin/cutline.mjs');

beforeAll(async () => {
  await movingFaceVideo();
}, 120_000);

/** `cutline render` of a clips job with face reframing: no platform, the local detector, a real face. */
describe('cutline render: reframe mode "face"', () => {
  it('frames the face in the 9:16 clip at its start, far left of the source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-cli-faces-'));
    // Sources resolve beside the job file: it lies with the fixtures.
    const job = join(FIXTURES, 'faces-job.json');
    await writeFile(
      job,
      JSON.stringify({
        type: 'clips',
        src: 'moving-face.mp4',
        clips: [{ start: 0, end: 2 }],
        reframe: { mode: 'face' },
        output: { resolution: 'preview' },
      }),
    );
    await run('node', [CLI, 'render', job, '-o', join(dir, 'out')], { cwd: FIXTURES });
    const manifest = JSON.parse(await readFile(join(dir, 'out', 'manifest.json'), 'utf8'));
    expect(manifest.outputs[0].meta.reframe).toBe('face');
    const f = await readFrame(join(dir, 'out', 'clip-01-9x16.mp4'), 0.25);
    const rgb = new Uint8Array(f.width * f.height * 3);
    for (let i = 0, j = 0; i < f.data.length; i += 4, j += 3) rgb.set(f.data.subarray(i, i + 3), j);
    expect(await detectInFrame(rgb, f.width, f.height)).toHaveLength(1);
  }, 300_000);
});
