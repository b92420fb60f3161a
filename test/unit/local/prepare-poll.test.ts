import { describe, expect, it } from 'vitest';
import { AslRunner, type Definition } from '../../../local/asl-runner.js';
import { loadDefinition } from '../../../local/stepfunctions.js';

/**
 * The render machine's prepare loop, as written in statemachines/render.asl.json: a prepare item whose
 * provider is still working (an Amazon Transcribe job) answers with `wait`; the machine Waits that long
 * and calls PollPrepareItem with the same task back, until an answer without `wait`.
 */
describe('PrepareItems: Wait/Choice poll loop of render.asl.json', () => {
  it('waits the seconds the task asks for and polls until done; a failed poll fails the item', async () => {
    const def = loadDefinition() as Definition & { States: Record<string, { ItemProcessor: Definition }> };
    const loop = def.States.PrepareItems!.ItemProcessor;
    const calls: Array<{ state: string; poll?: unknown; at: number }> = [];
    const t0 = performance.now();
    const task = { jobId: 'j', tenantId: 't', item: { id: 'transcript' } };
    const runner = new AslRunner(
      { StartAt: loop.StartAt, States: loop.States },
      {
        readJson: async () => [],
        handlers: {
          PrepareItem: async (input) => {
            calls.push({ state: 'PrepareItem', at: performance.now() - t0 });
            expect((input as { Payload: unknown }).Payload).toEqual(task);
            return { Payload: { ...task, id: 'transcript', wait: 1, poll: { name: 'job', polls: 0 } } };
          },
          PollPrepareItem: async (input) => {
            const p = (input as { Payload: { poll: { polls: number } } }).Payload;
            calls.push({ state: 'PollPrepareItem', poll: p.poll, at: performance.now() - t0 });
            return p.poll.polls < 1
              ? { Payload: { ...p, wait: 1, poll: { name: 'job', polls: p.poll.polls + 1 } } }
              : { Payload: { id: 'transcript' } };
          },
        },
      },
    );
    await expect(runner.run(task).result).resolves.toEqual({ id: 'transcript' });
    expect(calls.map((c) => [c.state, c.poll])).toEqual([
      ['PrepareItem', undefined],
      ['PollPrepareItem', { name: 'job', polls: 0 }],
      ['PollPrepareItem', { name: 'job', polls: 1 }],
    ]);
    // Each poll came after the Wait the answer asked for (1 s), not at once.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(950);

    const failing = new AslRunner(
      { StartAt: loop.StartAt, States: loop.States },
      {
        readJson: async () => [],
        handlers: {
          PrepareItem: async () => ({
            Payload: { ...task, id: 'transcript', wait: 0, poll: { name: 'job' } },
          }),
          PollPrepareItem: async () => {
            throw Object.assign(new Error('Amazon Transcribe could not transcribe the source'), {
              name: 'RENDER_FAILED',
            });
          },
        },
      },
    );
    await expect(failing.run(task).result).rejects.toMatchObject({ name: 'RENDER_FAILED' });
  }, 30_000);
});
