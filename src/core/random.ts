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
  // seededRandom inlined (the same values: floor(u / 2^32 * 2^24) is u >>> 8): a 2048^3
  // matmul's 8 M inputs take ~40 ms instead of ~300 through the closure.
  let a = seed >>> 0;
  for (let i = 0; i < arr.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    arr[i] = ((t ^ (t >>> 14)) >>> 8) / 8388608 - 1;
  }
}
