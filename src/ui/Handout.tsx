// A printable handout of the open lesson: its text, the schedules of this session with the GFLOPS
// they reached, the engine's explanation of the change from the start to the current schedule, and
// the tasks as a worksheet (a question to predict on paper before measuring, beside what the
// session measured). Beside each figure, the schedule's simulated misses per tensor and level on
// the memory view's machine: the same on every student's sheet for the same schedule. On screen it replaces the playground; the print stylesheet prints only it, on
// A4 or Letter.
import { useEffect, useMemo } from 'react';
import { missesSummary } from '../core/cache/missesChange.ts';
import { machineById } from '../core/cache/machines.ts';
import { explainChange } from '../core/explain.ts';
import { cacheOfMachine } from '../core/facts.ts';
import { printSchedule } from '../core/schedule.ts';
import { useLooplab } from '../store/context.tsx';
import { measurementOf } from '../store/measurement.ts';
import { memoryEntryOf } from '../store/memorySlice.ts';
import type { MemoryEntry } from '../store/types.ts';
import { BLANK, lessonStart, openLesson, worksheetQuestion } from '../store/lessons.ts';
import { type HandoutSimulations, handoutFigures, handoutSimulations } from '../store/handout.ts';
import { onThreads } from '../store/sessionFigures.ts';
import { formatCount, formatGflops } from '../core/format.ts';
import { LessonText } from './LessonPanel.tsx';
import { useLessonChecks } from './useLessonChecks.ts';

/** Lines of the blank worksheet's table of schedules, to write in. */
const BLANK_ROWS = [0, 1, 2, 3, 4];

/** A worksheet question with its blanks drawn as lines to write on. */
function QuestionText({ text }: { text: string }) {
  return (
    <>
      {text.split(BLANK).map((part, i) => (
        <span key={i}>
          {i > 0 && <span className="handout-blank" />}
          <LessonText text={part} />
        </span>
      ))}
    </>
  );
}

/** A schedule's simulated misses, one line per level, or what became of its simulation. */
function SimulatedMisses({ entry }: { entry: MemoryEntry | undefined }) {
  if (!entry || entry.status === 'running') return <span className="handout-muted">simulating…</span>;
  if (entry.status === 'error' || !entry.figures) return <span className="handout-muted">not simulated</span>;
  return (
    <span data-testid="handout-misses" data-machine={entry.figures.machine.id}>
      {missesSummary(entry.figures).map((line, i) => (
        <span key={line}>
          {i > 0 && <br />}
          {line}
        </span>
      ))}
    </span>
  );
}

export function Handout() {
  const lesson = useLooplab(openLesson);
  const problem = useLooplab((s) => s.problem);
  const problemKey = useLooplab((s) => s.problemKey);
  const states = useLooplab((s) => s.states);
  const log = useLooplab((s) => s.log);
  const current = useLooplab((s) => s.current);
  const measurements = useLooplab((s) => s.measurements);
  const lessonProgress = useLooplab((s) => s.lessonProgress);
  const threadsChosen = useLooplab((s) => s.threadsChosen);
  const threadSupport = useLooplab((s) => s.threadSupport);
  const setHandoutOpen = useLooplab((s) => s.setHandoutOpen);
  const filled = useLooplab((s) => s.handoutFilled);
  const setHandoutFilled = useLooplab((s) => s.setHandoutFilled);
  const checks = useLessonChecks(lesson);
  const memory = useLooplab((s) => s.memory);
  const memoryMachine = useLooplab((s) => s.memoryMachine);
  const machine = machineById(memoryMachine);
  const simulated = (text: string) => memoryEntryOf({ memory, problemKey, memoryMachine }, text);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setHandoutOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setHandoutOpen]);

  const figures = useMemo(
    () =>
      lesson
        ? handoutFigures(
            {
              problemKey,
              measurements,
              states,
              log,
              lessonProgress,
              threadsChosen,
              threadSupport,
              handoutFilled: filled,
            },
            lesson,
          )
        : null,
    [lesson, problemKey, measurements, states, log, lessonProgress, threadsChosen, threadSupport, filled],
  );

  const simulations = lesson ? handoutSimulations({ problemKey, memory, handoutFilled: filled }, lesson) : null;

  if (!lesson || !figures) return null;
  const { rows, best } = figures;
  const start = lessonStart(lesson);
  const currentText = printSchedule(current.schedule);
  const measured = (text: string) => measurementOf({ problemKey, measurements, threadsChosen, threadSupport }, text);
  let explanation: string[] = [];
  if (filled && currentText !== start.scheduleText) {
    try {
      const before = measured(start.scheduleText);
      const after = measured(currentText);
      explanation = explainChange(
        problem,
        start.schedule,
        current.schedule,
        before?.report,
        after?.report,
        before?.gflops,
        after?.gflops,
        machine ? cacheOfMachine(machine) : undefined,
      ).sentences;
    } catch {
      explanation = [];
    }
  }

  return (
    <article
      className="handout"
      data-testid="handout"
      data-filled={filled ? 'true' : 'false'}
      aria-label={`handout: ${lesson.title}`}
    >
      <div className="handout-bar no-print">
        <div className="handout-mode" role="group" aria-label="which handout">
          <button
            type="button"
            className="lesson-small-btn"
            data-testid="handout-mode-blank"
            aria-pressed={!filled}
            onClick={() => setHandoutFilled(false)}
            title="nothing ticked or measured on it: to hand out before the lesson"
          >
            blank, to hand out
          </button>
          <button
            type="button"
            className="lesson-small-btn"
            data-testid="handout-mode-filled"
            aria-pressed={filled}
            onClick={() => setHandoutFilled(true)}
            title="the tasks done and the figures of this session: to hand in"
          >
            filled in, to hand in
          </button>
        </div>
        <button type="button" className="lesson-small-btn" data-testid="handout-print" onClick={() => window.print()}>
          print
        </button>
        <button
          type="button"
          className="lesson-small-btn"
          data-testid="handout-close"
          onClick={() => setHandoutOpen(false)}
        >
          back to the playground <kbd>Esc</kbd>
        </button>
      </div>
      <header>
        <p className="handout-kicker">looplab lesson</p>
        <h1 data-testid="handout-title">{lesson.title}</h1>
        <pre className="code handout-problem">
          {problem.op +
            '\n' +
            Object.entries(problem.sizes)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}
        </pre>
      </header>
      <section data-testid="handout-text">
        {lesson.text.map((p) => (
          <p key={p}>
            <LessonText text={p} />
          </p>
        ))}
      </section>
      <section>
        <h2>Schedules and GFLOPS</h2>
        <table className="handout-table" data-testid="handout-schedules">
          <thead>
            <tr>
              <th>schedule</th>
              <th>GFLOPS</th>
              <th>threads</th>
              <th>correct</th>
              <th>simulated misses, per cache level</th>
            </tr>
          </thead>
          <tbody>
            {!filled &&
              BLANK_ROWS.map((i) => (
                <tr key={i} data-testid="handout-blank-row">
                  {['schedule', 'gflops', 'threads', 'correct', 'misses'].map((column) => (
                    <td key={column}>
                      <span className={`handout-blank${column === 'schedule' ? ' handout-blank-wide' : ''}`} />
                    </td>
                  ))}
                </tr>
              ))}
            {rows.map((r) => (
              <tr
                key={r.schedule}
                data-testid="handout-row"
                data-schedule={r.schedule}
                data-gflops={r.gflops ?? ''}
                data-threads={r.gflops !== null ? r.threads : ''}
              >
                <td>
                  <code>{r.schedule}</code>
                  {r.schedule === start.scheduleText && <em> (start)</em>}
                  {r.schedule === currentText && <em> (current)</em>}
                </td>
                <td className="num">{r.gflops !== null ? formatGflops(r.gflops) : 'not measured'}</td>
                <td className="num">{r.gflops !== null ? r.threads : ''}</td>
                <td>{r.correct === null ? '' : r.correct ? 'yes' : 'no'}</td>
                <td className="handout-misses">
                  <SimulatedMisses entry={simulated(r.schedule)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="handout-machine" data-testid="handout-machine" title={machine?.source}>
          Simulated misses: the kernel's own loads and stores through the caches of {machine?.name ?? memoryMachine}{' '}
          (LRU, write-back), the same on every computer.
        </p>
        {best?.gflops != null && (
          <p data-testid="handout-best" data-threads={best.threads}>
            best: <strong>{formatGflops(best.gflops)} GFLOPS</strong> {onThreads(best.threads)}
          </p>
        )}
        {explanation.length > 0 && (
          <p className="handout-explain" data-testid="handout-explain">
            From the start to the current schedule: {explanation.join(' ')}
          </p>
        )}
      </section>
      {simulations && <SimulatedCaches simulations={simulations} start={start.scheduleText} />}
      <section>
        <h2>Worksheet: predict, then measure</h2>
        <p className="handout-instructions">
          Before each task, write your prediction; then do it in the playground and compare with what it measured.
          <span className="handout-name">
            name <span className="handout-blank" />
          </span>
        </p>
        <table className="handout-table handout-worksheet" data-testid="handout-worksheet">
          <thead>
            <tr>
              <th>task</th>
              <th>predict before measuring</th>
              <th>{filled ? 'measured in this session' : 'measured'}</th>
            </tr>
          </thead>
          <tbody>
            {lesson.tasks.map((t, i) => {
              const r = figures.tasks[i];
              const question = worksheetQuestion(lesson, t.id);
              return (
                <tr key={t.id} data-testid={`handout-task-${t.id}`} data-done={r.done ? 'true' : 'false'}>
                  <td>
                    <span aria-hidden="true">{r.done ? '☑' : '☐'} </span>
                    <LessonText text={t.text} />
                  </td>
                  <td data-testid="handout-question">{question && <QuestionText text={question} />}</td>
                  <td data-testid="handout-measured">
                    {r.done ? (
                      <>
                        done on <code>{r.schedule}</code>
                        {r.gflops !== null
                          ? `, ${formatGflops(r.gflops)} GFLOPS ${onThreads(r.threads)}`
                          : ' (not measured in this session)'}
                        {r.schedule && simulated(r.schedule)?.figures && (
                          <>
                            <br />
                            <small>
                              <SimulatedMisses entry={simulated(r.schedule)} />
                            </small>
                          </>
                        )}
                      </>
                    ) : (
                      <>
                        {filled && (
                          <>
                            <small>{checks[i]?.detail}</small>
                            <br />
                          </>
                        )}
                        measured <span className="handout-blank" />
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </article>
  );
}

/**
 * The simulated misses of the lesson's schedules on its machine: the same numbers on every
 * student's sheet for the same schedule (the lesson's tasks are graded on them).
 */
function SimulatedCaches({ simulations, start }: { simulations: HandoutSimulations; start: string }) {
  const done = simulations.rows.find((r) => r.status === 'done');
  const levels = done?.levels ?? [];
  const tensors = levels[0]?.tensors.map((t) => t.tensor) ?? [];
  return (
    <section data-testid="handout-simulated" data-machine={simulations.machine}>
      <h2>Simulated cache misses ({simulations.machine})</h2>
      <p className="handout-instructions">
        Counted by looplab's cache simulator on the accesses of the generated kernel: the same on every computer.
      </p>
      <table className="handout-table">
        <thead>
          <tr>
            <th>schedule</th>
            {levels.map((l, i) =>
              i === 0 ? (
                [
                  ...tensors.map((t) => <th key={`${l.name}-${t}`}>{`${l.name} misses of ${t}`}</th>),
                  <th key={`${l.name}-conflict`}>{`${l.name} conflict misses`}</th>,
                ]
              ) : (
                <th key={l.name}>{`${l.name} misses`}</th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {simulations.rows.map((r) => (
            <tr key={r.schedule} data-testid="handout-simulated-row" data-schedule={r.schedule} data-status={r.status}>
              <td>
                <code>{r.schedule}</code>
                {r.schedule === start && <em> (start)</em>}
              </td>
              {r.status === 'done' ? (
                r.levels.map((l, i) =>
                  i === 0 ? (
                    [
                      ...l.tensors.map((t) => (
                        <td
                          key={`${l.name}-${t.tensor}`}
                          className="num"
                          data-testid={`handout-simulated-${l.name}-${t.tensor}`}
                        >
                          {formatCount(t.misses)}
                        </td>
                      )),
                      <td key={`${l.name}-conflict`} className="num">
                        {formatCount(l.conflict)}
                      </td>,
                    ]
                  ) : (
                    <td key={l.name} className="num">
                      {formatCount(l.misses)}
                    </td>
                  ),
                )
              ) : (
                <td colSpan={Math.max(1, tensors.length + levels.length)}>
                  {r.status === 'error' ? `not simulated: ${r.error}` : 'simulating…'}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
