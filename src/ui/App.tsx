import { useMemo } from 'react';
import { PRESETS, parseProblemText } from '../core/problem.ts';
import { defaultSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { errorMessage } from './errors.ts';
import { LoopNestView } from './LoopNestView.tsx';
import { Panel } from './Panel.tsx';
import { PerformancePanel } from './PerformancePanel.tsx';
import { ProblemPanel } from './ProblemPanel.tsx';
import { useMeasurement } from './useMeasurement.ts';

/** The problem the first page shows: matmul 256^3. */
const FIRST_PRESET = 'matmul-256';

type Loaded =
  | { ok: true; name: string; text: string; problem: Problem; schedule: Schedule; scheduleText: string }
  | { ok: false; message: string };

function loadPreset(): Loaded {
  try {
    const preset = PRESETS.find((p) => p.id === FIRST_PRESET) ?? PRESETS[0];
    if (!preset) return { ok: false, message: 'no preset problems are defined' };
    const problem = parseProblemText(preset.text);
    const schedule = defaultSchedule(problem);
    return { ok: true, name: preset.title, text: preset.text, problem, schedule, scheduleText: printSchedule(schedule) };
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
}

export function App() {
  const loaded = useMemo(loadPreset, []);
  const { kernel, peak } = useMeasurement(
    loaded.ok ? loaded.text : null,
    loaded.ok ? loaded.scheduleText : null,
  );

  return (
    <div className="app">
      <header className="app-header">
        <h1>looplab</h1>
        <p className="tagline">loop-nest optimization in the browser: generated WebAssembly SIMD kernels, timed on your CPU</p>
      </header>
      {loaded.ok ? (
        <main className="panels">
          <ProblemPanel name={loaded.name} problem={loaded.problem} />
          <Panel title="Loop nest" testId="loop-nest-panel">
            <p className="schedule-line">
              schedule <code data-testid="schedule">{loaded.scheduleText}</code>
            </p>
            <LoopNestView problem={loaded.problem} schedule={loaded.schedule} />
          </Panel>
          <PerformancePanel kernel={kernel} peak={peak} />
        </main>
      ) : (
        <main className="panels">
          <Panel title="Problem">
            <p className="error" role="alert" data-testid="problem-error">
              {loaded.message}
            </p>
          </Panel>
        </main>
      )}
    </div>
  );
}
