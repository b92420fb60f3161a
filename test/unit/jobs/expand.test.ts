import { describe, expect, it } from 'vitest';
import { expandJob, MAX_RENDITIONS } from '../../../lambdas/core/kinds/expand.js';
import type { ExpandContext, JobKind, Rendition } from '../../../lambdas/core/jobs/types.js';
import { manifestJob } from '../../../lambdas/core/kinds/manifest.js';
import { jobKind } from '../../../lambdas/core/kinds/registry.js';

const edit = {
  timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'hi' }, start: 0, length: 1 }] }] },
  output: { format: 'mp4', resolution: 'preview' },
};
const ctx = {} as ExpandContext;
const kindOf = (renditions: unknown[]): JobKind<null> => ({
  type: 'mix',
  parse: () => null,
  sources: () => [],
  expand: async () => renditions as Rendition[],
});

describe('expandJob', () => {
  it('validates every rendition edit with the edit schema and names the output in the error', async () => {
    const bad = { ...edit, output: { format: 'avi' } };
    await expect(
      expandJob(
        kindOf([
          { name: 'ok', edit },
          { name: 'variation-002', edit: bad },
        ]),
        null,
        ctx,
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('output "variation-002"'),
      details: [expect.objectContaining({ path: 'output.format' })],
    });
  });

  it('returns parsed edits (defaults applied) for valid renditions', async () => {
    const [r] = await expandJob(kindOf([{ name: 'a', edit, meta: { n: 1 } }]), null, ctx);
    expect(r!.meta).toEqual({ n: 1 });
    expect(r!.edit.timeline.tracks).toHaveLength(1);
  });

  it('refuses no renditions, too many, and repeated or unsafe names', async () => {
    await expect(expandJob(kindOf([]), null, ctx)).rejects.toThrow(/no outputs/);
    const many = Array.from({ length: MAX_RENDITIONS + 1 }, (_, i) => ({ name: `r${i}`, edit }));
    await expect(expandJob(kindOf(many), null, ctx)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    await expect(
      expandJob(
        kindOf([
          { name: 'a', edit },
          { name: 'a', edit },
        ]),
        null,
        ctx,
      ),
    ).rejects.toThrow(/repeated name "a"/);
    await expect(expandJob(kindOf([{ name: '../x', edit }]), null, ctx)).rejects.toThrow(/invalid/);
  });
});

describe('job files and the registry', () => {
  it('a bare edit and {type: render, edit} are render jobs', () => {
    expect(manifestJob(edit)).toEqual({ type: 'render', body: edit });
    expect(manifestJob({ type: 'render', edit })).toEqual({ type: 'render', body: edit });
  });

  it('an unknown type is refused with the path "type" and the known types', () => {
    expect(() => manifestJob({ type: 'slideshow' })).toThrow(
      /unknown job type "slideshow"; a manifest's type is one of: render/,
    );
    expect(() => jobKind('nope')).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'type', message: 'unknown job type "nope"' }],
      }),
    );
  });

  it('a tenant in the file must match the tenant it runs for', () => {
    expect(() => manifestJob({ tenant: 'other', ...edit }, { tenantId: 'drop' })).toThrow(
      /belong to tenant "drop"/,
    );
  });
});
