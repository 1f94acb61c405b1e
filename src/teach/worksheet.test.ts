import { describe, expect, it } from 'vitest';
import { LESSONS } from './lessons.ts';
import { BLANK, worksheetQuestion, worksheetTaskIds } from './worksheet.ts';

describe('worksheet questions', () => {
  it('every task of every lesson has a question with a blank to predict in', () => {
    for (const lesson of LESSONS) {
      for (const task of lesson.tasks) {
        const q = worksheetQuestion(lesson, task.id);
        expect(q, `${lesson.id}/${task.id}`).not.toBeNull();
        expect(q, `${lesson.id}/${task.id}`).toContain(BLANK);
      }
    }
  });

  it('asks nothing about tasks that are not in the lessons', () => {
    const known = Object.fromEntries(LESSONS.map((l) => [l.id, l.tasks.map((t) => t.id).sort()]));
    const asked = Object.fromEntries(Object.entries(worksheetTaskIds()).map(([id, tasks]) => [id, [...tasks].sort()]));
    expect(asked).toEqual(known);
  });

  it('has no question for an unknown lesson or task', () => {
    expect(worksheetQuestion({ id: 'loop-order' }, 'no-such-task')).toBeNull();
    expect(worksheetQuestion({ id: 'no-such-lesson' }, 'b-stride-1')).toBeNull();
  });
});
