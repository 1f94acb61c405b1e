// The handout as a worksheet: for every task of every lesson, a question to answer on paper before
// measuring, with blanks (`____`) for the prediction. The handout prints it beside the figures the
// session measured, so a class compares what it predicted with what the machine did.
import type { Lesson } from './lessons.ts';

/** A blank to write in, inside a question. */
export const BLANK = '____';

const QUESTIONS: Record<string, Record<string, string>> = {
  'loop-order': {
    'b-stride-1': `With B read at stride 1 (\`m k n\`), will the kernel be faster than \`m n k\`? ${BLANK} By how much? ${BLANK}×`,
    'speedup-3x': `How many GFLOPS will \`m k n\` reach? ${BLANK} GFLOPS, that is ${BLANK}× the start.`,
    'worst-order': `With m innermost (A and C a whole row apart per step), faster or slower than the start? ${BLANK} By how much? ${BLANK}×`,
  },
  tiling: {
    'split-k': `Splitting k alone, loops in the same order: will B's L1 misses change? ${BLANK} Why? ${BLANK}`,
    'fits-l1': `How many KiB of B do the loops inside m read with \`k:8\` inside? ${BLANK} KiB. And with \`k:16\`? ${BLANK} KiB. Which stays in the 32 KiB L1? ${BLANK}`,
    'keep-tile': `If the 2×16 tile were no longer held across k, how many more loads and stores of C? ${BLANK}`,
    'fewer-misses': `The start misses the L1 4.26 M times. How many misses once B's panel stays there? ${BLANK} M. And how much faster? ${BLANK}×`,
  },
  conflicts: {
    'fewer-conflicts': `B's rows are 2 KiB apart and the L1 has 64 sets of 64 bytes: how many sets do 32 rows of one line fall into? ${BLANK} How many lines per set? ${BLANK}`,
    'no-conflicts': `With 8 ways per set, how many rows of B can the panel have before its lines conflict? ${BLANK}`,
    'keep-tile': `Does shortening the panel of B change the register tile? ${BLANK}`,
  },
  packing: {
    'pack-b': `After packing B, into how many L1 sets does a 128×8 micro-panel fall? ${BLANK} How many of B's 4.13 M conflict misses are left? ${BLANK}`,
    'fewer-misses': `The copy reads each panel of B once more: will the kernel's L1 misses go up or down? ${BLANK} By how much? ${BLANK}×`,
    'pack-a': `Packing A: L1 misses up or down? ${BLANK} Faster on your machine? ${BLANK}×`,
  },
  vectorize: {
    'along-m': `Vectorized along m, which tensors will be gathered? ${BLANK} Faster or slower than along n? ${BLANK}`,
    'along-n': `Vectorized along n, which tensors are contiguous, which splatted? ${BLANK} How many GFLOPS? ${BLANK}`,
    scalar: `With an innermost loop shorter than 4, faster or slower than vectorized along n? ${BLANK} By how much? ${BLANK}×`,
    compare: `Along n will run at ${BLANK}× the speed along m.`,
  },
  'register-tile': {
    'tile-2x16': `How many f32x4 accumulators does a 2×16 tile need? ${BLANK} And m:2 n:64? ${BLANK}`,
    'speedup-5x': `How much faster than \`m n k\` will the 2×16 tile held across k be? ${BLANK}×`,
    'too-big': `How many accumulators does m:2 n:64 need? ${BLANK} What will the generator keep as a loop? ${BLANK}`,
    'too-big-cost': `The tile too big for the registers will run at ${BLANK}× the speed of the 2×16 tile.`,
  },
  tails: {
    'tail-m': `Will a tail on m cost speed? ${BLANK} What share of the work falls in the tail? ${BLANK}%`,
    'tile-tails': `With tails on both m and n, how many body copies will the generator write? ${BLANK}`,
    'speedup-4x': `How much faster than the start will the tiled schedule with tails be? ${BLANK}×`,
  },
  agent: {
    run: `How much faster than the start will the agent's last schedule be? ${BLANK}×`,
    'predict-5': `Write your guesses for the agent's first five actions: ${BLANK} ${BLANK} ${BLANK} ${BLANK} ${BLANK}`,
    'right-3': `How many of your five guesses will be right? ${BLANK}`,
    'to-the-end': `Will the rollout end on its fastest schedule? ${BLANK} At which step is it fastest? ${BLANK}`,
  },
  parallel: {
    outer: `Which loops of \`m k n\` may run in parallel, and why not k? ${BLANK}`,
    speedup: `On 2 threads, how much faster than on one? ${BLANK}× (and on 4? ${BLANK}×)`,
    tail: `With m split so the parallel loop gets a tail, how many iterations will each of your threads get? ${BLANK}`,
  },
};

/** The question to predict before measuring for `taskId` of `lesson`, or null when it has none. */
export function worksheetQuestion(lesson: Pick<Lesson, 'id'>, taskId: string): string | null {
  return QUESTIONS[lesson.id]?.[taskId] ?? null;
}

/** The lessons and task ids the worksheet has questions for (checked against the lessons in tests). */
export function worksheetTaskIds(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(QUESTIONS).map(([id, tasks]) => [id, Object.keys(tasks)]));
}
