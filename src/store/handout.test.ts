// The handout's figures come from one source, the session's measurements: after a restart a task
// recorded at 13.4 GFLOPS in an earlier session shows its schedule's figure of today, as the table
// and "best" do.
import { describe, expect, it, vi } from 'vitest';
import { createLooplabStore } from './createStore.ts';
import { memoryRecords } from './recordStorage.ts';
import { handoutFigures, handoutSimulations } from './handout.ts';
import { lessonById } from '../teach/lessons.ts';
import type { LessonProgress } from '../teach/progress.ts';
import type { Measurer } from './types.ts';

const measurer: Measurer = {
  async measure(_problem, schedule) {
    const gflops = schedule === 'm:256 k:256 n:256' ? 11.3 : 1.5;
    return { gflops, gflopsMedian: gflops, correct: true };
  },
  async peak() {
    return 50;
  },
};

describe('the handout figures', () => {
  it('a task done in an earlier session shows the figure of today, the same as the table and best', async () => {
    const progress = memoryRecords<LessonProgress>('lessonId');
    await progress.put({
      lessonId: 'loop-order',
      tasks: {
        'b-stride-1': { doneAt: 1, schedule: 'm:256 k:256 n:256', gflops: 13.4 },
        'worst-order': { doneAt: 1, schedule: 'k:256 n:256 m:256', gflops: 0.3 },
      },
      updatedAt: 1,
    });
    const s = createLooplabStore({ measurer, progress });
    s.getState().openLesson('loop-order');
    s.getState().setHandoutFilled(true);
    s.getState().act('down');
    s.getState().act('swap_down');
    const lesson = lessonById('loop-order')!;
    await vi.waitFor(() => expect(handoutFigures(s.getState(), lesson).best?.gflops).toBe(11.3));
    const f = handoutFigures(s.getState(), lesson);
    expect(f.rows.map((r) => [r.schedule, r.gflops])).toEqual([
      ['m:256 n:256 k:256', 1.5],
      ['m:256 k:256 n:256', 11.3],
    ]);
    expect(f.tasks[0]).toEqual({
      id: 'b-stride-1',
      done: true,
      schedule: 'm:256 k:256 n:256',
      gflops: 11.3,
      threads: 1,
    });
    // A task done on a schedule not measured in this session has no figure (not the old one).
    expect(f.tasks[2]).toEqual({
      id: 'worst-order',
      done: true,
      schedule: 'k:256 n:256 m:256',
      gflops: null,
      threads: 1,
    });
    expect(f.tasks[1]).toEqual({ id: 'speedup-3x', done: false, schedule: null, gflops: null, threads: 1 });
  });

  it('is blank by default, to hand out: no figures, nothing ticked; filled in on request, to hand in', async () => {
    const progress = memoryRecords<LessonProgress>('lessonId');
    await progress.put({
      lessonId: 'loop-order',
      tasks: { 'b-stride-1': { doneAt: 1, schedule: 'm:256 k:256 n:256', gflops: 13.4 } },
      updatedAt: 1,
    });
    const s = createLooplabStore({ measurer, progress });
    s.getState().openLesson('loop-order');
    s.getState().act('down');
    s.getState().act('swap_down');
    const lesson = lessonById('loop-order')!;
    expect(s.getState().handoutFilled).toBe(false);
    s.getState().setHandoutFilled(true);
    await vi.waitFor(() => expect(handoutFigures(s.getState(), lesson).tasks[0].gflops).toBe(11.3));
    s.getState().setHandoutFilled(false);
    const blank = handoutFigures(s.getState(), lesson);
    expect(blank.rows).toEqual([]);
    expect(blank.best).toBeNull();
    expect(blank.tasks.map((t) => [t.id, t.done, t.schedule, t.gflops])).toEqual([
      ['b-stride-1', false, null, null],
      ['speedup-3x', false, null, null],
      ['worst-order', false, null, null],
    ]);
  });
});

describe('the handout of a lesson graded on simulated misses', () => {
  const simulating: Measurer = {
    ...measurer,
    async simulateCache(_problem, schedule, machine) {
      const misses = schedule.startsWith('k:') ? 1_100_000 : 4_260_000;
      const level = (name: string, m: number) => ({
        name,
        tensors: [
          { tensor: 'C', misses: 0 },
          { tensor: 'A', misses: 0 },
          { tensor: 'B', misses: m },
        ],
        total: { misses: m, conflict: 7 },
      });
      return {
        machine: { id: machine },
        levels: [level('L1d', misses), level('L2', misses / 10)],
      } as unknown as import('../core/cache/figures.ts').CacheFigures;
    },
  };

  it("prints the start's simulated misses on the lesson's machine on the blank sheet, naming the machine", async () => {
    const s = createLooplabStore({ measurer: simulating });
    s.getState().openLesson('tiling');
    const lesson = lessonById('tiling')!;
    expect(handoutSimulations(s.getState(), lessonById('loop-order')!)).toBeNull();
    await vi.waitFor(() => expect(handoutSimulations(s.getState(), lesson)?.rows[0].status).toBe('done'));
    const blank = handoutSimulations(s.getState(), lesson)!;
    expect(blank.machine).toBe('AMD Zen 4 core');
    expect(blank.rows.map((r) => r.schedule)).toEqual(['m:256 n:32 k:512 m:2 n:16']);
    expect(blank.rows[0].levels[0]).toEqual({
      name: 'L1d',
      tensors: [
        { tensor: 'C', misses: 0 },
        { tensor: 'A', misses: 0 },
        { tensor: 'B', misses: 4_260_000 },
      ],
      misses: 4_260_000,
      conflict: 7,
    });
    // The filled sheet prints each schedule's misses beside its GFLOPS instead.
    s.getState().setHandoutFilled(true);
    expect(handoutSimulations(s.getState(), lesson)).toBeNull();
  });
});
