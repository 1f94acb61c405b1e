import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_ACTIONS, applyAction } from './actions.ts';
import { MAX_SCHEDULE_CHARS } from './limits.ts';
import { parseProblem } from './problem.ts';
import {
  MAX_LOOPS,
  ScheduleError,
  defaultSchedule,
  loopExtents,
  loopSteps,
  loopText,
  parseSchedule,
  printSchedule,
} from './schedule.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const mm256 = parseProblem(MATMUL, 'm=256, n=256, k=256');
const mm97 = parseProblem(MATMUL, 'm=97, n=256, k=256');

function errorOf(fn: () => unknown): ScheduleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScheduleError);
    return e as ScheduleError;
  }
  throw new Error('expected a ScheduleError');
}

const L = (variable: string, trip: number, tail = 0) => ({ variable, trip, tail });

describe('parseSchedule', () => {
  it('the design example', () => {
    const s = parseSchedule(mm256, 'm:64 n:16 k:256 m:4 n:16');
    expect(s.loops).toEqual([L('m', 64), L('n', 16), L('k', 256), L('m', 4), L('n', 16)]);
    expect(loopSteps(mm256, s)).toEqual([4, 16, 1, 1, 1]);
    expect(loopExtents(mm256, s)).toEqual([256, 256, 256, 4, 16]);
  });

  it('derives the trip of a bare outermost loop', () => {
    expect(parseSchedule(mm256, 'm n k m:4 n:16')).toEqual(parseSchedule(mm256, 'm:64 n:16 k:256 m:4 n:16'));
    expect(parseSchedule(mm256, '  m\tn   k ')).toEqual(defaultSchedule(mm256));
  });

  it('tails: derived on the outermost loop, written on inner loops', () => {
    const s = parseSchedule(mm97, 'm m:4 n k');
    expect(s.loops[0]).toEqual(L('m', 24, 1));
    expect(printSchedule(s)).toBe('m:24 r1 m:4 n:256 k:256');
    expect(parseSchedule(mm97, 'm:24 r1 m:4 n k')).toEqual(s);
    expect(parseSchedule(mm97, 'm:24r1 m:4 n k')).toEqual(s);
    expect(parseSchedule(mm97, 'm:24 m:4 n k')).toEqual(s); // outermost tail may be left out
    const inner = parseSchedule(mm97, 'm m:10 r3 n k m:4');
    expect(inner.loops).toEqual([L('m', 2, 11), L('m', 10, 3), L('n', 256), L('k', 256), L('m', 4)]);
    expect(loopSteps(mm97, inner)).toEqual([43, 4, 1, 1, 1]);
    expect(loopExtents(mm97, inner)).toEqual([97, 43, 256, 256, 4]);
    expect(printSchedule(inner)).toBe('m:2 r11 m:10 r3 n:256 k:256 m:4');
  });

  it('round-trips print -> parse', () => {
    for (const text of [
      'm:64 n:16 k:256 m:4 n:16',
      'm:24 r1 m:4 n:256 k:256',
      'm:2 r11 m:10 r3 n:256 k:256 m:4',
      'k:256 n:256 m:97',
    ]) {
      const p = text.includes('r') || text.includes('97') ? mm97 : mm256;
      const s = parseSchedule(p, text);
      expect(printSchedule(s)).toBe(text);
      expect(parseSchedule(p, printSchedule(s))).toEqual(s);
      expect(printSchedule(p, s)).toBe(text);
    }
  });

  it('r<digits> is always a tail: the DSL refuses variables named like one', () => {
    expect(() => parseProblem('C[r1,n] += A[r1,k] * B[k,n]', 'r1=10, n=4, k=4')).toThrow(
      /variable 'r1' reads as a tail in schedule text/,
    );
    expect(parseSchedule(mm97, 'm:24 r1 m:4 n k').loops[0]).toEqual(L('m', 24, 1));
    expect(errorOf(() => parseSchedule(mm97, 'r1 m n k')).message).toBe(
      "col 1: tail 'r1' follows no loop; put it after the loop it belongs to, like 'm:24 r1'",
    );
  });

  it('quotes at most a short excerpt of a huge token', () => {
    for (const text of [`m n k ${'q'.repeat(9_000)}`, `m n k:${'x'.repeat(9_000)}`, `m n k ${'#'.repeat(9_000)}`]) {
      const message = errorOf(() => parseSchedule(mm97, text)).message;
      expect(message).toMatch(/\.\.\. \(\d+ characters\)/);
      expect(message.length).toBeLessThan(200);
    }
    expect(errorOf(() => parseSchedule(mm97, `m r${'1'.repeat(9_000)} n k`)).message.length).toBeLessThan(200);
  });

  it('refuses schedule text over MAX_SCHEDULE_CHARS before reading it, saying the cap', () => {
    const message = errorOf(() => parseSchedule(mm97, `m n k ${' '.repeat(600_000)}`)).message;
    expect(message).toBe(
      `col ${MAX_SCHEDULE_CHARS + 1}: the schedule has 600006 characters, over the limit of ${MAX_SCHEDULE_CHARS}; a schedule of at most 10 loops takes far fewer`,
    );
    // Right at the cap the text is read (and padding is fine).
    expect(printSchedule(parseSchedule(mm97, `m n k${' '.repeat(MAX_SCHEDULE_CHARS - 5)}`))).toBe('m:97 n:256 k:256');
  });

  const errors: [string, string][] = [
    ['', "col 1: the schedule is empty; write one loop per variable, like 'm n k'"],
    ['m n k q', "col 7: unknown variable 'q'; the variables are m, n, k"],
    ['m n k q:4', "col 7: unknown variable 'q'; the variables are m, n, k"],
    ['m n', "col 5: loop over k missing; add 'k'"],
    ['m:0 n k', "col 1: bad trip in 'm:0'; a trip is a positive integer, like m:4"],
    ['m n:x k', "col 3: bad trip in 'n:x'; a trip is a positive integer, like n:4"],
    ['m n:-2 k', "col 3: bad trip in 'n:-2'; a trip is a positive integer, like n:4"],
    ['m: n k', "col 1: bad trip in 'm:'; a trip is a positive integer, like m:4"],
    [
      'm:60 m:4 n k',
      "col 1: 'm:60' is the outermost loop over m, so it covers m=97 with step 4: its trip must be 24; write 'm:24 r1' or just 'm'",
    ],
    [
      'm:24 r2 m:4 n k',
      "col 6: 'm:24 r2' is the outermost loop over m, so it covers m=97 with step 4: its tail must be r1; write 'm:24 r1' or just 'm'",
    ],
    [
      'm n:200 k',
      "col 3: 'n:200' is the outermost loop over n, so it covers n=256: its trip must be 256; write 'n:256' or just 'n'",
    ],
    ['m m:10 r4 n k m:4', "col 8: tail r4 of 'm:10 r4' must be smaller than the loop's step 4; use r0 to r3"],
    ['m m:4 r1 n k', "col 7: 'm:4 r1' is the innermost loop over m (step 1), so it can't have a tail; remove 'r1'"],
    ['m m:4r1 n k', "col 6: 'm:4 r1' is the innermost loop over m (step 1), so it can't have a tail; remove 'r1'"],
    ['m m:200 n k', "col 3: 'm:200' covers 200 elements of m, more than m=97; use a trip of at most 97"],
    ['m m:20 n k m:8', "col 3: 'm:20' covers 160 elements of m, more than m=97; use a trip of at most 12"],
    ['m n k m', "col 7: 'm' needs a trip here: only the outermost loop over m may omit it; write e.g. 'm:4'"],
    ['r1 m n k', "col 1: tail 'r1' follows no loop; put it after the loop it belongs to, like 'm:24 r1'"],
    ['m r1 r1 n k', "col 6: 'm r1' already has a tail; remove 'r1'"],
    ['m n! k', "col 3: can't read 'n!'; write loops as 'var' or 'var:trip' and tails as 'r1', like 'm:24 r1 n k'"],
    ['m,n,k', "col 1: can't read 'm,n,k'; write loops as 'var' or 'var:trip' and tails as 'r1', like 'm:24 r1 n k'"],
    ['m n k m:2 n:2 k:2 m:2 n:2 k:2 m:2 n:2', 'col 35: more than 10 loops; merge or remove loops (at most 10)'],
  ];
  it.each(errors)('%j', (text, message) => {
    const e = errorOf(() => parseSchedule(mm97, text));
    expect(e.message).toBe(message);
    expect(e.col).toBe(Number(/^col (\d+)/.exec(message)![1]));
  });

  it('accepts exactly MAX_LOOPS loops', () => {
    expect(MAX_LOOPS).toBe(10);
    const s = parseSchedule(mm256, 'm n k m:2 n:2 k:2 m:2 n:2 k:2 m:2');
    expect(s.loops).toHaveLength(10);
    expect(printSchedule(s)).toBe('m:32 n:64 k:64 m:2 n:2 k:2 m:2 n:2 k:2 m:2');
  });
});

describe('parallel mark', () => {
  it('round-trips `||` through parse and print, tails included', () => {
    for (const text of ['||m:64 n:16 k:256 m:4 n:16', 'm:64 ||n:16 k:256 m:4 n:16', '||m:24 r1 n:256 k:256 m:4']) {
      const problem = text.includes('r1') ? mm97 : mm256;
      const s = parseSchedule(problem, text);
      expect(printSchedule(s)).toBe(text);
      expect(parseSchedule(problem, printSchedule(s))).toEqual(s);
    }
    expect(parseSchedule(mm256, '||m n k').loops[0]).toEqual({ variable: 'm', trip: 256, tail: 0, parallel: true });
    expect(parseSchedule(mm97, '||m:24r1 m:4 n k').loops[0]).toEqual({
      variable: 'm',
      trip: 24,
      tail: 1,
      parallel: true,
    });
    expect(parseSchedule(mm256, 'm n k').loops[0]).not.toHaveProperty('parallel');
  });
  it('refuses a second mark, a reduction, a loop inside a reduction and a bare mark', () => {
    expect(errorOf(() => parseSchedule(mm256, '||m ||n k')).message).toBe(
      "col 5: only one loop may be parallel, and '||m' already is; remove one '||'",
    );
    expect(errorOf(() => parseSchedule(mm256, 'm n ||k')).message).toBe(
      "col 5: '||k' can't run in parallel: k is summed over: two threads would add into the same C at once; remove '||' or move the loop",
    );
    expect(errorOf(() => parseSchedule(mm256, 'k ||m n')).message).toMatch(
      /^col 3: '\|\|m' can't run in parallel: the parallel loop must be outside every reduction loop, and m is inside k/,
    );
    expect(errorOf(() => parseSchedule(mm256, '|| m n k')).message).toBe(
      "col 1: '||' marks no loop; write it right before the loop, like '||m'",
    );
    expect(errorOf(() => parseSchedule(mm97, 'm:24 ||r1 m:4 n k')).col).toBe(6);
  });
  it('points at the tail of a marked loop', () => {
    expect(errorOf(() => parseSchedule(mm97, '||m:24r2 m:4 n k')).col).toBe(7);
  });
});

describe('defaultSchedule / loopText', () => {
  it('default is every variable once in variables order', () => {
    const conv = parseProblem(
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
      'co=8, ci=4, oh=5, ow=5, kh=3, kw=3',
    );
    expect(printSchedule(defaultSchedule(conv))).toBe('co:8 oh:5 ow:5 ci:4 kh:3 kw:3');
  });

  it('loopText', () => {
    expect(loopText(L('m', 24, 1))).toBe('m:24 r1');
    expect(loopText(L('m', 24))).toBe('m:24');
  });
});

describe('schedule text round trip with any variable names', () => {
  it('prints every reachable schedule as text that reads back as the same schedule', () => {
    // Names that look like parts of schedule text but are not tails: r, rx, r1_, R1, k2, mr1.
    const names = fc.uniqueArray(fc.constantFrom('r', 'rx', 'r1_', 'R1', 'k2', 'mr1', 'n', 'm', '_r2'), {
      minLength: 3,
      maxLength: 3,
    });
    fc.assert(
      fc.property(
        names,
        fc.array(fc.integer({ min: 2, max: 40 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.constantFrom(...AGENT_ACTIONS, 'split_2', 'split_3'), { maxLength: 12 }),
        ([a, b, c], sizes, actions) => {
          const p = parseProblem(
            `C[${a},${b}] += A[${a},${c}] * B[${c},${b}]`,
            `${a}=${sizes[0]}, ${b}=${sizes[1]}, ${c}=${sizes[2]}`,
          );
          let state = { schedule: defaultSchedule(p), cursor: 0 };
          for (const action of actions) {
            const r = applyAction(p, state, action);
            if (r.ok) state = r.state;
            expect(parseSchedule(p, printSchedule(state.schedule))).toEqual(state.schedule);
          }
        },
      ),
      { numRuns: 200, seed: 10 },
    );
  });
});
