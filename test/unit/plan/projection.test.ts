import { describe, expect, it } from 'vitest';
import { mapCeiling, projectRender, type ProjectionInput } from '../../../lambdas/core/plan/projection.js';

const base: ProjectionInput = {
  chunks: 200,
  chunkSeconds: 10,
  audioParts: 200,
  audioPartSeconds: 0.5,
  concurrency: 200,
  mapMode: 'distributed',
  stitchSeconds: 3,
  sourceBytesPerChunk: 20e6,
  chunkBytes: 10e6,
  audioPartBytes: 0.5e6,
  outputBytes: 2e9,
  invocationSeconds: 0.2,
  coldStartSeconds: 1,
  transferBytesPerSecond: 100e6,
  fixedStepsSeconds: 2,
};

describe('the long-render projection', () => {
  it('adds every term: fixed steps, cold start, one wave of items, the stitch’s transfers', () => {
    const p = projectRender(base);
    expect(p.waves).toBe(1);
    // 2 + (1 + 0.2 + 0.2 + 10 + 0.1) + (0.2 + 21 + 3 + 20): 200 parts of 10 MB + 200 of 0.5 MB at 100 MB/s
    expect(p.seconds).toBeCloseTo(2 + 11.5 + 44.2, 6);
    expect(p.terms.find((t) => t.name.startsWith('stitch: upload'))!.seconds).toBeCloseTo(20, 6);
  });

  it('an inline Map runs 40 at a time whatever MaxConcurrency says: five waves of 200 chunks', () => {
    expect(mapCeiling(200, 'inline')).toBe(40);
    expect(mapCeiling(0, 'inline')).toBe(40);
    expect(mapCeiling(0, 'distributed')).toBe(10_000);
    const inline = projectRender({ ...base, mapMode: 'inline' });
    expect(inline.waves).toBe(5);
    expect(inline.seconds - projectRender(base).seconds).toBeCloseTo(4 * 10.5, 6);
  });

  it('the job waits for the slower of video and audio', () => {
    const slowAudio = projectRender({ ...base, audioPartSeconds: 30 });
    expect(slowAudio.seconds).toBeCloseTo(2 + (1 + 0.2 + 30 + 0.005) + 44.2, 6);
  });

  it('the stitch by reference: header reads, audio, the header build, header+audio upload, copies, complete', () => {
    const p = projectRender({
      ...base,
      referenceStitch: {
        headerRequestsPerPart: 3,
        requestSeconds: 0.05,
        requestConcurrency: 50,
        moovBuildSeconds: 0.4,
        uploadBytes: 101e6,
        copyParts: 200,
        copySeconds: 0.5,
        copyConcurrency: 32,
        completeSeconds: 1,
      },
    });
    // 0.2 + ceil(600 / 50) × 0.05 + 200 × 0.5 MB / 100 MB/s + 0.4 + 1.01 + ceil(200 / 32) × 0.5 + 1
    const stitch = 0.2 + 0.6 + 1 + 0.4 + 1.01 + 3.5 + 1;
    expect(p.seconds).toBeCloseTo(2 + 11.5 + stitch, 6);
    // The parts are neither downloaded nor uploaded again.
    expect(p.terms.map((t) => t.name)).not.toContain('stitch: download the parts');
    expect(p.terms.find((t) => t.name.startsWith('stitch: UploadPartCopy'))!.seconds).toBeCloseTo(3.5, 6);
  });
});
