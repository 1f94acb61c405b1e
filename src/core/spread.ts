// Statistics of repeated timing samples: the median, a distribution-free confidence interval of
// the median (from order statistics, so that a few samples hit by a burst of load widen the
// interval instead of moving the figure), and a relative spread ("±4%").

/** The median of `values` (NaN when empty). */
export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return sum;
}

/**
 * A confidence interval of the median at level `confidence` (default 0.95): the sorted samples
 * x(j) and x(n+1-j) with the largest j for which P(x(j) <= median <= x(n+1-j)) still reaches it.
 * With fewer than 6 samples no such pair exists at 95%, and the range of the samples is given.
 */
export function medianInterval(values: readonly number[], confidence = 0.95): { low: number; high: number } {
  if (values.length === 0) return { low: NaN, high: NaN };
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  let j = 0; // 0-based index of the lower bound
  // Coverage of [x(j+1), x(n-j)] (1-based) is 1 - 2 P(X <= j) for X ~ Bin(n, 1/2).
  while (j + 1 < n - j - 1 && 1 - 2 * binomialHalfCdf(n, j + 1) >= confidence) j++;
  return { low: s[j], high: s[n - 1 - j] };
}

/**
 * How far samples stray from their median, relative to it: half the range of the middle 80% of
 * them (10th to 90th percentile by nearest rank) over the median. 0.03 reads "±3%".
 */
export function relativeSpread(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const mid = medianOf(s);
  return mid > 0 ? (at(0.9) - at(0.1)) / 2 / mid : NaN;
}

/** "±3%" (whole percents; "<±1%" below 0.5%). */
export function formatSpread(spread: number): string {
  if (!Number.isFinite(spread)) return '±?';
  const percent = Math.round(spread * 100);
  return percent < 1 ? '<±1%' : `±${percent}%`;
}
