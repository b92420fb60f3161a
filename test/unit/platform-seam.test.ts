import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The platform seam (lambdas/core/platform.ts): handlers and core reach the table, the buckets and the
 * pipeline through `getPlatform()`, never through an SDK client of their own. Only the AWS edge,
 * lambdas/core/aws/, makes the clients and the calls behind the platform's interfaces.
 */
const ROOT = join(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const imports = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+'([^']+)'/gm)].map(
    (m) => m[1]!,
  );

const sources = files(join(ROOT, 'lambdas')).map((f) => ({
  file: relative(ROOT, f),
  imports: imports(f),
}));
// The edge, and the platform that builds its parts from it.
const outsideEdge = sources.filter(
  (s) => !s.file.startsWith('lambdas/core/aws/') && s.file !== 'lambdas/core/platform.ts',
);

describe('the platform seam', () => {
  it('finds the sources it checks', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.find((s) => s.file === 'lambdas/core/platform.ts')?.imports).toContain('./aws/clients.js');
  });

  it('no handler or core module outside lambdas/core/aws/ and the platform makes or takes an SDK client', () => {
    const offenders = outsideEdge.filter((s) => s.imports.some((i) => /\/aws\/clients\.js$/.test(i)));
    expect(offenders.map((s) => s.file)).toEqual([]);
  });

  it('executions and events are started, stopped and published only behind the platform', () => {
    const offenders = outsideEdge.filter((s) =>
      s.imports.some((i) => i === '@aws-sdk/client-sfn' || i === '@aws-sdk/client-eventbridge'),
    );
    expect(offenders.map((s) => s.file)).toEqual([]);
  });

  it('handlers hold no table or pipeline calls of their own', () => {
    const handlers = sources.filter((s) => /^lambdas\/(api|triggers|pipeline)\//.test(s.file));
    const offenders = handlers.filter((s) =>
      s.imports.some((i) => i === '@aws-sdk/lib-dynamodb' || i === '@aws-sdk/client-dynamodb'),
    );
    expect(offenders.map((s) => s.file)).toEqual([]);
  });
});
