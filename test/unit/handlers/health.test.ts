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
