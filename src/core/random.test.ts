import { describe, expect, it } from 'vitest';
import { fillRandom, seededRandom } from './random.ts';

describe('fillRandom', () => {
  it('gives the values of seededRandom scaled to [-1, 1) in steps of 2^-23', () => {
    for (const seed of [0, 1, 3, 0xdeadbeef]) {
      const arr = new Float32Array(5000);
      fillRandom(arr, seed);
      const next = seededRandom(seed);
      for (let i = 0; i < arr.length; i++) {
        const want = Math.floor(next() * 16777216) / 8388608 - 1;
        if (arr[i] !== want) throw new Error(`seed ${seed}, element ${i}: ${arr[i]}, expected ${want}`);
      }
      expect(Math.min(...arr)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...arr)).toBeLessThan(1);
    }
  });
});
