// Small seeded PRNG (mulberry32) for reproducible inputs.

/** A generator of uniform numbers in [0, 1) from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fills `arr` with values uniform in [-1, 1), seeded. Values are multiples of 2^-23, so they are
 * exact in f32 (never rounded up to 1).
 */
export function fillRandom(arr: Float32Array, seed: number): void {
  const next = seededRandom(seed);
  for (let i = 0; i < arr.length; i++) {
    const bits24 = Math.floor(next() * 16777216);
    arr[i] = bits24 / 8388608 - 1;
  }
}
