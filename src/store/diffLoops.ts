// Which loops differ between two schedules: a longest common subsequence over the loops' text
// (`m:16`, `k:24 r1`); loops outside it are marked on each side.
import { loopText } from '../core/schedule.ts';
import type { Schedule } from '../core/types.ts';

export interface LoopDiff {
  /** For each loop of `a`: true when it is not matched in `b`. */
  a: boolean[];
  /** For each loop of `b`: true when it is not matched in `a`. */
  b: boolean[];
}

export function diffLoops(a: Schedule, b: Schedule): LoopDiff {
  const x = a.loops.map(loopText);
  const y = b.loops.map(loopText);
  const n = x.length;
  const m = y.length;
  // lcs[i][j]: length of the LCS of x[i..] and y[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const da = new Array<boolean>(n).fill(true);
  const db = new Array<boolean>(m).fill(true);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      da[i++] = false;
      db[j++] = false;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      i++;
    } else {
      j++;
    }
  }
  return { a: da, b: db };
}

/** What the ≠ marks of a diff count, side by side (pinned = `a`, current = `b`). */
export function diffSummary(diff: LoopDiff): string {
  const a = diff.a.filter(Boolean).length;
  const b = diff.b.filter(Boolean).length;
  if (a === 0 && b === 0) return 'the two schedules are the same';
  if (b === 0) return `${a} of the pinned schedule's loops ${a === 1 ? 'is' : 'are'} not in the current one (marked ≠)`;
  if (a === 0) return `${b} of the current schedule's loops ${b === 1 ? 'is' : 'are'} not in the pinned one (marked ≠)`;
  return `${a} of the pinned schedule's loops and ${b} of the current one's are not in the other (marked ≠)`;
}
