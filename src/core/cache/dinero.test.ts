import { describe, expect, it } from 'vitest';
import { dineroRecords } from './dinero.ts';

describe('Dinero IV din records', () => {
  it('writes label and hex address, one record per cache line an access touches', () => {
    // A 16-byte load at 0x38 crosses into the next 64-byte line; a 4-byte store stays in one.
    const text = dineroRecords(Uint32Array.from([0x38, 0x104]), Uint8Array.from([1 | (16 << 3), 4 | (4 << 3)]), 2, 64);
    expect(text).toBe('0 38\n0 40\n1 104\n');
  });
});
