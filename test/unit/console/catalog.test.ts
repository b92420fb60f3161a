import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, listExamples } from '../../../examples/catalog.js';

describe('examples catalogue (the console picker)', () => {
  it('lists every examples/*.json with the media it reads', () => {
    const list = listExamples();
    expect(list.map((e) => e.name)).toEqual(
      expect.arrayContaining(['hello', 'promo', 'social-9x16', 'template-merge']),
    );
    expect(list.find((e) => e.name === 'hello')!.media).toEqual([]);
    expect(list.find((e) => e.name === 'promo')!.media).toContain('media/logo.png');
  });

  it('rewrites relative media to file:// URLs only when the examples lie under the media root', () => {
    const local = listExamples({ fileRoot: EXAMPLES_DIR }).find((e) => e.name === 'promo')!;
    expect(local.local).toBe(true);
    const src = JSON.stringify(local.edit).match(/"src":"(file:[^"]+logo\.png)"/)![1]!;
    expect(fileURLToPath(src)).toBe(resolve(EXAMPLES_DIR, 'media/logo.png'));
    const elsewhere = listExamples({ fileRoot: '/nonexistent-root' }).find((e) => e.name === 'promo')!;
    expect(elsewhere.local).toBe(false);
    expect(JSON.stringify(elsewhere.edit)).toContain('"src":"media/logo.png"');
  });
});
