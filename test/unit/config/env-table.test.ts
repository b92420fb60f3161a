import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../../lambdas/core/config.js';
import { environmentMarkdown } from '../../../lambdas/core/env-doc.js';
import { CutlineStack } from '../../../lib/cutline-stack.js';

/**
 * One environment table (lambdas/core/config.ts ENV_VARS): code reads variables through it, the stack and
 * the local platform set them by its names, and every name read or set has a row.
 */
const NAMES = new Set<string>(Object.values(ENV_VARS).map((v) => v.name));
const TABLE_FILE = 'lambdas/core/config.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

/** Code without its comments (names in prose are fine; names in code are not). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** What a file does with the environment that bypasses the table: each problem as `line: text`. */
export function envProblems(text: string, opts: { isTable?: boolean } = {}): string[] {
  const problems: string[] = [];
  code(text)
    .split('\n')
    .forEach((line, i) => {
      const at = (what: string) => problems.push(`${i + 1}: ${what}: ${line.trim()}`);
      // process.env.X or env.X: a name spelled outside the table.
      for (const m of line.matchAll(/\b(?:process\.env\.([A-Za-z_]\w*)|env\.([A-Z_][A-Z0-9_]*)\b)/g))
        at(`reads ${m[1] ?? m[2]} directly`);
      // process.env[...] / env[...] with anything but a table name (the table's own accessors aside).
      if (!opts.isTable)
        for (const m of line.matchAll(/\b(?:process\.)?env\[(?!ENV\.)([^\]]*)\]/g)) at(`reads env[${m[1]}]`);
      // A name as a string literal or an object key: it must come from ENV instead.
      if (!opts.isTable)
        for (const m of line.matchAll(
          /(?:['"`]|^\s*|[{,]\s*)((?:CUTLINE|POWERTOOLS)_[A-Z0-9_]+|NODE_OPTIONS)\b/g,
        ))
          at(`spells ${m[1]}${NAMES.has(m[1]!) ? '' : ' (not in the table)'}`);
    });
  return problems;
}

const problemsIn = (...dirs: string[]) =>
  dirs
    .flatMap(files)
    .flatMap((f) =>
      envProblems(readFileSync(f, 'utf8'), { isTable: f === TABLE_FILE }).map((p) => `${f}:${p}`),
    );

describe('the environment table', () => {
  it('finds what it must refuse (the scan can fail)', () => {
    expect(envProblems('const bin = process.env.CUTLINE_FFMPEG ?? "ffmpeg";')).toHaveLength(1);
    expect(envProblems('const v = env.CUTLINE_NEW;')[0]).toMatch(/reads CUTLINE_NEW directly/);
    expect(envProblems("const v = process.env['CUTLINE_X'];")).not.toHaveLength(0);
    expect(envProblems("environment: { CUTLINE_FFMPEG: '/opt/bin/ffmpeg' },")[0]).toMatch(
      /spells CUTLINE_FFMPEG/,
    );
    expect(envProblems("  POWERTOOLS_SERVICE_NAME: 'cutline',")[0]).toMatch(/spells POWERTOOLS_SERVICE_NAME/);
    expect(envProblems("env[ENV.FFMPEG_PATH] = '/opt/bin/ffmpeg'; setting('FFMPEG_PATH');")).toEqual([]);
    expect(envProblems('/** CUTLINE_FFMPEG names the binary (process.env.CUTLINE_FFMPEG). */')).toEqual([]);
  });

  it('every variable code under lambdas/ reads goes through it', () => {
    expect(problemsIn('lambdas')).toEqual([]);
  });

  it('lib/, local/ and bin/ spell no variable name themselves: they import it from ENV', () => {
    expect(problemsIn('lib').filter((p) => !/reads env\[/.test(p))).toEqual([]);
    // local/ and bin/ read and set the SDK's own variables (AWS_*) and pass whole environments around.
    expect(problemsIn('local', 'bin').filter((p) => /spells|reads (CUTLINE|POWERTOOLS)_/.test(p))).toEqual(
      [],
    );
  });

  it('every variable the synthesized stack sets (functions and the render task) has a row', () => {
    const app = new App({ context: { allowMissingFfmpegLayer: true, 'aws:cdk:bundling-stacks': [] } });
    const stack = new CutlineStack(app, 'Env', {
      platform: { mediaConvert: { default: true }, defaultQuota: {} },
    });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    const set = new Set<string>();
    for (const r of Object.values(resources)) {
      if (r.Type === 'AWS::Lambda::Function') {
        const vars = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables;
        for (const k of Object.keys(vars ?? {})) set.add(k);
      }
      if (r.Type === 'AWS::ECS::TaskDefinition')
        for (const c of r.Properties?.ContainerDefinitions as Array<{
          Environment?: Array<{ Name: string }>;
        }>)
          for (const e of c.Environment ?? []) set.add(e.Name);
    }
    expect(set.size).toBeGreaterThan(10);
    // Set by Lambda or CDK itself, not by cutline: not ours to document.
    const platformOwn = new Set(['AWS_NODEJS_CONNECTION_REUSE_ENABLED']);
    expect([...set].filter((k) => !NAMES.has(k) && !platformOwn.has(k))).toEqual([]);
  }, 120_000);

  it('every variable the render image sets has a row', () => {
    const dockerfile = readFileSync('containers/render/Dockerfile', 'utf8');
    const names = [...dockerfile.matchAll(/^ENV\s+(.+)$/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/([A-Z_][A-Z0-9_]*)=/g)].map((n) => n[1]!),
    );
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !NAMES.has(n))).toEqual([]);
  });

  it('docs/environment.md is the table as it is (npx tsx lambdas/core/env-doc.ts > docs/environment.md)', () => {
    expect(readFileSync('docs/environment.md', 'utf8')).toBe(environmentMarkdown());
  });
});
