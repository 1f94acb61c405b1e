// The open lesson's live task checks, computed from the store's real state (shared by the lesson
// panel and the handout).
import { useMemo } from 'react';
import { useLooplab, useLooplabStore, useShallow } from '../store/context.tsx';
import { lessonChecks, type Lesson, type TaskCheck } from '../store/lessons.ts';
import type { LooplabState } from '../store/types.ts';

export function useLessonChecks(lesson: Lesson | null): TaskCheck[] {
  const store = useLooplabStore();
  // Re-render only when a part the checks read changes.
  const parts = useLooplab(
    useShallow((s: LooplabState) => [
      s.problemKey,
      s.current,
      s.measurements,
      s.memory,
      s.agentRun,
      s.player,
      s.predictions,
    ]),
  );
  return useMemo(() => (lesson ? lessonChecks(store.getState(), lesson) : []), [lesson, store, ...parts]);
}
