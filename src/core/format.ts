/** Most characters of the input a message quotes (a problem may come from a link, up to megabytes). */
export const QUOTE_MAX = 40;

/** Input text for a message: as it is, or its start and its length when longer than QUOTE_MAX. */
export function excerpt(text: string): string {
  return text.length <= QUOTE_MAX ? text : `${text.slice(0, QUOTE_MAX)}... (${text.length} characters)`;
}

/**
 * GFLOPS for people, page and command line alike: three significant digits, as in the README's
 * tables (0.0123, 1.58, 28.7, 46.0, 123), whole numbers from 1000 up; '–' for no finite number.
 */
export function formatGflops(gflops: number): string {
  if (!Number.isFinite(gflops)) return '–';
  if (gflops === 0) return '0';
  const digits = gflops.toPrecision(3);
  // From 999.5 up toPrecision switches to exponent notation (1.00e+3).
  return Math.abs(Number(digits)) >= 1000 ? gflops.toFixed(0) : digits;
}

/** A FLOP count in engineering units: 33.6 MFLOP, 1.07 GFLOP. */
export function formatFlops(flops: number): string {
  const units: [number, string][] = [
    [1e12, 'TFLOP'],
    [1e9, 'GFLOP'],
    [1e6, 'MFLOP'],
    [1e3, 'kFLOP'],
  ];
  for (const [scale, unit] of units) {
    if (flops >= scale) return `${(flops / scale).toPrecision(3)} ${unit}`;
  }
  return `${flops} FLOP`;
}

/** Bytes in binary units: 512 B, 48.0 KiB, 1.25 MiB, 2.00 GiB (three significant digits). */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ];
  for (const [scale, unit] of units) if (bytes >= scale) return `${(bytes / scale).toPrecision(3)} ${unit}`;
  return `${bytes} B`;
}

/** A count for a glance: 950, 12.3 k, 2.10 M, 1.07 G (three significant digits from 1000 up). */
export function formatCount(n: number): string {
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, unit] of units) if (Math.abs(n) >= scale) return `${(n / scale).toPrecision(3)} ${unit}`;
  return `${Math.round(n)}`;
}
