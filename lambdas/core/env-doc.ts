import { ENV_VARS, type EnvSetter } from './config.js';

const SETTERS: Record<EnvSetter, string> = {
  stack: 'the CDK stack (lib/)',
  local: 'the local platform (local/)',
  image: 'the render image (containers/render/Dockerfile)',
  operator: 'you',
  tests: 'tests',
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/environment.md: the environment table (core/config.ts ENV_VARS) as Markdown. */
export function environmentMarkdown(): string {
  const rows = Object.entries(ENV_VARS).map(([key, v]) => {
    const row = v as { fallback?: string; default?: string };
    const def = row.fallback !== undefined ? `\`${row.fallback}\`` : (row.default ?? '—');
    return `| \`${v.name}\` | \`ENV.${key}\` | ${cell(v.meaning)} | ${cell(def)} | ${v.setBy.map((s) => SETTERS[s]).join(', ')} |`;
  });
  return [
    '# Environment variables',
    '',
    '<!-- Generated from lambdas/core/config.ts (ENV_VARS) by `npx tsx lambdas/core/env-doc.ts > docs/environment.md`; test/unit/config/env-table.test.ts fails when it is out of date. -->',
    '',
    'Every variable the code under `lambdas/` reads and the stack (`lib/`) sets, in one table. The constructs',
    'and the local platform import the names from it (`ENV.<KEY>`), and the handlers read them through it',
    '(`setting(<KEY>)`), so neither side can spell a name the other does not know.',
    '',
    '| variable | key | meaning | default | set by |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href)
  process.stdout.write(environmentMarkdown());
