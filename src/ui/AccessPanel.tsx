// Access-pattern view: which elements of the output and the two inputs the current schedule
// touches, one multiply-add per step, as three grids on canvases (src/ui/accessCanvas.ts), with
// step, play/pause and speed. The cells of the latest step are also listed as text (and in data
// attributes) for screen readers and tests.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { cellText, stepText } from '../core/accessTrace.ts';
import { printSchedule } from '../core/schedule.ts';
import { useLooplab } from '../store/context.tsx';
import {
  AccessModel,
  cellPixels,
  MAX_CELLS,
  paintGrid,
  remPixels,
  type GridState,
  type SamplingMode,
} from './accessCanvas.ts';
import { variableColor } from './colors.ts';
import { Panel } from './Panel.tsx';

export const SPEEDS = [1, 2, 4, 8, 16, 64, 256, 1024, 4096, 16384, 65536];
/** At most this many steps per animation frame (keeps a frame short at the top speed). */
const MAX_STEPS_PER_FRAME = 2048;
/** Text and data attributes refresh at most this often while playing (ms). */
const TEXT_EVERY_MS = 120;

function fadeSteps(speed: number): number {
  return Math.max(3, speed * 0.8);
}

/** Where each tensor sits: the first input left of the output, the second above it (as in C = A·B). */
const GRID_AREAS = ['out', 'in0', 'in1'];

/** Paints the three grids of the model on their canvases. */
function paintAll(model: AccessModel, canvases: (HTMLCanvasElement | null)[], fade: number): void {
  const rem = remPixels();
  model.grids.forEach((g, t) => {
    const canvas = canvases[t];
    if (canvas)
      paintGrid(canvas, g, t, model.position, fade, cellPixels(g, rem), model.current ? model.current.cells[t] : null);
  });
}

function GridFigure({
  model,
  g,
  t,
  version,
  canvasRef,
}: {
  model: AccessModel;
  g: GridState;
  t: number;
  version: number;
  canvasRef: (c: HTMLCanvasElement | null) => void;
}) {
  const current = model.current ? model.current.cells[t] : null;
  const tensor = g.grid.tensor;
  const access = t === 0 ? model.problem.output : model.problem.inputs[t - 1];
  const slice =
    g.grid.sliceDims.length > 0 && current
      ? `${tensor}[${current.slice(0, g.grid.sliceDims.length).join(', ')}, :, :] of ${g.grid.slices} slices`
      : null;
  return (
    <figure
      className={`access-grid access-grid-${GRID_AREAS[t]}`}
      data-testid={`access-grid-${tensor}`}
      data-current={current ? current.join(',') : ''}
      data-recent={g.recent.map((c) => c.join(',')).join(' ')}
      data-version={version}
    >
      <figcaption>
        <strong>
          {tensor}[
          {access.indices
            .map((terms) => terms.map((x) => (x.coef === 1 ? x.variable : `${x.coef}*${x.variable}`)).join('+'))
            .join(',')}
          ]
        </strong>{' '}
        {g.grid.rows}×{g.grid.cols}
        {slice ? <span className="access-slice"> · slice {slice}</span> : null}
        {g.block > 1 ? (
          <span className="access-sampled" data-testid={`access-sampled-${tensor}`}>
            {' '}
            · downsampled: each cell is a {g.block}×{g.block} block of elements ({g.rows}×{g.cols} cells)
          </span>
        ) : null}
        {g.window ? (
          <span className="access-sampled" data-testid={`access-sampled-${tensor}`}>
            {' '}
            · window: only the top-left {g.rows}×{g.cols} elements are drawn; accesses outside it are not
          </span>
        ) : null}
      </figcaption>
      <canvas ref={canvasRef} role="img" aria-label={`${tensor}: cells used so far, the latest outlined`} />
      <p className="access-recent">
        latest: {g.recent.length > 0 ? g.recent.map((c) => cellText(tensor, c)).join(', ') : 'none yet'}
      </p>
    </figure>
  );
}

export function AccessPanel() {
  const problem = useLooplab((s) => s.problem);
  const problemKey = useLooplab((s) => s.problemKey);
  const schedule = useLooplab((s) => s.current.schedule);
  const scheduleText = printSchedule(schedule);
  const [mode, setMode] = useState<SamplingMode>('downsample');
  // A new model (from step 0) for every problem, schedule or way of sampling.
  const model = useMemo(() => new AccessModel(problem, schedule, mode), [problemKey, scheduleText, mode]);
  const large = model.grids.some((g) => g.grid.rows > MAX_CELLS || g.grid.cols > MAX_CELLS);
  const [version, setVersion] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(4);
  const speedRef = useRef(speed);
  speedRef.current = speed;
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  const canvases = useRef<(HTMLCanvasElement | null)[]>([]);

  useEffect(() => paintAll(model, canvases.current, fadeSteps(speed)));
  // Present mode changes the type size on <html> in an effect of its own: repaint on the next frame.
  const present = useLooplab((s) => s.present);
  useEffect(() => {
    const frame = requestAnimationFrame(() => paintAll(model, canvases.current, fadeSteps(speedRef.current)));
    return () => cancelAnimationFrame(frame);
  }, [present, model]);

  useEffect(() => setPlaying(false), [model]);

  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    let last = performance.now();
    let lastText = last;
    let owed = 0;
    const tick = (now: number) => {
      owed = Math.min(owed + ((now - last) / 1000) * speedRef.current, MAX_STEPS_PER_FRAME);
      last = now;
      const n = Math.floor(owed);
      if (n > 0) {
        model.advance(n);
        owed -= n;
        paintAll(model, canvases.current, fadeSteps(speedRef.current));
        if (model.done) {
          setPlaying(false);
          refresh();
          return;
        }
        // The text follows every step when slow, and a few times a second when fast.
        if (now - lastText >= TEXT_EVERY_MS || speedRef.current <= 8) {
          lastText = now;
          refresh();
        }
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing, model, refresh]);

  const stepBy = (n: number) => {
    setPlaying(false);
    model.advance(n);
    refresh();
  };
  const innermost = schedule.loops[schedule.loops.length - 1];
  const innerSteps = Math.max(1, model.total > 0 ? Math.min(innermost.trip, model.total) : 1);
  const step = model.current;

  return (
    <Panel title="Access pattern" testId="access-panel">
      <p className="access-intro">
        One step is one multiply-add <code>{problem.op}</code> of the schedule <code>{scheduleText}</code>, in the order
        the loops run it. Bright cells were just used, faded ones earlier; grey ones not yet.
      </p>
      <div className="access-controls" role="group" aria-label="access animation">
        <button
          type="button"
          data-testid="access-reset"
          onClick={() => {
            model.reset();
            setPlaying(false);
            refresh();
          }}
          title="back to the first step"
        >
          reset
        </button>
        <button
          type="button"
          data-testid="access-step"
          disabled={model.done}
          onClick={() => stepBy(1)}
          title="one multiply-add"
        >
          step
        </button>
        <button
          type="button"
          data-testid="access-step-inner"
          disabled={model.done}
          onClick={() => stepBy(innerSteps)}
          title={`one pass of the innermost loop (${innerSteps} steps)`}
        >
          +{innerSteps} (one pass of {innermost.variable})
        </button>
        <button
          type="button"
          data-testid="access-play"
          disabled={model.done}
          aria-pressed={playing}
          onClick={() => setPlaying((p) => !p)}
        >
          {playing ? 'pause' : '▶ play'}
        </button>
        <label>
          speed{' '}
          <select data-testid="access-speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s} steps/s
              </option>
            ))}
          </select>
        </label>
        {large ? (
          <label title={`tensors over ${MAX_CELLS} a side`}>
            large tensors{' '}
            <select
              data-testid="access-sampling"
              value={mode}
              onChange={(e) => setMode(e.target.value as SamplingMode)}
            >
              <option value="downsample">downsampled</option>
              <option value="window">top-left window</option>
            </select>
          </label>
        ) : null}
      </div>
      <p className="access-status" data-testid="access-status" aria-live="polite">
        {step ? (
          <>
            step {model.position} of {model.total}: <code>{stepText(problem, step)}</code> at{' '}
            {problem.variables.map((v, i) => (
              <span key={v} style={{ color: variableColor(problem, v) }}>
                {i > 0 ? ' ' : ''}
                {v}={step.values[i]}
              </span>
            ))}
            {model.done ? ' (the last one)' : ''}
          </>
        ) : (
          <>
            step 0 of {model.total}: press step or play
            {model.total > 1e6 ? ' (a long walk: raise the speed, or step whole passes of the innermost loop)' : ''}
          </>
        )}
      </p>
      <div className="access-grids">
        {model.grids.map((g, t) => (
          <GridFigure
            key={`${scheduleText}:${t}`}
            model={model}
            g={g}
            t={t}
            version={version}
            canvasRef={(c) => {
              canvases.current[t] = c;
            }}
          />
        ))}
      </div>
    </Panel>
  );
}
