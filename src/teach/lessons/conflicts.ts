// Lesson: conflict misses and associativity. A small panel of B whose rows lie a power of two apart
// falls into a few sets of the L1 and misses although it would fit; graded on the simulated
// conflict misses of the lesson's machine.
import { done, holds2x16, missesChange, simulatedTask, tensorCounts, tileText, todo, withReport } from './checks.ts';
import { CACHE_LESSON_MACHINE_ID, cacheLessonMachine, levelText, MATMUL_512 } from './cacheMachine.ts';
import type { Lesson } from './types.ts';

const machine = cacheLessonMachine();
const l1 = machine.levels[0];
const L1 = l1.name;
const sets = l1.bytes / (l1.ways * machine.lineBytes);
/** Bytes between addresses that share an L1 set. */
const setPeriod = sets * machine.lineBytes;

/** B's L1 conflict misses must fall at least this many times (first task), and to this share of the start's (second). */
export const CONFLICTS_FEWER = 10;
export const CONFLICTS_LEFT = 0.01;

export const conflicts: Lesson = {
  id: 'conflicts',
  title: 'Conflict misses and associativity',
  summary: 'a small panel that misses anyway: rows a power of two apart share cache sets',
  problemText: MATMUL_512,
  startSchedule: 'n:32 k:16 m k:32 m:2 n:16',
  machine: CACHE_LESSON_MACHINE_ID,
  text: [
    `Graded on a simulated ${machine.name} (${levelText(machine, 0)}): the same misses for every student.`,
    `The start is tiled: inside m it reads a panel of B of 32 rows of k by 16 floats of n, one ${machine.lineBytes}-byte line per row, 2 KiB in all, a sixteenth of the ${L1}. It should stay there while m walks down A; yet every load of B misses (4.19 M misses), and the simulator calls them conflict misses: a fully associative cache of the same size would have kept the panel.`,
    `A line can only go into one set: the set is its address divided by ${machine.lineBytes}, modulo ${sets}, so addresses ${setPeriod / 1024} KiB apart share a set. B's rows are 512 floats = 2 KiB apart, a power of two, so rows k and k+2 share a set and the 32 rows of the panel fall into 2 of the ${sets} sets: 16 lines for ${l1.ways} ways. With n = 520 (rows 2080 bytes apart) the same schedule's B would miss the ${L1} 25.1 k times, none of them conflicts.`,
    `Here the size is fixed, so shorten the panel instead: 16 rows put 8 lines in each of the 2 sets, exactly the ${l1.ways} ways, but A and C need lines in those sets too; 8 rows leave room. The packing lesson removes the conflicts the other way: by copying the panel to consecutive addresses.`,
  ],
  steps: [
    {
      text: 'Go down to the inner k loop, split it by 16 and swap the outer half above m.',
      actions: ['down', 'down', 'down', 'split_16', 'swap_up'],
      schedule: 'n:32 k:16 k:2 m:256 k:16 m:2 n:16',
      ticks: ['fewer-conflicts', 'keep-tile'],
    },
    {
      text: 'Go down to k:16 below m, split it by 8 and swap the outer half above m.',
      actions: ['down', 'down', 'split_8', 'swap_up'],
      schedule: 'n:32 k:16 k:2 k:2 m:256 k:8 m:2 n:16',
      ticks: ['no-conflicts'],
    },
  ],
  tasks: [
    simulatedTask(
      {
        id: 'fewer-conflicts',
        text: `Cut B's simulated ${L1} conflict misses at least ${CONFLICTS_FEWER}× against the start, keeping a panel of B inside m.`,
        hints: [
          'Fewer rows of B in the panel put fewer lines in each of its sets. Split the k loop below m and move the outer half above m.',
          `A 16-row panel puts 8 lines in each set: the ${l1.ways} ways, nearly enough.`,
        ],
      },
      (now, start) => {
        const [before, after] = [tensorCounts(start, 'B').conflict, tensorCounts(now, 'B').conflict];
        return {
          ok: after * CONFLICTS_FEWER <= before,
          reading: missesChange(`B's ${L1} conflict misses`, before, after),
        };
      },
    ),
    simulatedTask(
      {
        id: 'no-conflicts',
        text: `Leave B under ${CONFLICTS_LEFT * 100}% of the start's ${L1} conflict misses, with no capacity misses of B either.`,
        hints: [
          `Each set has ${l1.ways} ways, and A and C use some of them: how many rows of B can share a set?`,
          'An 8-row panel (k:8 right above the tile) puts 4 lines of B in each set.',
        ],
      },
      (now, start) => {
        const b = tensorCounts(now, 'B');
        const before = tensorCounts(start, 'B').conflict;
        const reading = `${missesChange(`B's ${L1} conflict misses`, before, b.conflict)}, ${b.capacity === 0 ? 'no' : b.capacity} capacity misses`;
        return { ok: b.conflict <= before * CONFLICTS_LEFT && b.capacity === 0, reading };
      },
    ),
    {
      id: 'keep-tile',
      text: 'Keep a register tile of at least 2×16 held in registers across the inner k loop.',
      hints: ['Leave `m:2 n:16` as the two innermost loops, with a k loop right above them.'],
      check: withReport((r) => (holds2x16(r) ? done(tileText(r)) : todo(tileText(r)))),
    },
  ],
};
