import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFfmpeg } from '../../../lambdas/core/media/capabilities.js';

describe('the ffmpeg check', () => {
  it('finds every filter and encoder the compiler uses in this machine’s ffmpeg', async () => {
    const r = await checkFfmpeg('ffmpeg');
    expect(r.missing).toEqual({ filters: [], encoders: [] });
    expect(r.ok).toBe(true);
    expect(r.version).toMatch(/^ffmpeg version/);
  });

  it('names what a thin ffmpeg lacks, and an absent one lacks everything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-fake-ffmpeg-'));
    const fake = join(dir, 'ffmpeg');
    // Answers like ffmpeg, but with only overlay and libx264.
    await writeFile(
      fake,
      `#!/bin/sh\ncase "$2" in\n -version) echo "ffmpeg version fake";;\n -filters) echo " ... overlay VV->V x";;\n -encoders) echo " V..... libx264 x";;\nesac\n`,
    );
    await chmod(fake, 0o755);
    const r = await checkFfmpeg(fake);
    expect(r.ok).toBe(false);
    expect(r.missing.filters).toContain('drawtext');
    expect(r.missing.filters).not.toContain('overlay');
    expect(r.missing.encoders).toEqual(expect.arrayContaining(['aac', 'libvpx-vp9']));
    expect(r.missing.encoders).not.toContain('libx264');
    const none = await checkFfmpeg(join(dir, 'nope'));
    expect(none.version).toBeNull();
    expect(none.ok).toBe(false);
  });
});

describe('GET /v1/health', () => {
  it('answers from a cached ffmpeg check: a burst of health checks spawns ffmpeg once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-counting-ffmpeg-'));
    const fake = join(dir, 'ffmpeg');
    const log = join(dir, 'calls');
    await writeFile(fake, `#!/bin/sh\necho "$2" >> "${log}"\n`);
    await chmod(fake, 0o755);
    const saved = process.env.CUTLINE_FFMPEG;
    process.env.CUTLINE_FFMPEG = fake;
    try {
      const { handler } = await import('../../../lambdas/api/health.js');
      const answers = await Promise.all(Array.from({ length: 20 }, () => handler()));
      expect(answers.every((a) => a.statusCode === 200)).toBe(true);
      expect(JSON.parse(answers[0]!.body).status).toBe('degraded');
      const { readFile } = await import('node:fs/promises');
      // One check = -version, -filters, -encoders: three runs, not sixty.
      expect((await readFile(log, 'utf8')).trim().split('\n')).toHaveLength(3);
    } finally {
      if (saved === undefined) delete process.env.CUTLINE_FFMPEG;
      else process.env.CUTLINE_FFMPEG = saved;
    }
  });
});
