import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderEdit } from '../../helpers/fixtures.js';
import { litBox, readFrame } from '../../helpers/media.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-title-'));
});

const size = { width: 320, height: 180 };

async function titleFrames(
  name: string,
  clip: Record<string, unknown>,
  asset: Record<string, unknown>,
  times: number[],
) {
  const out = join(dir, `${name}.mp4`);
  await renderEdit(
    {
      timeline: {
        background: '#000000',
        tracks: [
          {
            clips: [
              {
                asset: { type: 'title', text: 'WIDE TITLE', style: 'blockbuster', ...asset },
                start: 0,
                length: 2,
                ...clip,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size, fps: 25 },
    },
    out,
  );
  return Promise.all(times.map((t) => readFrame(out, t)));
}

describe('titles move as whole clips', () => {
  it('zoomIn grows the whole title: the letters spread past the text box they started in', async () => {
    const [a, b] = await titleFrames('zoom', { effect: 'zoomInFast' }, {}, [0.04, 1.96]);
    const start = litBox(a!, 128)!;
    const end = litBox(b!, 128)!;
    const w0 = start.x1 - start.x0;
    const w1 = end.x1 - end.x0;
    // zoomInFast ends at 1.7×: a zoom inside the tight box would keep the lit width (letters cut off).
    expect(w1 / w0).toBeGreaterThan(1.35);
    // Still centred on the frame.
    expect((end.x0 + end.x1) / 2).toBeCloseTo(160, -1);
  });

  it('slide effects pan the whole title, not the text inside its box', async () => {
    const [a, b] = await titleFrames('slide', { effect: 'slideRight' }, {}, [0.04, 1.96]);
    const start = litBox(a!, 128)!;
    const end = litBox(b!, 128)!;
    expect(end.x0 - start.x0).toBeGreaterThan(8);
    // Same width: a pan, not a crop of the letters.
    expect(Math.abs(end.x1 - end.x0 - (start.x1 - start.x0))).toBeLessThan(6);
  });

  it("a title's own offset and its clip's offset add (fractions of the frame, y up)", async () => {
    const [centred] = await titleFrames(
      'offsets',
      { offset: { x: -0.25, y: -0.1 } },
      { offset: { x: 0.25, y: 0.1 } },
      [1],
    );
    const box = litBox(centred!, 128)!;
    expect((box.x0 + box.x1) / 2).toBeCloseTo(160, -1);
    expect((box.y0 + box.y1) / 2).toBeCloseTo(90, -1);
    const [up] = await titleFrames('offset-up', {}, { position: 'bottom', offset: { y: 0.2 } }, [1]);
    const upBox = litBox(up!, 128)!;
    // bottom + 0.2 × 180 px up: the text's bottom edge sits about 36 px above the frame's.
    expect(180 - upBox.y1).toBeGreaterThan(30);
    expect(180 - upBox.y1).toBeLessThan(60);
  });

  it('a bottom subtitle with a negative offset stays in the frame, at its bottom edge', async () => {
    // Shotstack's own captions example: style subtitle, position bottom, offset y −0.4.
    const asset = { text: 'Hi there', style: 'subtitle', position: 'bottom', offset: { y: -0.4 } };
    const [f] = await titleFrames('subtitle-low', {}, asset, [1]);
    const box = litBox(f!, 128);
    expect(box).not.toBeNull();
    expect(box!.y1).toBeLessThanOrEqual(180);
    expect(box!.y1).toBeGreaterThan(160);
    expect((box!.x0 + box!.x1) / 2).toBeCloseTo(160, -1);
    // A clip's own offset still moves the clip as a whole (here back up by a fifth of the frame).
    const [moved] = await titleFrames('subtitle-low-clip', { offset: { y: 0.2 } }, asset, [1]);
    const up = litBox(moved!, 128)!;
    expect(box!.y1 - up.y1).toBeGreaterThan(30);
    expect(box!.y1 - up.y1).toBeLessThan(42);
  });

  it('an offset that keeps the title inside the frame is not changed', async () => {
    const [f] = await titleFrames(
      'subtitle-in',
      {},
      { text: 'Hi', position: 'top', offset: { y: -0.25 } },
      [1],
    );
    const box = litBox(f!, 128)!;
    // top, then 0.25 × 180 = 45 px down.
    expect(box.y0).toBeGreaterThan(40);
    expect(box.y0).toBeLessThan(70);
  });
});
