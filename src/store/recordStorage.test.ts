import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { loadProgress, PROGRESS_STORE, type LessonProgress } from '../teach/progress.ts';
import { indexedDbRecords, memoryRecords } from './recordStorage.ts';

const task = { doneAt: 1700000000000, schedule: 'm:256 k:256 n:256', gflops: 9.5 };

describe('record storage', () => {
  it('round-trips lesson progress through IndexedDB, damaged records included', async () => {
    const db = indexedDbRecords<LessonProgress>(`looplab-lessons-test-${Math.random()}`, PROGRESS_STORE, 'lessonId');
    await db.put({ lessonId: 'tails', tasks: { 'tail-m': task }, updatedAt: 7 });
    await db.put({ lessonId: 'tiling', tasks: 'oops' } as never);
    expect(await db.get('tails')).toEqual({ lessonId: 'tails', tasks: { 'tail-m': task }, updatedAt: 7 });
    const r = await loadProgress(db);
    expect(r.byLesson).toEqual({ tails: { lessonId: 'tails', tasks: { 'tail-m': task }, updatedAt: 7 } });
    expect(r.problems).toEqual([
      "the saved progress of 'Tiling for cache reuse' is damaged (no list of tasks) and was ignored",
    ]);
    await db.delete('tails');
    expect((await loadProgress(db)).byLesson).toEqual({});
  });

  it('memory records are keyed like IndexedDB and copy values in and out', async () => {
    const m = memoryRecords<LessonProgress>('lessonId');
    const rec = { lessonId: 'tails', tasks: { 'tail-m': { ...task } }, updatedAt: 1 };
    await m.put(rec);
    rec.tasks['tail-m'].schedule = 'changed';
    expect([...m.records.keys()]).toEqual(['tails']);
    expect((await loadProgress(m)).byLesson.tails.tasks['tail-m'].schedule).toBe(task.schedule);
    const read = (await m.get('tails')) as LessonProgress;
    read.updatedAt = 99;
    expect(((await m.get('tails')) as LessonProgress).updatedAt).toBe(1);
  });
});
