// Lesson: tiling k so B's panel inside m stays in the L1, graded on the simulated misses of the
// lesson's machine (the same for every student), with the measured speed beside as evidence.
import { loopText } from '../../core/schedule.ts';
import { done, holds2x16, missesChange, simulatedTask, tensorCounts, tileText, todo, withReport } from './checks.ts';
import { CACHE_LESSON_MACHINE_ID, cacheLessonMachine, levelText, MATMUL_512 } from './cacheMachine.ts';
import type { Lesson } from './types.ts';

const machine = cacheLessonMachine();
const L1 = machine.levels[0].name;

/** The L1 misses of the whole kernel must fall at least this many times. */
export const TILING_FEWER_MISSES = 3;

export const tiling: Lesson = {
  id: 'tiling',
  title: 'Tiling for cache reuse',
  summary: "split k so B's panel stays in the L1 (graded on simulated misses)",
  problemText: MATMUL_512,
  startSchedule: 'm n k m:2 n:16',
  machine: CACHE_LESSON_MACHINE_ID,
  text: [
    `This lesson is graded on a simulated ${machine.name}: a ${levelText(machine, 0)} and a ${levelText(machine, 1)}, fed the memory accesses of the very kernel you build. Every student gets the same misses for the same schedule, whatever laptop they use; the measured GFLOPS are shown beside, as evidence.`,
    'The start keeps a 2×16 block of C in registers (the register-tile lesson) and runs the whole k loop for it: each block reads a 2×512 strip of A and a 512×16 strip of B. After all of n, the next step of m reads all of B again: 1 MiB, 32 times the L1, so every load of B misses the L1 (the memory panel shows 4.19 M misses of B).',
    `Tiling cuts a loop in two and moves the outer half out, so that the loops inside work on a block small enough to stay in cache while it is reused. Split k (s, then 8) and move the outer k loop above m (⇧↑): the loops inside m now read an 8-row panel of B, 16 KiB, which stays in the ${L1} while m walks down A. A 16-row panel is 32 KiB: the whole ${L1}, with no room left for A and C, so it does not stay.`,
    `The simulator splits misses into the three Cs: compulsory (the first touch of a line), capacity (a fully associative cache of the same size would miss too: the data does not fit) and conflict (it would fit, but too many lines fall into one set). C pays for the tiling: its 2×16 block is loaded and stored once per k panel instead of once.`,
  ],
  steps: [
    {
      text: 'Go down to k and split it by 8.',
      actions: ['down', 'down', 'split_8'],
      schedule: 'm:256 n:32 k:64 k:8 m:2 n:16',
      ticks: ['split-k', 'keep-tile'],
    },
    {
      text: 'Swap the outer k loop up, above m.',
      actions: ['swap_up', 'swap_up'],
      schedule: 'k:64 m:256 n:32 k:8 m:2 n:16',
      ticks: ['fits-l1', 'fewer-misses'],
    },
  ],
  tasks: [
    {
      id: 'split-k',
      text: 'Split k into two loops.',
      hints: ['Put the cursor on the k loop and press s, then pick a factor.'],
      check(facts) {
        const ks = facts.current.schedule.loops.filter((l) => l.variable === 'k');
        const reading = `${ks.length} loop${ks.length === 1 ? '' : 's'} over k: ${ks.map(loopText).join(', ')}`;
        return ks.length >= 2 ? done(reading) : todo(reading);
      },
    },
    simulatedTask(
      {
        id: 'fits-l1',
        text: `Make B's panel stay in the simulated ${L1}: no capacity misses of B there.`,
        hints: [
          `The loops inside m reuse B for every row block of A; with all of k inside, that is 1 MiB of B, far more than the ${L1}.`,
          'Split k by 8 and swap the outer k loop up until it is above the outermost m loop. By 16 the panel is exactly the size of the L1, which is not enough.',
        ],
      },
      (now, start) => {
        const b = tensorCounts(now, 'B');
        const reading = missesChange(`B's ${L1} capacity misses`, tensorCounts(start, 'B').capacity, b.capacity);
        return { ok: b.capacity === 0, reading };
      },
    ),
    {
      id: 'keep-tile',
      text: 'Keep a register tile of at least 2×16 held in registers across the inner k loop.',
      hints: [
        'Leave `m:2 n:16` as the two innermost loops; the k loop right above them is the one they are held across.',
      ],
      check: withReport((r) => (holds2x16(r) ? done(tileText(r)) : todo(tileText(r)))),
    },
    simulatedTask(
      {
        id: 'fewer-misses',
        text: `Cut the kernel's simulated ${L1} misses (all tensors) at least ${TILING_FEWER_MISSES}× against the start.`,
        hints: [
          "B's misses fall with a panel that stays in the L1; C's rise a little, since its block is loaded and stored once per k panel.",
          '`k:64 m n k:8 m:2 n:16` does it.',
        ],
      },
      (now, start) => {
        const [before, after] = [start.levels[0].total.misses, now.levels[0].total.misses];
        const b = missesChange(`B's`, tensorCounts(start, 'B').misses, tensorCounts(now, 'B').misses);
        const reading = `${missesChange(`${L1} misses`, before, after)}; ${b}`;
        return { ok: after * TILING_FEWER_MISSES <= before, reading };
      },
    ),
  ],
};
