// The loop-nest panel's schedule line: the current schedule in the DSL's notation, and a field to
// type one (click it, or Enter on it): Enter applies the typed schedule through the store (the
// shortest run of actions from the current one, or one "set" step in the history), Escape cancels.
// A typo is marked in place with the parser's message; the page's keys are off while typing.
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { printSchedule } from '../core/schedule.ts';
import { useLooplab, useLooplabStore } from '../store/context.tsx';
import { readScheduleInput, type ScheduleReading } from './scheduleInput.ts';

type Failure = Extract<ScheduleReading, { ok: false }>;

/** The typed text with the part the error is about marked, then the message. */
function ScheduleErrorText({ text, error }: { text: string; error: Failure }) {
  const at = text.slice(error.from, error.to) || ' ';
  return (
    <p className="error schedule-error" role="alert" data-testid="schedule-error" id="schedule-error">
      <code className="schedule-error-text" aria-hidden="true">
        {text.slice(0, error.from)}
        <mark className="schedule-error-at" data-testid="schedule-error-at">
          {at}
        </mark>
        {text.slice(error.to)}
      </code>
      <span className="schedule-error-message">{error.message}</span>
    </p>
  );
}

export function ScheduleLine() {
  const store = useLooplabStore();
  const problem = useLooplab((s) => s.problem);
  const scheduleText = useLooplab((s) => printSchedule(s.current.schedule));
  const position = useLooplab((s) => s.position);
  const logLength = useLooplab((s) => s.log.length);
  const problemsBefore = useLooplab((s) => s.earlier.length);
  const problemsAfter = useLooplab((s) => s.later.length);
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<Failure | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const showRef = useRef<HTMLButtonElement>(null);
  const editing = draft !== null;

  useEffect(() => {
    if (editing) inputRef.current?.select();
  }, [editing]);

  const close = (refocus: boolean) => {
    setDraft(null);
    setError(null);
    // Back on the line (not a text field), so the page's keys work again.
    if (refocus) requestAnimationFrame(() => showRef.current?.focus());
  };

  const apply = (text: string) => {
    const r = readScheduleInput(problem, text);
    if (!r.ok) {
      setError(r);
      return;
    }
    if (printSchedule(r.schedule) === scheduleText) {
      close(true);
      return;
    }
    if (store.getState().setSchedule(r.schedule, 'person')) close(true);
    else {
      const reason = store.getState().refusal?.reason ?? 'the page could not apply this schedule';
      setError({
        ok: false,
        message: `${reason}; type another schedule, or press Esc to keep the current one`,
        from: 0,
        to: text.length,
      });
    }
  };

  const onKeyDown = (e: ReactKeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      apply(e.currentTarget.value);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    }
  };

  return (
    <div className="schedule-line">
      <div className="schedule-line-row">
        <span className="schedule-line-label">schedule</span>
        {editing ? (
          <input
            ref={inputRef}
            className="schedule-input"
            data-testid="schedule-input"
            aria-label="type a schedule, outermost loop first; Enter applies, Escape cancels"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'schedule-error' : 'schedule-input-hint'}
            spellCheck={false}
            autoComplete="off"
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              // Once an error shows, it follows the text (gone as soon as the text reads).
              if (error) {
                const r = readScheduleInput(problem, e.target.value);
                setError(r.ok ? null : r);
              }
            }}
            onKeyDown={onKeyDown}
            onBlur={() => {
              // Leaving the field cancels, unless it shows an error to fix.
              if (!error) close(false);
            }}
          />
        ) : (
          <button
            ref={showRef}
            type="button"
            className="schedule-show"
            data-testid="schedule-edit"
            title="type a schedule (Enter applies, Esc cancels)"
            onClick={() => setDraft(scheduleText)}
          >
            <code data-testid="schedule">{scheduleText}</code>
          </button>
        )}
        <span className="nest-step" data-testid="history-position">
          step {position} of {logLength}
        </span>
        {problemsBefore + problemsAfter > 0 && (
          <span
            className="nest-step"
            data-testid="history-problem"
            title="the history holds several problems: undo at step 0 returns to the problem before, redo at the last step goes on to the next"
          >
            problem {problemsBefore + 1} of {problemsBefore + problemsAfter + 1}
          </span>
        )}
      </div>
      {draft !== null &&
        (error ? (
          <ScheduleErrorText text={draft} error={error} />
        ) : (
          <p className="schedule-input-hint" id="schedule-input-hint">
            loops outermost first, like <code>k m n k:32 m:2 n:16</code> · <kbd>Enter</kbd> applies · <kbd>Esc</kbd>{' '}
            cancels
          </p>
        ))}
    </div>
  );
}
