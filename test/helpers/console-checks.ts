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
 * the elements and what to fix. axe.min.js (from node_modules) is evaluated through the DevTools
 * protocol: playwright's addScriptTag inserts an inline script, which the console's CSP (script-src
 * 'self') refuses, and the pages are not opened with bypassCSP, so the tests still see what the CSP blocks.
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  if (!(await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object'))) {
    axeSource ??= readFileSync(AXE_PATH, 'utf8');
    await page.evaluate(axeSource);
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
