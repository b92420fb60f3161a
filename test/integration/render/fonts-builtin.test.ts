import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEdit } from '../../helpers/fixtures.js';
import { readFrame, regionMean } from '../../helpers/media.js';

// Edits name Shotstack's built-in families without timeline.fonts; they render with the intended face.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-fonts-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const text = (family: string, weight: number) => ({
  timeline: {
    background: '#000000',
    tracks: [
      {
        clips: [
          {
            asset: {
              type: 'text',
              text: 'WWWW',
              font: { family, weight, size: 60, color: '#ffffff' },
              width: 320,
              height: 180,
            },
            start: 0,
            length: 1,
          },
        ],
      },
    ],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 } },
});

const ink = async (family: string, weight: number) => {
  const out = join(dir, `${family.replace(/ /g, '')}-${weight}.mp4`);
  const { compiled } = await renderEdit(text(family, weight), out);
  const [r] = regionMean(await readFrame(out, 0.5), 0, 0, 1, 1);
  return { ink: r!, graph: compiled.args.join(' ') };
};

describe('built-in font families', () => {
  it.each([
    ['Montserrat', 900, 'Montserrat_900Black.ttf'],
    ['Roboto', 100, 'Roboto_100Thin.ttf'],
    ['Work Sans', 600, 'WorkSans_600SemiBold.ttf'],
    ['Arapey', 400, 'Arapey_400Regular.ttf'],
    ['Clear Sans', 700, 'ClearSans-Bold.ttf'],
    ['Open Sans', 800, 'OpenSans_800ExtraBold.ttf'],
    // Shotstack's font list names faces as "Family Style": the style decides whatever the weight says.
    ['Montserrat ExtraBold', 400, 'Montserrat_800ExtraBold.ttf'],
    ['WorkSans-Light', 400, 'WorkSans_300Light.ttf'],
  ])('%s %i draws with %s', async (family, weight, file) => {
    const { ink: lit, graph } = await ink(family, weight);
    expect(graph).toContain(file);
    expect(lit).toBeGreaterThan(5);
  });

  it('weights look different: Montserrat Black lays down far more ink than Thin', async () => {
    const black = await ink('Montserrat', 900);
    const thin = await ink('Montserrat', 100);
    expect(black.ink).toBeGreaterThan(thin.ink * 2.5);
  });
});
