// Lesson: tiling k so the working set inside m fits the L1.
import { loopText } from '../../core/schedule.ts';
import { scheduleFacts } from '../../core/facts.ts';
import { done, todo, tileText, withReport, speedupTask, MATMUL_256, holds2x16 } from './checks.ts';
import type { Lesson } from './types.ts';

export const tiling: Lesson = {
  id: 'tiling',
  title: 'Tiling for cache reuse',
  summary: 'split k so the inner working set fits L1',
  problemText: MATMUL_256,
  startSchedule: 'm n k m:2 n:16',
  text: [
    'This schedule keeps a 2×16 block of C in registers (the register-tile lesson) and runs the whole k loop for it: each block reads a 2×256 strip of A and a 256×16 strip of B. After all of n, the next step of m reads all of B again: 256 KiB, eight times a 32 KiB L1 data cache, so B comes back from L2 every time.',
    'Tiling cuts a loop in two and moves the outer half out, so that the loops inside work on a block small enough to stay in cache while it is reused. Split k (s, then 16) and move the outer k loop above m (⇧↑): the loops inside m now touch a 16-row panel of B, which stays in L1 while m walks down A.',
    "The working set of a group of loops is the data one run of them touches. The lesson counts it in 64-byte cache lines against a 32 KiB, 8-way L1 (the machine looplab was tuned on; yours may differ). B's rows are 1 KiB apart, a power of two, so they fall into the same few cache sets: a panel can overflow a set before it fills the cache, and that counts as not fitting.",
  ],
  steps: [
    {
      text: 'Go down to k and split it by 16.',
      actions: ['down', 'down', 'split_16'],
      schedule: 'm:128 n:16 k:16 k:16 m:2 n:16',
      ticks: ['split-k', 'keep-tile'],
    },
    {
      text: 'Swap the outer k loop up, above m.',
      actions: ['swap_up', 'swap_up'],
      schedule: 'k:16 m:128 n:16 k:16 m:2 n:16',
      ticks: ['fits-l1', 'speedup'],
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
    {
      id: 'fits-l1',
      text: 'Make the working set of the loops inside the outermost m loop fit in L1.',
      hints: [
        'The loops inside m reuse B for every row block of A; with all of k inside, that is 256 KiB of B.',
        'Split k by 16 and swap the outer k loop up until it is above the outermost m loop.',
      ],
      check(facts) {
        const loops = facts.current.schedule.loops;
        const mAt = loops.findIndex((l) => l.variable === 'm');
        if (mAt < 0 || mAt === loops.length - 1) return todo('no loops inside the outermost m loop');
        const level = scheduleFacts(facts.problem, facts.current.schedule).levels[mAt + 1];
        const kib = (level.bytes / 1024).toFixed(1);
        const reading = `loops inside m (${level.loopsText}) touch ${kib} KiB`;
        if (level.fitsL1) return done(`${reading}: fits the 32 KiB L1`);
        if (level.setConflict)
          return todo(
            `${reading}, but ${level.setConflict.tensor} needs ${level.setConflict.perSet} lines of one 8-way L1 set`,
          );
        return todo(`${reading}: more than the 32 KiB L1`);
      },
    },
    {
      id: 'keep-tile',
      text: 'Keep a register tile of at least 2×16 held in registers across the inner k loop.',
      hints: [
        'Leave `m:2 n:16` as the two innermost loops; the k loop right above them is the one they are held across.',
      ],
      check: withReport((r) => (holds2x16(r) ? done(tileText(r)) : todo(tileText(r)))),
    },
    speedupTask('speedup', 1.1, [
      'Tiling k pays off at 256 and above, where B no longer fits the L1 (1.2× to 1.5× on the machine looplab was tuned on).',
      '`k:16 m n k:16 m:2 n:16` (or k:8 outside, k:32 inside) usually does it.',
    ]),
  ],
};
