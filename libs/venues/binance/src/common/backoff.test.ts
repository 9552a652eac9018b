import { describe, it, expect } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap, with half of it random', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 10_000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(400);
    expect(backoffDelay(20, 100, 10_000, () => 0)).toBe(5_000);
    expect(backoffDelay(20, 100, 10_000, () => 0.999)).toBe(9_995);
  });
});
