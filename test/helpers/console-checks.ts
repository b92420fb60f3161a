/**
 * Checks every e2e console test runs on each screen it shows: axe-core's WCAG 2 A/AA rules (a serious or
 * critical violation fails), and no sideways scroll at phone width.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

/** The WCAG 2.0 / 2.1 / 2.2 A and AA rules (axe's tags); best-practice rules are not asked for. */
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: AxeNode[];
}

/**
 * Runs axe on the page as it is now and fails on any serious or critical violation, listing each rule,
 * the elements and what to fix. The page's CSP (script-src 'self') refuses an injected inline script tag,
 * so axe.min.js goes in with addScriptTag when the page allows it and is otherwise evaluated through the
 * DevTools protocol, which CSP does not govern; either way it is the same file from node_modules.
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const present = () => page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  if (!(await present())) {
    await page.addScriptTag({ path: AXE_PATH }).catch(() => undefined);
    if (!(await present())) {
      axeSource ??= readFileSync(AXE_PATH, 'utf8');
      await page.evaluate(axeSource);
    }
  }
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } })
      .axe;
    const r = (await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    })) as { violations: AxeViolation[] };
    return r.violations;
  }, WCAG);
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `  ${JSON.stringify(n.target)} ${n.html.slice(0, 120)}\n    ${n.failureSummary ?? ''}`)
          .join('\n')}`,
    );
  expect(serious, `axe on ${where}`).toEqual([]);
}

/** The page scrolls no wider than its viewport (polled: layout may still be settling). */
export async function expectNoSideScroll(page: Page, where: string): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth), {
      message: `${where} scrolls sideways`,
    })
    .toBeLessThanOrEqual(0);
}
