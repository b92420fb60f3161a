import { describe, expect, it } from 'vitest';
import { boundedEvent, EVENT_OUTPUTS_BYTES } from '../../../lambdas/pipeline/finalize.js';

describe('the Job Succeeded detail stays within what a state and PutEvents carry', () => {
  const output = (i: number) => ({
    kind: 'video',
    key: `outputs/t/j/clip-${i}-9x16.mp4`,
    bytes: 1000,
    rendition: `clip-${i}`,
  });
  const manifest = { kind: 'manifest', key: 'outputs/t/j/manifest.json', bytes: 9 };

  it('lists every output while small', () => {
    const detail = { jobId: 'j', status: 'SUCCEEDED', outputs: [output(1), manifest] };
    expect(boundedEvent(detail)).toBe(detail);
  });

  it('names a 200-rendition job’s outputs through its manifest, with their count', () => {
    const outputs = [...Array.from({ length: 600 }, (_, i) => output(i)), manifest];
    const bounded = boundedEvent({ jobId: 'j', status: 'SUCCEEDED', outputs });
    expect(bounded).toEqual({ jobId: 'j', status: 'SUCCEEDED', outputs: [manifest], outputCount: 601 });
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThan(EVENT_OUTPUTS_BYTES);
  });
});
