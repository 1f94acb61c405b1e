import { describe, expect, it } from 'vitest';
import { CACHE, cacheOfMachine } from '../facts.ts';
import { parseProblem } from '../problem.ts';
import { parseSchedule } from '../schedule.ts';
import { TILE_LABEL, type TensorReuse } from './figures.ts';
import { machineById } from './machines.ts';
import { carriedLoopIndex, nestMarks } from './nestMarks.ts';

const mm = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=128, n=128, k=128');
const schedule = parseSchedule(mm, 'k:4 m n k:32 m:4 n:8');

describe('nestMarks', () => {
  it('reads the loop a reuse label names', () => {
    expect(carriedLoopIndex('m:32 (loop 2)')).toBe(1);
    expect(carriedLoopIndex(TILE_LABEL)).toBeNull();
  });

  it("gives each loop its working set against the machine's caches", () => {
    const rows = nestMarks(mm, schedule, CACHE);
    expect(rows.map((r) => r.text)).toEqual(['k:4', 'm:32', 'n:16', 'k:32', 'm:4', 'n:8']);
    // From k:32 inward: A 4 rows x 32 floats (2 lines each), B 32 rows x 8 floats, C 4 rows x 8 floats.
    expect(rows[3].workingSet).toBe((4 * 2 + 32 + 4) * 64);
    expect(rows[3].fits).toBe('L1');
    // The whole nest: 3 x 64 KiB, over the 32 KiB L1, inside the 512 KiB L2.
    expect(rows[0].workingSet).toBe(3 * 64 * 1024);
    expect(rows[0].fits).toBe('L2');
    const teaching = nestMarks(mm, schedule, cacheOfMachine(machineById('teaching')!));
    expect(teaching[0].fits).toBeNull();
  });

  it('marks the loop each level keeps a tensor across, once per loop, and the reuse that comes from memory', () => {
    const reuse: TensorReuse[] = [
      { tensor: 'C', rows: [], carriedBy: [TILE_LABEL, TILE_LABEL, null] },
      { tensor: 'A', rows: [], carriedBy: ['n:16 (loop 3)', 'm:32 (loop 2)', 'k:4 (loop 1)'] },
      { tensor: 'B', rows: [], carriedBy: ['m:32 (loop 2)', 'm:32 (loop 2)', null] },
    ];
    const rows = nestMarks(mm, schedule, CACHE, reuse, ['L1d', 'L2']);
    expect(rows.map((r) => r.marks)).toEqual([
      [{ tensor: 'A', level: 'memory' }],
      [
        { tensor: 'A', level: 'L2' },
        { tensor: 'B', level: 'L1d' },
      ],
      [{ tensor: 'A', level: 'L1d' }],
      [],
      [],
      [],
    ]);
  });
});
