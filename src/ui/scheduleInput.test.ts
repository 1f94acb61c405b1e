import { describe, expect, it } from 'vitest';
import { parseProblemText, PRESETS } from '../core/problem.ts';
import { printSchedule } from '../core/schedule.ts';
import { readScheduleInput } from './scheduleInput.ts';

const matmul = parseProblemText(PRESETS.find((p) => p.id === 'matmul-256')!.text);

describe('readScheduleInput', () => {
  it('reads a typed schedule with splits', () => {
    const r = readScheduleInput(matmul, 'k m n k:32 m:2 n:16');
    expect(r.ok).toBe(true);
    if (r.ok) expect(printSchedule(r.schedule)).toBe('k:8 m:128 n:16 k:32 m:2 n:16');
  });

  it('points an unknown variable out at its word, with the fix', () => {
    const text = 'k m q';
    const r = readScheduleInput(matmul, text);
    expect(r).toEqual({
      ok: false,
      message: "col 5: unknown variable 'q'; the variables are m, n, k",
      from: 4,
      to: 5,
    });
  });

  it('points a bad trip out at its loop', () => {
    const r = readScheduleInput(matmul, 'm n:x k');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toBe("col 3: bad trip in 'n:x'; a trip is a positive integer, like n:4");
      expect('m n:x k'.slice(r.from, r.to)).toBe('n:x');
    }
  });

  it('marks the end of the text when a variable is missing', () => {
    const r = readScheduleInput(matmul, 'm n');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/^col 5: .*'k'/);
      expect([r.from, r.to]).toEqual([3, 3]);
    }
  });

  it('says an empty line is empty and how to write one', () => {
    const r = readScheduleInput(matmul, '   ');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe("col 1: the schedule is empty; write one loop per variable, like 'm n k'");
  });
});
