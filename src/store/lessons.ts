// What the ui needs of the lessons and of a teacher's link (src/teach/), offered by the store: the
// lessons, the open one, its live task checks from the store's state, and the options a teacher's
// link can set.
import { checkLesson, lessonById, type Lesson, type TaskCheck } from '../teach/lessons.ts';
import { lessonFacts } from './lessonSlice.ts';
import type { LooplabState } from './types.ts';

export { LESSONS, lessonStart, type Lesson, type TaskCheck } from '../teach/lessons.ts';
export { BLANK, worksheetQuestion } from '../teach/worksheet.ts';
export {
  FIXABLE,
  HIDEABLE_ACTIONS,
  teacherQuery,
  type Fixable,
  type HideableAction,
  type TeacherOptions,
} from '../teach/teacherLink.ts';

/** The open lesson, or null. */
export function openLesson(state: Pick<LooplabState, 'lessonId'>): Lesson | null {
  return lessonById(state.lessonId);
}

/** The live checks of `lesson`'s tasks against the store's state, in task order. */
export function lessonChecks(state: LooplabState, lesson: Lesson): TaskCheck[] {
  return checkLesson(lesson, lessonFacts(state, lesson));
}
