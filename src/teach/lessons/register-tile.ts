// Lesson: the register tile held across k, and a tile too big for the registers.
import { loopsText, printSchedule } from '../../core/schedule.ts';
import { formatGflops } from '../../core/format.ts';
import {
  done,
  todo,
  compareFigures,
  currentFigure,
  tileText,
  requestedTile,
  measuredOrWait,
  isCheck,
  reportOrWait,
  withReport,
  speedupTask,
  MATMUL_256,
  holds2x16,
  heldAcrossVariable,
  tileExtents,
} from './checks.ts';
import type { MeasuredFacts, Lesson } from './types.ts';
import type { KernelReport } from '../../codegen/types.ts';

/**
 * Why the current report is not a tile too big for the registers as the lesson means it (a tile
 * over m and n, vectorized along n and held across k, that the generator had to cut down), or
 * null when it is. A half-built tile (m:2 still innermost, vectorized along m in scalars) is not.
 */
function notATooBigTile(r: KernelReport, askedLoops: string): string | null {
  const asked = askedLoops || 'none over m or n';
  if (r.vectorizedVariable !== 'n' || r.lanes.vectors === 0)
    return `the innermost loop runs over ${r.vectorizedVariable}${r.lanes.vectors === 0 ? ' in scalars' : ''}: a tile vectorized along n has n innermost`;
  const t = tileExtents(r);
  if ((t.m ?? 1) < 2) return `the tile (${asked}) has no loop over m below k`;
  if (!heldAcrossVariable(r, 'k')) return `the tile (${asked}) is not held across k: put k right above it`;
  if (!r.tileReduction) return `the innermost loops (${asked}) fit: ${r.registers} of ${r.registerBudget} registers`;
  return null;
}

export const registerTile: Lesson = {
  id: 'register-tile',
  title: 'The register tile, and a tile too big for the registers',
  summary: 'keep a block of C in registers across k',
  problemText: MATMUL_256,
  startSchedule: 'm n k',
  text: [
    'Every multiply-add adds into an accumulator. When the innermost loops are short, the generator unrolls them completely into a tile of accumulators that stays in registers for the whole reduction loop above them: `m n k m:2 n:16` keeps a 2×16 block of C in 8 f32x4 registers across all of k, so C is loaded and stored once per block instead of at every step, and each value of A and B loaded is used several times.',
    "A bigger tile reuses loaded values more, up to the size of the register file. Wasm on x64 has 16 vector registers and V8 keeps one for itself, so a tile needs its accumulators plus the A and B values live at the same time to fit in 15: 2×16 is 8 accumulators + 4 vectors of B + 1 splat of A = 13. (Node 20's V8 loads all of a pass's values first, so there all 2 + 4 count.) One more and V8 spills: it stores registers to memory and reloads them on every pass. Measured here, a 4×16 tile that spilled ran at half the speed of the 4×8 tile.",
    'So the generator refuses to spill: when your innermost loops ask for more, it keeps part of the tile as a loop outside k and says so in the report (`n:64 stays a loop of 4 x 16 outside k:256`). The last two tasks make you see it, and measure what the tile you asked for runs at against a good one.',
  ],
  steps: [
    {
      text: 'Split m by 2; the cursor stays on the outer m, so go down to the inner `m:2` and swap it to the bottom.',
      actions: ['split_2', 'down', 'swap_down', 'swap_down'],
      schedule: 'm:128 n:256 k:256 m:2',
      ticks: [],
    },
    {
      text: 'Go up to n, split it by 16, go down to the inner `n:16` and swap it to the bottom, below `m:2`: a 2×16 tile.',
      actions: ['up', 'up', 'split_16', 'down', 'swap_down', 'swap_down'],
      schedule: 'm:128 n:16 k:256 m:2 n:16',
      ticks: ['tile-2x16', 'speedup-5x'],
    },
    {
      text: 'Merge the inner `n:16` back into n, split n by 64 instead and swap the inner `n:64` to the bottom: m:2 n:64 asks for 32 accumulators.',
      actions: ['merge', 'split_64', 'down', 'swap_down', 'swap_down'],
      schedule: 'm:128 n:4 k:256 m:2 n:64',
      ticks: ['too-big', 'too-big-cost'],
    },
  ],
  tasks: [
    {
      id: 'tile-2x16',
      text: 'Get a register tile of at least 2×16 held across k.',
      hints: [
        'The tile is made of the innermost loops over m and n, with k just above them.',
        'Aim for `m n k m:2 n:16`.',
      ],
      check: withReport((r) => (holds2x16(r) ? done(tileText(r)) : todo(tileText(r)))),
    },
    speedupTask('speedup-5x', 5, ['A 2×16 tile held across k is enough.']),
    {
      id: 'too-big',
      text: 'Ask for a tile bigger than the registers (e.g. m:2 n:64) and read what the generator keeps as a loop instead.',
      hints: ['From `m n k m:2 n:16`, split n by 64 instead: m:2 n:64 wants 32 accumulators.'],
      check(facts) {
        const asked = requestedTile(facts.problem, facts.current.schedule);
        const r = reportOrWait(facts);
        if ('state' in r) return r;
        const notYet = notATooBigTile(r, asked.loops);
        if (notYet) return todo(notYet);
        return done(`asked ${asked.loops}; the generator: ${r.tileReduction}`);
      },
    },
    {
      id: 'too-big-cost',
      text: 'Measure the tile too big for the registers and compare it with a 2×16 tile you measured.',
      hints: ['Both need a measurement: the 2×16 from the first task, then the bigger one.'],
      check(facts) {
        const r = reportOrWait(facts);
        if ('state' in r) return r;
        const notYet = notATooBigTile(r, requestedTile(facts.problem, facts.current.schedule).loops);
        if (notYet) return todo(`${notYet}: ask for a bigger tile first`);
        const m = measuredOrWait(facts);
        if (isCheck(m)) return m;
        const figure = (f: MeasuredFacts) => f.gflops ?? f.quickGflops ?? null;
        const good = Object.entries(facts.measuredBySchedule)
          .filter(([, f]) => figure(f) !== null && f.report && !f.report.tileReduction && holds2x16(f.report))
          .sort(([, a], [, b]) => (figure(b) ?? 0) - (figure(a) ?? 0))[0];
        const asked = requestedTile(facts.problem, facts.current.schedule).loops;
        const ran = `asked ${asked}, ran ${loopsText(r.tileLoops)}`;
        if (!good) {
          const g = currentFigure(facts);
          if (isCheck(g)) return { ...g, detail: `${ran}; ${g.detail}` };
          return todo(`${ran}: ${formatGflops(g)} GFLOPS; no 2×16 tile measured yet to compare with`);
        }
        const c = compareFigures(
          facts,
          { schedule: printSchedule(facts.current.schedule), name: 'this schedule' },
          { schedule: good[0], name: `the 2×16 tile (${good[0]})` },
        );
        if (isCheck(c)) return { ...c, detail: `${ran}; ${c.detail}` };
        return done(
          `${ran}: ${formatGflops(c.a)} GFLOPS; the 2×16 tile ${loopsText(good[1].report?.tileLoops ?? [])}: ${formatGflops(c.b)} GFLOPS (${(c.a / c.b).toFixed(2)}×)`,
        );
      },
    },
  ],
};
