// Which tasks of every lesson are done (kept in IndexedDB), with a reset per lesson and the
// reasons any saved progress was ignored.
import { useState } from 'react';
import { useLooplab } from '../store/context.tsx';
import { LESSONS } from '../store/lessons.ts';

function when(t: number): string {
  return new Date(t).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

export function LessonProgress() {
  const progress = useLooplab((s) => s.lessonProgress);
  const problems = useLooplab((s) => s.progressProblems);
  const lessonId = useLooplab((s) => s.lessonId);
  const reset = useLooplab((s) => s.resetLessonProgress);
  const [open, setOpen] = useState(lessonId === null);
  const total = LESSONS.reduce((n, l) => n + l.tasks.length, 0);
  const doneTotal = LESSONS.reduce((n, l) => n + l.tasks.filter((t) => progress[l.id]?.tasks[t.id]).length, 0);
  return (
    <>
      {problems.length > 0 && (
        <ul className="lesson-progress-problems" data-testid="lesson-progress-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <details
        className="lesson-progress"
        data-testid="lesson-progress"
        open={open}
        onToggle={(e) => setOpen(e.currentTarget.open)}
      >
        <summary>
          progress:{' '}
          <span data-testid="lesson-progress-total">
            {doneTotal} of {total} tasks
          </span>
        </summary>
        <ul className="lesson-progress-list">
          {LESSONS.map((l) => {
            const tasks = progress[l.id]?.tasks ?? {};
            const done = l.tasks.filter((t) => tasks[t.id]).length;
            return (
              <li key={l.id} data-testid={`lesson-progress-${l.id}`} data-done={done} data-total={l.tasks.length}>
                <span className="lesson-progress-title">{l.title}</span>
                <span
                  className="lesson-progress-dots"
                  role="img"
                  aria-label={`${done} of ${l.tasks.length} tasks done`}
                >
                  {l.tasks.map((t) => (
                    <span
                      key={t.id}
                      className={tasks[t.id] ? 'lesson-dot lesson-dot-done' : 'lesson-dot'}
                      title={
                        tasks[t.id] ? `${t.text} — done ${when(tasks[t.id].doneAt)} on ${tasks[t.id].schedule}` : t.text
                      }
                    />
                  ))}
                </span>
                <span className="lesson-progress-count">
                  {done}/{l.tasks.length}
                </span>
                {done > 0 && (
                  <button
                    type="button"
                    className="lesson-small-btn"
                    data-testid={`lesson-reset-${l.id}`}
                    onClick={() => void reset(l.id)}
                  >
                    reset
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      </details>
    </>
  );
}
