import { describe, expect, it } from 'vitest';
import { QUOTE_MAX, excerpt, formatBytes, formatCount, formatFlops, formatGflops } from './format.ts';

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

describe('formatBytes and formatCount', () => {
  it('use binary units for bytes and k/M/G for counts, three significant digits', () => {
    expect([512, 49152, 1310720, 2 ** 31].map(formatBytes)).toEqual(['512 B', '48.0 KiB', '1.25 MiB', '2.00 GiB']);
    expect([950, 12345, 2.1e6, 1.07e9].map(formatCount)).toEqual(['950', '12.3 k', '2.10 M', '1.07 G']);
  });
});

describe('excerpt', () => {
  it('quotes short input whole and long input as its start and its length', () => {
    expect(excerpt('m:4 n k')).toBe('m:4 n k');
    expect(excerpt('x'.repeat(QUOTE_MAX))).toBe('x'.repeat(QUOTE_MAX));
    expect(excerpt('y'.repeat(120_000))).toBe(`${'y'.repeat(QUOTE_MAX)}... (120000 characters)`);
  });
});
