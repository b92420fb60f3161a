import { describe, expect, it } from 'vitest';
import { liveProgress, type ProgressWork } from '../../../lambdas/core/jobs/progress.js';
import { RenderProgress, renderProgressOf } from '../../../lambdas/core/jobs/render-progress.js';
import { openApiDocument } from '../../../lambdas/api/openapi.js';

const work = (done: Record<string, number>, over: Partial<ProgressWork> = {}): ProgressWork => ({
  frames: 600,
  audioFrames: 0,
  done,
  ...over,
});

describe('renderProgressOf (pure): the job view’s frames, fraction and ETA', () => {
  it('sums the tasks’ counters when read, with the ETA from the rate so far', () => {
    const now = Date.now();
    const job = {
      progress: 5,
      frames: { done: 0, total: 600 },
      // Two chunks, 150 frames drawn in the 10 s up to the latest count: 450 more take 30 s.
      work: work({ r0c0: 100, r0c1: 50 }, { startedAt: now - 10_000, countedAt: now }),
    };
    const view = renderProgressOf(job, liveProgress(job));
    expect(view).toEqual({ framesDone: 150, framesTotal: 600, fraction: 0.25, etaSeconds: 30 });
    expect(RenderProgress.parse(view)).toEqual(view);
  });

  it('has no ETA until there is a rate, and none once the frames are done', () => {
    const job = { progress: 5, frames: { done: 0, total: 600 }, work: work({}) };
    expect(renderProgressOf(job, liveProgress(job))).toEqual({
      framesDone: 0,
      framesTotal: 600,
      fraction: 0,
    });
    const drawn = {
      progress: 90,
      frames: { done: 0, total: 600 },
      work: work({ r0: 600 }, { startedAt: 0 }),
    };
    expect(renderProgressOf(drawn, liveProgress(drawn))).toEqual({
      framesDone: 600,
      framesTotal: 600,
      fraction: 1,
    });
  });

  it('an ended job shows its stored frames; a job the plan has not sized has none', () => {
    expect(renderProgressOf({ frames: { done: 600, total: 600 } }, null)).toEqual({
      framesDone: 600,
      framesTotal: 600,
      fraction: 1,
    });
    expect(renderProgressOf({}, null)).toBeUndefined();
    expect(renderProgressOf({}, liveProgress({ progress: 2 }))).toBeUndefined();
  });

  it('fraction is rounded down to four places: 1 only when every frame is done', () => {
    const of = (done: number, total: number) => renderProgressOf({ frames: { done, total } }, null)!.fraction;
    expect(of(99_999, 100_000)).toBe(0.9999);
    expect(of(29, 100)).toBe(0.29);
    expect(of(1, 3)).toBe(0.3333);
    expect(of(0, 0)).toBe(0);
    // Counters past the total (a stitch of a retried chunk) never pass 1.
    expect(of(700, 600)).toBe(1);
  });
});

describe('renderProgress in the OpenAPI document', () => {
  it('GET /v1/renders/{id} answers it, from the same zod schema', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const doc = openApiDocument() as any;
    const schema = doc.components.schemas.RenderProgress;
    expect(Object.keys(schema.properties)).toEqual(['framesDone', 'framesTotal', 'fraction', 'etaSeconds']);
    expect(schema.required).toEqual(['framesDone', 'framesTotal', 'fraction']);
    const ok = doc.paths['/v1/renders/{id}'].get.responses['200'].content['application/json'].schema;
    expect(ok.properties.renderProgress).toEqual({ $ref: '#/components/schemas/RenderProgress' });
    expect(ok.properties.progress).toMatchObject({ type: 'number', minimum: 0, maximum: 100 });
  });
});
