// Lesson: packing, the way BLIS does it. From a cache-blocked schedule in BLIS's loop order whose
// panel of B conflicts in the L1, pack B (then A) into contiguous buffers; graded on the simulated
// misses of the lesson's machine, with the measured speed beside.
import { missesChange, simulatedTask, tensorCounts } from './checks.ts';
import { CACHE_LESSON_MACHINE_ID, cacheLessonMachine, levelText, MATMUL_1024 } from './cacheMachine.ts';
import type { Lesson } from './types.ts';

const machine = cacheLessonMachine();
const L1 = machine.levels[0].name;

/** pack(B) must cut B's L1 conflict misses at least this many times; with A packed too, the kernel's L1 misses this many. */
export const PACKING_FEWER_CONFLICTS = 20;
export const PACKING_FEWER_MISSES = 3;

const packs = (schedule: { loops: Array<{ packs?: string[] }> }, tensor: string) =>
  schedule.loops.some((l) => l.packs?.includes(tensor));

export const packing: Lesson = {
  id: 'packing',
  title: 'Packing, the way BLIS does it',
  summary: 'copy the panels of B and A to contiguous buffers (graded on simulated misses)',
  problemText: MATMUL_1024,
  startSchedule: 'n:8 k:8 m:8 n:16 m:32 k:128 m:4 n:8',
  machine: CACHE_LESSON_MACHINE_ID,
  text: [
    `Graded on a simulated ${machine.name} (${levelText(machine, 0)}, ${levelText(machine, 1)}): the same misses for every student. The problem is 1024³, past the caches (B alone is 4 MiB), where packing pays; its figures are sampled (the memory view says so), the same on every computer. The loop order is BLIS's at any size.`,
    "The start is blocked like BLIS: `n:8` and `k:8` cut a 128×128 panel of B (64 KiB, for the L2), `m:8` a 128×128 block of A, and the 4×8 register tile walks a micro-panel of B of 128 rows of k by 8 floats: 4 KiB, which should stay in the L1 while the tile moves down A. It does not: B's rows are 4 KiB apart, so all 128 lines of the micro-panel fall into one set of the L1, which holds 8 of them, and 33.0 M of B's 33.6 M L1 misses are conflict misses.",
    '`pack(B)` after a loop copies, at each of its iterations, the panel of B the loops inside read into a contiguous buffer in the order the tile reads it (docs/notation.md). The micro-panel then lies in 64 consecutive lines, one per set. The copy costs a pass over the panel, counted in the misses and the time.',
    `BLIS packs A too, at the loop that cuts its block (here \`m:8\`), so that the tile reads A's rows from one stream. On the simulated ${L1} this changes little (the copy adds a pass over A); on a real core it can save TLB misses and prefetch streams, which the simulator does not model. The measured speedup beside each task shows what your machine makes of it.`,
  ],
  steps: [
    {
      text: 'Go down to k:8 and pack B there (the panel of B that the loops inside read).',
      actions: ['down', 'pack_in1'],
      schedule: 'n:8 k:8 pack(B) m:8 n:16 m:32 k:128 m:4 n:8',
      ticks: ['pack-b', 'fewer-misses'],
    },
    {
      text: 'Go down to m:8 and pack A there.',
      actions: ['down', 'pack_in0'],
      schedule: 'n:8 k:8 pack(B) m:8 pack(A) n:16 m:32 k:128 m:4 n:8',
      ticks: ['pack-a'],
    },
  ],
  tasks: [
    simulatedTask(
      {
        id: 'pack-b',
        text: `Pack B so that its simulated ${L1} conflict misses fall at least ${PACKING_FEWER_CONFLICTS}× against the start.`,
        hints: [
          'Put the cursor on the loop whose iterations need a new panel of B (the outer k loop) and press the pack B key.',
          'The step by step below says which loop and which key.',
        ],
      },
      (now, start) => {
        const [before, after] = [tensorCounts(start, 'B').conflict, tensorCounts(now, 'B').conflict];
        return {
          ok: after * PACKING_FEWER_CONFLICTS <= before,
          reading: missesChange(`B's ${L1} conflict misses`, before, after),
        };
      },
    ),
    simulatedTask(
      {
        id: 'fewer-misses',
        text: `Cut the kernel's simulated ${L1} misses (all tensors, the copies included) at least ${PACKING_FEWER_MISSES}× against the start.`,
        hints: ["Packing B is enough: its conflict misses were most of the kernel's."],
      },
      (now, start) => {
        const [before, after] = [start.levels[0].total.misses, now.levels[0].total.misses];
        return { ok: after * PACKING_FEWER_MISSES <= before, reading: missesChange(`${L1} misses`, before, after) };
      },
    ),
    simulatedTask(
      {
        id: 'pack-a',
        text: `Pack A as well, keeping the ${L1} misses at least ${PACKING_FEWER_MISSES}× under the start's.`,
        hints: [
          "Pack A at the loop that cuts A's block: `m:8`, below the outer k.",
          'Then compare the measured speed.',
        ],
      },
      (now, start, facts) => {
        const packed = packs(facts.current.schedule, 'A') && packs(facts.current.schedule, 'B');
        const [before, after] = [start.levels[0].total.misses, now.levels[0].total.misses];
        const a = missesChange(`A's ${L1} misses`, tensorCounts(start, 'A').misses, tensorCounts(now, 'A').misses);
        const reading = `${packed ? 'A and B packed' : 'pack both A and B'}; ${missesChange(`${L1} misses`, before, after)} (${a})`;
        return { ok: packed && after * PACKING_FEWER_MISSES <= before, reading };
      },
    ),
  ],
};
