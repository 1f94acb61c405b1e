import { describe, expect, it } from 'vitest';
import { checkProgress, loadProgress, type ProgressStorage } from './progress.ts';

const task = { doneAt: 1700000000000, schedule: 'm:256 k:256 n:256', gflops: 9.5 };

describe('lesson progress', () => {
  it('keeps sound tasks of a known lesson', () => {
    const r = checkProgress('loop-order', { lessonId: 'loop-order', tasks: { 'b-stride-1': task }, updatedAt: 5 });
    expect(r.problems).toEqual([]);
    expect(r.progress).toEqual({ lessonId: 'loop-order', tasks: { 'b-stride-1': task }, updatedAt: 5 });
  });

  it("keeps the thread count of a task's figure; a bad one is dropped, the task kept", () => {
    const parallel = { doneAt: 1700000000000, schedule: '||m:64 m:4 n:256 k:256', gflops: 30, threads: 4 };
    const r = checkProgress('parallel', {
      lessonId: 'parallel',
      tasks: { outer: parallel, speedup: { ...parallel, threads: 0 }, tail: { ...parallel, threads: 'four' } },
      updatedAt: 5,
    });
    expect(r.progress?.tasks.outer).toEqual(parallel);
    const { threads: _dropped, ...withoutThreads } = parallel;
    expect(r.progress?.tasks.speedup).toEqual(withoutThreads);
    expect(r.progress?.tasks.tail).toEqual(withoutThreads);
  });

  it('damaged records and entries are ignored with a reason, never thrown', () => {
    expect(checkProgress('loop-order', 'garbage')).toEqual({
      progress: null,
      problems: ["the saved progress of 'Loop order and stride' is damaged (not a progress record) and was ignored"],
    });
    expect(checkProgress('loop-order', { tasks: [1, 2] }).problems[0]).toMatch(/no list of tasks/);
    expect(checkProgress('nope', {}).problems[0]).toMatch(/'nope', which is not a lesson/);
    const mixed = checkProgress('loop-order', {
      tasks: {
        'b-stride-1': task,
        'speedup-3x': { doneAt: 'yesterday' },
        'worst-order': { ...task, gflops: 'fast' },
        gone: task,
      },
    });
    expect(mixed.progress?.tasks).toEqual({ 'b-stride-1': task });
    expect(mixed.progress?.updatedAt).toBe(0);
    expect(mixed.problems).toEqual([
      "the saved task 'speedup-3x' of 'Loop order and stride' has no time and was ignored",
      "the saved task 'worst-order' of 'Loop order and stride' has a GFLOPS that is not a number and was ignored",
    ]);
  });

  it('a storage that fails to read becomes a sentence', async () => {
    const broken: ProgressStorage = {
      list: () => Promise.reject(new Error('blocked')),
      put: () => Promise.resolve(),
      delete: () => Promise.resolve(),
    };
    expect(await loadProgress(broken)).toEqual({
      byLesson: {},
      problems: ['lesson progress could not be read: blocked'],
    });
  });
});
