import { describe, expect, it } from 'vitest';
import { QUOTE_MAX, excerpt, formatFlops, formatGflops } from './format.ts';

describe('formatGflops', () => {
  it('keeps three significant digits, trailing zeros included', () => {
    expect([0.012345, 0.1234, 1.576, 28.71, 46, 123.4, 999.4].map(formatGflops)).toEqual([
      '0.0123',
      '0.123',
      '1.58',
      '28.7',
      '46.0',
      '123',
      '999',
    ]);
  });

  it('writes whole numbers from 1000 up and says when there is no figure', () => {
    expect(formatGflops(1234.5)).toBe('1235');
    expect(formatGflops(999.96)).toBe('1000');
    expect(formatGflops(0)).toBe('0');
    expect(formatGflops(NaN)).toBe('–');
    expect(formatGflops(Infinity)).toBe('–');
  });
});

describe('formatFlops', () => {
  it('uses engineering units', () => {
    expect(formatFlops(2 * 256 ** 3)).toBe('33.6 MFLOP');
    expect(formatFlops(500)).toBe('500 FLOP');
  });
});

describe('excerpt', () => {
  it('quotes short input whole and long input as its start and its length', () => {
    expect(excerpt('m:4 n k')).toBe('m:4 n k');
    expect(excerpt('x'.repeat(QUOTE_MAX))).toBe('x'.repeat(QUOTE_MAX));
    expect(excerpt('y'.repeat(120_000))).toBe(`${'y'.repeat(QUOTE_MAX)}... (120000 characters)`);
  });
});
