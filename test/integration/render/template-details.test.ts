import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEdit } from '../../helpers/fixtures.js';
import { readFrame, regionMean } from '../../helpers/media.js';

/** What public templates use that cutline draws: empty text panels, rounded text boxes, svg opacity. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-template-details-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const size = { width: 320, height: 180 };

async function frame(name: string, asset: Record<string, unknown>, clip: Record<string, unknown> = {}) {
  const out = join(dir, `${name}.mp4`);
  await renderEdit(
    {
      timeline: {
        background: '#000000',
        tracks: [{ clips: [{ asset, start: 0, length: 1, ...clip }] }],
      },
      output: { format: 'mp4', size, fps: 25 },
    },
    out,
  );
  return readFrame(out, 0.5);
}

describe('asset details from public templates', () => {
  it('an empty text with a background is a panel; borderRadius rounds its corners', async () => {
    const panel = { type: 'text', text: '', width: 200, height: 100, background: { color: '#ff0000' } };
    const square = await frame('panel', panel);
    // The box is 200×100 in the middle: x 60–260, y 40–140.
    expect(regionMean(square, 0.3, 0.3, 0.7, 0.7)[0]).toBeGreaterThan(200);
    expect(regionMean(square, 62 / 320, 42 / 180, 66 / 320, 46 / 180)[0]).toBeGreaterThan(200);
    const round = await frame('panel-round', {
      ...panel,
      background: { color: '#ff0000', borderRadius: 30 },
    });
    expect(regionMean(round, 0.3, 0.3, 0.7, 0.7)[0]).toBeGreaterThan(200);
    // The corner is cut away (black background shows), the middle of the top edge is not.
    expect(regionMean(round, 62 / 320, 42 / 180, 66 / 320, 46 / 180)[0]).toBeLessThan(40);
    expect(regionMean(round, 150 / 320, 42 / 180, 170 / 320, 46 / 180)[0]).toBeGreaterThan(200);
  });

  it('svg opacity fades the drawing', async () => {
    const svg = (opacity?: number) => ({
      type: 'svg',
      src: '<svg viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10" fill="#ffffff"/></svg>',
      ...(opacity === undefined ? {} : { opacity }),
    });
    const full = await frame('svg-full', svg(), { width: 100, height: 100 });
    const half = await frame('svg-half', svg(0.5), { width: 100, height: 100 });
    const a = regionMean(full, 0.45, 0.45, 0.55, 0.55)[1];
    const b = regionMean(half, 0.45, 0.45, 0.55, 0.55)[1];
    expect(a).toBeGreaterThan(240);
    expect(b).toBeGreaterThan(110);
    expect(b).toBeLessThan(145);
  });
});
