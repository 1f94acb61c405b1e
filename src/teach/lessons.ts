// The lessons: a short text beside the live playground, a starting problem and schedule, and tasks
// checked live against the real state (the current schedule, the core's strides and working sets,
// the measurements and the generator's report), with hints on request. One file per lesson in
// lessons/; checks are pure functions of a `LessonFacts` snapshot, unit-tested with real schedules
// and real reports.
import { errorMessage } from '../core/errors.ts';
import { agent } from './lessons/agent.ts';
import { conflicts } from './lessons/conflicts.ts';
import { loopOrder } from './lessons/loop-order.ts';
import { packing } from './lessons/packing.ts';
import { parallelLoops } from './lessons/parallel.ts';
import { registerTile } from './lessons/register-tile.ts';
import { tails } from './lessons/tails.ts';
import { tiling } from './lessons/tiling.ts';
import type { Lesson, LessonFacts, TaskCheck } from './lessons/types.ts';
import { vectorize } from './lessons/vectorize.ts';

export {
  compareFigures,
  innermostStrides,
  lessonStart,
  requestedTile,
  startGflops,
  tileExtents,
} from './lessons/checks.ts';
export { iterationShare } from './lessons/parallel.ts';
export {
  CLOSE_IN_TIME_MS,
  type AgentFacts,
  type FigureNeed,
  type Lesson,
  type LessonFacts,
  type LessonTask,
  type MeasuredFacts,
  type SimulatedFacts,
  type TaskCheck,
  type TaskState,
} from './lessons/types.ts';

export const LESSONS: Lesson[] = [
  loopOrder,
  tiling,
  conflicts,
  packing,
  vectorize,
  registerTile,
  tails,
  parallelLoops,
  agent,
];

export function lessonById(id: string | null | undefined): Lesson | null {
  return LESSONS.find((l) => l.id === id) ?? null;
}

/** Every task's live check; off the lesson's problem every task waits for it. */
export function checkLesson(lesson: Lesson, facts: LessonFacts): TaskCheck[] {
  return lesson.tasks.map((task) => {
    if (!facts.onLessonProblem)
      return {
        state: 'waiting',
        detail: 'the page is on another problem; restart the lesson to get back to its problem',
      };
    try {
      return task.check(facts, lesson);
    } catch (error) {
      // A check is a bug if it throws; the lesson keeps working and says so.
      return { state: 'unavailable', detail: `this task could not be checked: ${errorMessage(error)}` };
    }
  });
}
