// The machine the cache lessons are graded on, and their sizes in words for the lesson texts: the
// simulated core every student shares, whatever laptop runs the page.
import { type Machine, machineById, sizeText, waysText } from '../../core/cache/machines.ts';
import { PRESETS } from '../../core/problem.ts';

export const CACHE_LESSON_MACHINE_ID = 'zen4';

export function cacheLessonMachine(): Machine {
  const machine = machineById(CACHE_LESSON_MACHINE_ID);
  if (!machine) throw new Error(`no machine '${CACHE_LESSON_MACHINE_ID}' for the cache lessons`);
  return machine;
}

/** `32 KiB 8-way L1d (64 sets of 64-byte lines)`. */
export function levelText(machine: Machine, level: number): string {
  const l = machine.levels[level];
  const sets = l.bytes / (l.ways * machine.lineBytes);
  return `${sizeText(l.bytes)} ${waysText(l.ways)} ${l.name} (${sets} sets of ${machine.lineBytes}-byte lines)`;
}

export const MATMUL_512 =
  PRESETS.find((p) => p.id === 'matmul-512')?.text ?? 'C[m,n] += A[m,k] * B[k,n]\nm=512, n=512, k=512';

export const MATMUL_1024 =
  PRESETS.find((p) => p.id === 'matmul-1024')?.text ?? 'C[m,n] += A[m,k] * B[k,n]\nm=1024, n=1024, k=1024';
