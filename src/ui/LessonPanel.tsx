// A lesson beside the playground: its text, where it starts, its tasks checked live against the
// real state (done ones stay done, kept in IndexedDB), hints on request, and for the agent lesson
// a widget to predict the rollout's next action. Without an open lesson: the list of lessons.
import { useState, type ReactNode } from 'react';
import { AGENT_ACTIONS } from '../core/actions.ts';
import { useLooplab } from '../store/context.tsx';
import { LESSONS, openLesson, type Lesson, type TaskCheck } from '../store/lessons.ts';
import { LessonProgress } from './LessonProgress.tsx';
import { Panel } from './Panel.tsx';
import { TeacherLinkBuilder } from './TeacherLinkBuilder.tsx';
import { actionKeys } from './stepKeys.ts';
import { useLessonChecks } from './useLessonChecks.ts';
import { scheduleFigure } from '../store/sessionFigures.ts';
import { formatGflops } from '../core/format.ts';

/** Lesson text with `code` in backquotes. */
export function LessonText({ text }: { text: string }) {
  const parts: ReactNode[] = text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
  return <>{parts}</>;
}

const STATE_MARK: Record<TaskCheck['state'], string> = { done: '✓', todo: '○', waiting: '…', unavailable: '–' };

function TaskRow({ lesson, index, check }: { lesson: Lesson; index: number; check: TaskCheck }) {
  const task = lesson.tasks[index];
  const recorded = useLooplab((s) => s.lessonProgress[lesson.id]?.tasks[task.id] ?? null);
  // The done schedule's figure in this session (one source with the panel and the handout).
  const recordedGflops = useLooplab((s) => (recorded ? scheduleFigure(s, recorded.schedule).gflops : null));
  const [hints, setHints] = useState(0);
  const done = recorded !== null;
  return (
    <li
      className={`lesson-task lesson-task-${done ? 'done' : check.state}`}
      data-testid={`lesson-task-${task.id}`}
      data-done={done ? 'true' : 'false'}
      data-live={check.state}
      data-speed={task.speed ? 'true' : undefined}
    >
      <div className="lesson-task-head">
        <span className="lesson-task-mark" aria-hidden="true">
          {done ? '✓' : STATE_MARK[check.state]}
        </span>
        <span className="lesson-task-text">
          <LessonText text={task.text} />
          {done && <span className="visually-hidden"> (done)</span>}
        </span>
      </div>
      <p className="lesson-task-detail">
        <span data-testid={`lesson-task-detail-${task.id}`}>
          {check.detail}
          {done && check.state !== 'done' && (
            <span className="lesson-task-was">
              {' '}
              · done on <code>{recorded.schedule}</code>
              {recordedGflops !== null ? ` (${formatGflops(recordedGflops)} GFLOPS)` : ''}
            </span>
          )}
        </span>
        {/* On the detail's line, not a line of its own: every task stays on a projector's first screen. */}
        {hints < task.hints.length && (
          <button
            type="button"
            className="lesson-small-btn"
            data-testid={`lesson-hint-${task.id}`}
            onClick={() => setHints(hints + 1)}
          >
            {hints === 0 ? 'hint' : 'another hint'}
          </button>
        )}
      </p>
      {hints > 0 && (
        <ol className="lesson-hints" data-testid={`lesson-hints-${task.id}`}>
          {task.hints.slice(0, hints).map((h) => (
            <li key={h}>
              <LessonText text={h} />
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}

/** The agent lesson: run a rollout, then predict each next action before it is shown. */
function PredictWidget() {
  const run = useLooplab((s) => s.agentRun);
  const index = useLooplab((s) => s.player.index);
  const predictions = useLooplab((s) => s.predictions);
  const driveAgent = useLooplab((s) => s.driveAgent);
  const predictNext = useLooplab((s) => s.predictNext);
  const playerStep = useLooplab((s) => s.playerStep);
  const ready = run?.status === 'done' && run.steps.length > 0;
  const atEnd = ready && index >= run.steps.length;
  const right = predictions.filter((p) => p.predicted === p.actual).length;
  const last = predictions[predictions.length - 1];
  return (
    <div className="lesson-predict" data-testid="lesson-predict">
      <div className="lesson-predict-row">
        <button
          type="button"
          className="lesson-small-btn"
          data-testid="lesson-run-agent"
          onClick={() => driveAgent('looptune')}
          disabled={run?.status === 'running'}
        >
          {run?.status === 'running'
            ? `the agent is tuning… (${run.steps.length} steps)`
            : ready
              ? 'run the agent again'
              : 'run the agent'}
        </button>
        {ready && (
          <span className="lesson-predict-step" data-testid="lesson-predict-step">
            step {index} of {run.steps.length}
          </span>
        )}
      </div>
      {ready && !atEnd && (
        <div className="lesson-predict-choices" role="group" aria-label="what will the agent do next?">
          <span className="lesson-predict-q">what will it do next?</span>
          {AGENT_ACTIONS.map((a) => (
            <button
              key={a}
              type="button"
              className="lesson-choice"
              data-testid={`lesson-predict-${a}`}
              onClick={() => predictNext(a)}
            >
              {a}
            </button>
          ))}
          <button
            type="button"
            className="lesson-small-btn"
            onClick={() => playerStep(1)}
            title="show the next step without predicting"
          >
            skip
          </button>
        </div>
      )}
      {atEnd && (
        <p className="lesson-predict-end">
          the rollout is over; step back with the agent panel's player, or run it again.
        </p>
      )}
      <p
        className="lesson-predict-score"
        data-testid="lesson-predict-score"
        data-right={right}
        data-made={predictions.length}
      >
        {predictions.length === 0
          ? 'no predictions yet'
          : `${right} of ${predictions.length} right; last: you said ${last.predicted}, the agent chose ${last.actual} ${last.predicted === last.actual ? '✓' : '✗'}`}
      </p>
    </div>
  );
}

/** The walk-through by keyboard: each step in words, the keys that do it, and the schedule it leads to. */
function LessonSteps({ lesson }: { lesson: Lesson }) {
  return (
    <details className="lesson-steps" data-testid="lesson-steps">
      <summary>step by step, by keyboard</summary>
      <ol>
        {lesson.steps.map((step) => (
          <li key={step.schedule} data-testid="lesson-step" data-ticks={step.ticks.join(' ')}>
            <LessonText text={step.text} />{' '}
            <span className="lesson-step-keys" data-testid="lesson-step-keys">
              {step.actions.flatMap(actionKeys).map((k, i) => (
                <kbd key={i}>{k}</kbd>
              ))}
            </span>{' '}
            → <code data-testid="lesson-step-schedule">{step.schedule}</code>
          </li>
        ))}
      </ol>
    </details>
  );
}

function OpenLesson({ lesson }: { lesson: Lesson }) {
  const checks = useLessonChecks(lesson);
  const openLesson = useLooplab((s) => s.openLesson);
  const closeLesson = useLooplab((s) => s.closeLesson);
  const setHandoutOpen = useLooplab((s) => s.setHandoutOpen);
  const fixedLesson = useLooplab((s) => s.teacher.fixed.includes('lesson'));
  const progress = useLooplab((s) => s.lessonProgress[lesson.id]);
  const doneCount = lesson.tasks.filter((t) => progress?.tasks[t.id]).length;
  return (
    <div className="lesson" data-testid="lesson" data-lesson={lesson.id}>
      <div className="lesson-head">
        <h3 className="lesson-title" data-testid="lesson-title">
          {lesson.title}
        </h3>
        <span className="lesson-count" data-testid="lesson-count">
          {doneCount} of {lesson.tasks.length} done
        </span>
      </div>
      {/* The tasks come first so that they are on the first screen at every size, present mode too. */}
      <h4 className="lesson-tasks-title">tasks</h4>
      <ol className="lesson-tasks">
        {lesson.tasks.map((t, i) => (
          <TaskRow key={t.id} lesson={lesson} index={i} check={checks[i]} />
        ))}
      </ol>
      {lesson.id === 'agent' && <PredictWidget />}
      {lesson.steps.length > 0 && <LessonSteps lesson={lesson} />}
      <h4 className="lesson-tasks-title">why</h4>
      <p className="lesson-start">
        starts from <code>{lesson.startSchedule}</code> on <code>{lesson.problemText.replace('\n', ', ')}</code>
      </p>
      <div className="lesson-text" data-testid="lesson-text">
        {lesson.text.map((p) => (
          <p key={p}>
            <LessonText text={p} />
          </p>
        ))}
      </div>
      <div className="lesson-actions">
        <button
          type="button"
          className="lesson-small-btn"
          data-testid="lesson-restart"
          onClick={() => openLesson(lesson.id)}
          title="back to the lesson's start (the history is cleared)"
        >
          restart
        </button>
        <button
          type="button"
          className="lesson-small-btn"
          data-testid="lesson-handout"
          onClick={() => setHandoutOpen(true)}
        >
          handout
        </button>
        {!fixedLesson && (
          <button type="button" className="lesson-small-btn" data-testid="lesson-close" onClick={() => closeLesson()}>
            all lessons
          </button>
        )}
      </div>
      {!fixedLesson && <TeacherLinkBuilder lessonId={lesson.id} />}
    </div>
  );
}

function LessonList() {
  const openLesson = useLooplab((s) => s.openLesson);
  return (
    <div className="lesson-list" data-testid="lesson-list">
      <p className="lesson-intro">
        Each lesson sets up a problem and a schedule and gives you tasks that are checked as you work.
      </p>
      <ol>
        {LESSONS.map((l) => (
          <li key={l.id}>
            <button
              type="button"
              className="lesson-open"
              data-testid={`lesson-open-${l.id}`}
              onClick={() => openLesson(l.id)}
            >
              {l.title}
            </button>
            <span className="lesson-summary">
              {' '}
              <LessonText text={l.summary} />
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function LessonPanel() {
  const lesson = useLooplab(openLesson);
  return (
    <Panel title="Lesson" testId="lesson-panel">
      {lesson ? <OpenLesson lesson={lesson} /> : <LessonList />}
      <LessonProgress />
    </Panel>
  );
}
