import { describe, expect, it } from 'vitest';
import { Throttle } from '../../../local/api-server.js';

describe('the usage-plan throttle', () => {
  it('allows the burst, then refuses with a wait until tokens refill', () => {
    const t = new Throttle(2, 3);
    expect([t.take('k', 0), t.take('k', 0), t.take('k', 0)]).toEqual([0, 0, 0]);
    expect(t.take('k', 0)).toBeGreaterThanOrEqual(1);
    expect(t.take('other', 0)).toBe(0);
    expect(t.take('k', 600)).toBe(0);
  });
});
