/** GFLOPS with a precision that suits its size: 0.123, 1.23, 12.3, 123. */
export function formatGflops(gflops: number): string {
  if (!Number.isFinite(gflops)) return '–';
  if (gflops >= 100) return gflops.toFixed(0);
  if (gflops >= 10) return gflops.toFixed(1);
  if (gflops >= 1) return gflops.toFixed(2);
  return gflops.toFixed(3);
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
