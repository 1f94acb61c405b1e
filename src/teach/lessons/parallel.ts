// Lesson: parallel loops, their speedup on several threads, and load imbalance.
import { loopText, PARALLEL_MARK, parallelLoopIndex, printSchedule } from '../../core/schedule.ts';
import { done, todo, waiting, compareFigures, isCheck, MATMUL_256, correctOrWait } from './checks.ts';
import type { MeasuredFacts, LessonFacts, TaskCheck, Lesson } from './types.ts';

/**
 * How `iterations` of a parallel loop fall on `threads` in contiguous balanced ranges (as the
 * page's thread pool splits them): the most any thread runs, and how many threads get none.
 */
export function iterationShare(iterations: number, threads: number): { most: number; idle: number } {
  return { most: Math.ceil(iterations / threads), idle: Math.max(0, threads - iterations) };
}

/** The current schedule's parallel loop and what ran: or a check result saying why not yet. */
function parallelRun(
  facts: LessonFacts,
): { loop: string; iterations: number; threads: number; measured: MeasuredFacts; tail: boolean } | TaskCheck {
  const p = parallelLoopIndex(facts.current.schedule);
  if (p < 0) return todo('no loop is parallel yet: put the cursor on a loop and press p');
  const bad = correctOrWait(facts);
  if (bad) return bad;
  const m = facts.measured as MeasuredFacts;
  const loop = facts.current.schedule.loops[p];
  const iterations = m.report?.parallel?.iterations ?? loop.trip + (loop.tail > 0 ? 1 : 0);
  return { loop: loopText(loop), iterations, threads: m.threads ?? 1, measured: m, tail: loop.tail > 0 };
}

/** Below this, the peak on N threads over the peak on one says the page gets a single core. */
export const PEAK_SCALING_MIN = 1.3;

/**
 * Why a parallel speedup cannot come right now, read from the page's own peaks: when the peak
 * kernel on `threads` threads at once is hardly faster than on one, the machine is busy (or gives
 * the page one core), and no schedule will scale. Null when the peaks scale or are not measured.
 */
export function oneCoreOnly(facts: LessonFacts, threads: number): string | null {
  const one = facts.peaks?.oneThread;
  const many = facts.peaks?.onThreads[threads];
  if (!one || !many || one <= 0) return null;
  const scaling = many / one;
  if (scaling >= PEAK_SCALING_MIN) return null;
  return `this machine gives the page only one core right now: the peak on ${threads} threads is ${scaling.toFixed(2)}× the peak on one (try again when it is less busy)`;
}

export const parallelLoops: Lesson = {
  id: 'parallel',
  title: 'Parallel loops',
  summary: 'every core: which loop, how much faster, and when not',
  problemText: MATMUL_256,
  startSchedule: 'm k n',
  text: [
    'A parallel loop (`p`, shown `||m:256`, `#pragma omp parallel for` in the C) hands its iterations to several threads at once, each a contiguous range. That is only safe when the iterations write disjoint parts of the output: a loop over m or n writes its own rows or columns of C. A loop over k is refused: k is summed over, so two threads would add into the same C at once. A loop inside a k loop is refused too, since every thread would have to finish before the next k.',
    'The ideal is T times faster on T threads; the figure covers dispatch to join, so it also pays for waking the threads and for waiting on the slowest one. Choose the threads in the performance panel (threads need a cross-origin isolated page).',
    'Load imbalance: iterations are whole units. 256 rows on 3 threads are 86 + 85 + 85, and a tail iteration is a short one; a loop with fewer iterations than threads leaves threads idle. A tiny problem does not speed up at all: 16³ is a microsecond of work, about what it costs to wake the threads and wait for them.',
  ],
  steps: [
    {
      text: 'With the cursor on m, mark it parallel.',
      actions: ['parallel'],
      schedule: '||m:256 k:256 n:256',
      ticks: ['outer', 'speedup'],
    },
    {
      text: 'Split the parallel m by 3: its last iteration is a short tail.',
      actions: ['split_3'],
      schedule: '||m:85 r1 m:3 k:256 n:256',
      ticks: ['tail'],
    },
  ],
  tasks: [
    {
      id: 'outer',
      text: 'Run the outermost loop, over m, in parallel, with a correct kernel.',
      hints: ['The cursor starts on m: press p (or the parallel button). Try p on k too, and read why it is refused.'],
      check(facts) {
        const r = parallelRun(facts);
        if ('state' in r) return r;
        if (parallelLoopIndex(facts.current.schedule) !== 0)
          return todo(`${r.loop} is parallel, not the outermost loop`);
        return done(
          `${r.loop}: ${r.iterations} iterations on ${r.threads} thread${r.threads === 1 ? '' : 's'}, correct`,
        );
      },
    },
    {
      id: 'speedup',
      speed: true,
      text: 'On 2 or more threads, run the parallel schedule at least 1.5× faster than the same schedule on one thread.',
      hints: [
        'Measure the schedule without the mark first (p again takes it off), then with it.',
        'If the figure says "on 1 thread", choose more threads in the performance panel.',
      ],
      check(facts) {
        const r = parallelRun(facts);
        if ('state' in r) return r;
        if (r.threads < 2)
          return todo(
            'it ran on 1 thread: choose 2 or more in the performance panel (on a cross-origin isolated page)',
          );
        const serialText = printSchedule(facts.current.schedule).replace(PARALLEL_MARK, '');
        const c = compareFigures(
          facts,
          { schedule: printSchedule(facts.current.schedule), name: 'this schedule' },
          { schedule: serialText, name: `${serialText} (the same schedule on one thread)` },
        );
        if (isCheck(c)) return c;
        if (c.b <= 0) return waiting(`${serialText} has no GFLOPS`);
        const ratio = c.a / c.b;
        const reading = `${ratio.toFixed(2)}× on ${r.threads} threads, ${Math.round((100 * ratio) / r.threads)}% of the ideal ${r.threads}×`;
        if (ratio >= 1.5) return done(reading);
        const why = oneCoreOnly(facts, r.threads);
        return todo(why ? `${reading}; ${why}` : reading);
      },
    },
    {
      id: 'tail',
      text: 'Split m so that the parallel loop gets a tail (try 3), keep it parallel and correct, and read how its iterations fall on the threads.',
      hints: [
        'With the cursor on the parallel m loop, press s and type 3: `||m:85 r1 m:3`; the mark stays on the outer loop.',
      ],
      check(facts) {
        const r = parallelRun(facts);
        if ('state' in r) return r;
        if (!r.tail) return todo(`${r.loop} has no tail`);
        const { most, idle } = iterationShare(r.iterations, r.threads);
        const reading = `${r.loop}: ${r.iterations} iterations (the last one the short tail) on ${r.threads} thread${r.threads === 1 ? '' : 's'}, at most ${most} per thread${idle > 0 ? `, ${idle} idle` : ''}`;
        return done(reading);
      },
    },
  ],
};
