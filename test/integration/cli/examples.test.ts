import { execFile } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeExampleMedia } from '../../../examples/make-media.js';
import { ffprobeJson } from '../../helpers/media.js';

const run = promisify(execFile);
const CLI = resolve('bin/cutline.mjs');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-examples-'));
  await makeExampleMedia(false);
});

describe('examples/ run as they are', async () => {
  const edits = (await readdir(resolve('examples'))).filter((f) => f.endsWith('.json'));
  it('there are examples to run', () => expect(edits.length).toBeGreaterThanOrEqual(3));
  it.each(edits)('%s renders', async (name) => {
    const out = join(dir, name.replace(/\.json$/, '.mp4'));
    await run('node', [CLI, 'render', resolve('examples', name), '-o', out]);
    const probe = await ffprobeJson(out);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Number(probe.format.duration)).toBeGreaterThan(4);
  });
});
