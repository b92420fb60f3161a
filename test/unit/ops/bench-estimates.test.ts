import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderMarkdown, type BenchResults } from '../../../bench/report.js';
import { estimateErrorSummary } from '../../../lambdas/core/ops/stats.js';

describe('the bench’s estimate-error report', () => {
  it('summarises end-to-end rows (median, p90, signed median, count) into the JSON and the markdown', () => {
    const base = JSON.parse(
      readFileSync(new URL('../../../bench/results/latest.json', import.meta.url), 'utf8'),
    ) as BenchResults;
    const rows = [
      { render: 'a', endToEnd: true, estimatedSeconds: 11, actualSeconds: 10, relativeError: 0.1 },
      { render: 'b', endToEnd: true, estimatedSeconds: 7, actualSeconds: 10, relativeError: -0.3 },
      { render: 'c', endToEnd: false, estimatedSeconds: 50, actualSeconds: 10, relativeError: 4 },
    ];
    const s = estimateErrorSummary(rows.filter((r) => r.endToEnd));
    expect(s).toMatchObject({ count: 2, medianAbsRelativeError: 0.2 });
    const md = renderMarkdown({
      ...base,
      estimates: {
        rows,
        count: s.count,
        medianAbsRelativeError: s.medianAbsRelativeError!,
        p90AbsRelativeError: s.p90AbsRelativeError!,
        medianRelativeError: s.medianRelativeError!,
      },
    });
    expect(md).toContain('End-to-end renders (2): median |error| **20 %**, p90 |error| **28 %**');
    expect(md).toContain('median signed error -10 %');
    expect(md).toContain('c (component)');
  });

  it("shows each row calibrated by the run's costScale, and the calibrated summary", () => {
    const base = JSON.parse(
      readFileSync(new URL('../../../bench/results/latest.json', import.meta.url), 'utf8'),
    ) as BenchResults;
    const rows = [
      { render: 'a', endToEnd: true, estimatedSeconds: 8, actualSeconds: 10, relativeError: -0.2 },
    ];
    const md = renderMarkdown({
      ...base,
      estimates: {
        rows,
        count: 1,
        medianAbsRelativeError: 0.2,
        p90AbsRelativeError: 0.2,
        medianRelativeError: -0.2,
        calibrated: {
          costScale: 1.25,
          estimatedSeconds: 2,
          runs: [2.4, 2.5, 2.6],
          medianAbsRelativeError: 0,
          p90AbsRelativeError: 0,
          medianRelativeError: 0,
        },
      },
    });
    // 8 s × 1.25 = the 10 s measured.
    expect(md).toContain('| a | 8.00 | 10.00 | -20 % | +0 % |');
    expect(md).toContain('took 2.40, 2.50, 2.60 s, so costScale **1.25**');
  });
});
