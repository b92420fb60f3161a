import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * lambdas/pipeline/state.ts is the contract with statemachines/render.asl.json: every field the
 * definition hands a task, or reads from a task's answer, is named there. This reads both files and
 * fails when the ASL passes a field the contract does not declare, or leaves out one it requires.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const asl = JSON.parse(readFileSync(join(root, 'statemachines/render.asl.json'), 'utf8'));
const contractFile = join(root, 'lambdas/pipeline/state.ts');

interface Member {
  optional: boolean;
}

/** Each interface of a file with its members, those of the interfaces it extends included. */
function interfacesOf(file: string): Map<string, Map<string, Member>> {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const own = new Map<string, { members: Map<string, Member>; bases: string[] }>();
  sf.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    const members = new Map<string, Member>();
    for (const m of node.members)
      if (ts.isPropertySignature(m) && m.name && ts.isIdentifier(m.name))
        members.set(m.name.text, { optional: !!m.questionToken });
    const bases = (node.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText(sf)));
    own.set(node.name.text, { members, bases });
  });
  const all = (name: string): Map<string, Member> => {
    const i = own.get(name);
    if (!i) throw new Error(`state.ts declares no interface ${name}`);
    return new Map([...i.bases.flatMap((b) => [...all(b)]), ...i.members]);
  };
  return new Map([...own.keys()].map((n) => [n, all(n)]));
}

/** Every state of the definition by name, nested Maps and Parallel branches included. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ASL states are free-form JSON
function statesOf(states: Record<string, Record<string, unknown>>, out = new Map<string, any>()) {
  for (const [name, s] of Object.entries(states)) {
    out.set(name, s);
    const inner = [s.Iterator, s.ItemProcessor, ...((s.Branches as unknown[]) ?? [])] as Array<
      { States: Record<string, Record<string, unknown>> } | undefined
    >;
    for (const i of inner) if (i) statesOf(i.States, out);
  }
  return out;
}

const contract = interfacesOf(contractFile);
const states = statesOf(asl.States);
const fields = (obj: Record<string, unknown>) => Object.keys(obj).map((k) => k.replace(/\.\$$/, ''));
const required = (name: string) => [...contract.get(name)!].filter(([, m]) => !m.optional).map(([k]) => k);

/** What the ASL builds and which contract type it is: the task input a Payload or ItemSelector makes. */
const INPUTS: Array<[state: string, part: 'Payload' | 'ItemSelector', type: string]> = [
  ['PrepareItems', 'ItemSelector', 'PrepareTask'],
  ['RenderRenditions', 'ItemSelector', 'RenditionState'],
  ['RenderSingle', 'Payload', 'ChunkTask'],
  ['RenderChunks', 'ItemSelector', 'ChunkTask'],
  ['RenderAudio', 'Payload', 'AudioTask'],
  ['RecordChunkFailure', 'Payload', 'FailedState'],
  ['RecordAudioFailure', 'Payload', 'FailedState'],
  ['RecordRenditionFailure', 'Payload', 'FailedState'],
  ['BuildPackagingJob', 'Payload', 'PackagingTask'],
  ['CollectPackaging', 'Payload', 'PackagingTask'],
];

/** Fields of a task's answer the ASL reads (ResultSelector, Detail), and the type that declares them. */
const ANSWERS: Array<[state: string, path: string, type: string]> = [
  ['RecordChunkFailure', '$.Payload.error.code', 'FailedResult'],
  ['CollectPackaging', '$.Payload.key', 'PackagingResult'],
  ['PublishSucceeded', '$.event', 'EventResult'],
  ['PublishFailed', '$.event', 'FailedResult'],
];

/** Fields of the flowing state that Choice, ItemsPath and ItemReader read, by the type they belong to. */
const READS: Array<[path: string, type: string]> = [
  ['$.prepare', 'PipelineState'],
  ['$.packaging', 'PipelineState'],
  ['$.plan', 'PipelineState'],
  ['$.rendition', 'RenditionState'],
];

describe('pipeline/state.ts against render.asl.json', () => {
  it.each(INPUTS)('%s: its %s is a %s', (state, part, type) => {
    const s = states.get(state);
    expect(s, `no state ${state} in render.asl.json`).toBeDefined();
    const built = part === 'Payload' ? s.Parameters.Payload : s.ItemSelector;
    expect(built, `${state} builds no ${part}`).toBeTypeOf('object');
    const declared = [...contract.get(type)!.keys()];
    expect(fields(built).filter((f) => !declared.includes(f))).toEqual([]);
    expect(required(type).filter((f) => !fields(built).includes(f))).toEqual([]);
  });

  it.each(ANSWERS)('%s reads %s, which %s declares', (state, path, type) => {
    expect(JSON.stringify(states.get(state))).toContain(`"${path}`);
    const field = path.replace(/^\$\.(Payload\.)?/, '').split('.')[0]!;
    expect([...contract.get(type)!.keys()]).toContain(field);
  });

  it.each(READS)('the definition reads %s, a field of %s', (path, type) => {
    expect(JSON.stringify(asl)).toContain(`"${path}`);
    expect([...contract.get(type)!.keys()]).toContain(path.slice(2));
  });

  it('names every field the definition reads from a rendition plan', () => {
    const read = new Set([...JSON.stringify(asl).matchAll(/"\$\.rendition\.([A-Za-z]+)/g)].map((m) => m[1]!));
    const plan = [...contract.get('RenditionPlan')!.keys()];
    expect([...read].filter((f) => !plan.includes(f))).toEqual([]);
    expect(read.size).toBeGreaterThan(3);
  });

  it('fails on a field the contract does not name (the check itself)', () => {
    const declared = [...contract.get('AudioTask')!.keys()];
    expect(
      fields({ 'jobId.$': '', 'tenantId.$': '', 'renditon.$': '' }).filter((f) => !declared.includes(f)),
    ).toEqual(['renditon']);
  });
});
