import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobKind } from '../../../lambdas/core/jobs/types.js';
import { expansionContext } from '../../../lambdas/core/kinds/expand.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import { prepareItems } from '../../../local/standalone-job.js';

/** A kind whose items answer as given: a result, or work still running in a provider. */
const kindAnswering = (answers: Record<string, unknown>): JobKind<null> => ({
  type: 'clips',
  parse: () => null,
  sources: () => [],
  prepareItems: () => Object.keys(answers).map((id) => ({ id })),
  prepareItem: (_req, item) => Promise.resolve(answers[item.id]),
  expand: () => Promise.resolve([]),
});

describe('prepareItems (cutline render <job.json>)', () => {
  const ctx = async () =>
    expansionContext({
      tenantId: 'local',
      jobId: 'local',
      scratchDir: await mkdtemp(join(tmpdir(), 'x1-prepare-')),
      resolver: new LocalSourceResolver({ mediaRoot: tmpdir(), baseDir: tmpdir(), maxSourceBytes: 1e6 }),
    });

  it('keeps every item result by id, in order', async () => {
    const out = await prepareItems(kindAnswering({ a: { n: 1 }, b: { n: 2 } }), null, await ctx());
    expect([...out.entries()]).toEqual([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
    ]);
  });

  it('waits on work a provider is still running and polls it until it answers', async () => {
    const polls: unknown[] = [];
    const kind: JobKind<null> = {
      ...kindAnswering({ scene: { wait: { seconds: 0, state: { n: 1 } } } }),
      pollItem: (_req, _item, state) => {
        polls.push(state);
        const n = Number(state.n);
        return Promise.resolve(n < 3 ? { wait: { seconds: 0, state: { n: n + 1 } } } : { media: 'done' });
      },
    };
    const out = await prepareItems(kind, null, await ctx());
    expect(polls).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(out.get('scene')).toEqual({ media: 'done' });
  });

  it('refuses work the pipeline would wait on when the kind cannot poll it, naming cutline start', async () => {
    const kind = kindAnswering({ transcript: { wait: { seconds: 5, state: { job: 'x' } } } });
    await expect(prepareItems(kind, null, await ctx())).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringMatching(
        /clips job: "transcript" runs in a provider the pipeline waits on.*cutline start/,
      ),
    });
  });
});
