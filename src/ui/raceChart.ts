// The agent against the searches on one problem: each method's best GFLOPS so far against its own
// tuning time (a self-contained d3 view, no React, no store). Both axes are logarithmic: the agent
// answers in well under a second, the searches run for their budget. A line steps up at every
// improvement and runs on to the method's tuning time so far; a ring marks where it reached its
// best. The default schedule's GFLOPS is a horizontal reference line.
//
// The pure half (raceSeries, raceRows, raceDomains) maps the store's race to chart data and is
// unit-tested; createRaceChart draws it.
import { axisBottom, axisLeft, curveStepAfter, line as d3line, scaleLog, select } from 'd3';
import { createChartFrame } from './chartFrame.ts';
import { formatGflops } from '../core/format.ts';

/** One method of a race as the store keeps it (structurally the worker's trace). */
export interface RaceMethodData {
  method: string;
  /** Improvements of the best schedule, in order. */
  trace: ReadonlyArray<{ gflops: number; elapsedMs: number; schedule: string }>;
  /** Tuning time so far (or in all, once done), ms. */
  elapsedMs: number;
  status: 'waiting' | 'running' | 'done' | 'cancelled' | 'error';
  error?: string;
}

export interface RaceSeries {
  method: string;
  color: string;
  /** Step points (time in ms, GFLOPS): the improvements, then the time so far at the last value. */
  points: Array<{ t: number; gflops: number }>;
  best: { t: number; gflops: number } | null;
  running: boolean;
}

export interface RaceRow {
  method: string;
  color: string;
  best: number | null;
  /** Best over the default schedule's GFLOPS. */
  speedup: number | null;
  timeToBestMs: number | null;
  totalMs: number;
  schedule: string | null;
  status: RaceMethodData['status'];
  error?: string;
}

/** The smallest time drawn (log axis): 1 ms. */
export const MIN_T = 1;

/** A colour per method: the agent in blue, LoopTune's in a paler blue, the expert in near-black, the searches in the page's other hues. */
const METHOD_COLORS: Record<string, string> = {
  agent: '#1f5fbf',
  looptune: '#6f9fd8',
  expert: '#222222',
  greedy1: '#b34700',
  greedy2: '#7b3fb8',
  beam2dfs: '#0b6e80',
  beam4dfs: '#7a5c00',
  beam2bfs: '#c0245b',
  beam4bfs: '#18794e',
  random: '#5b5b5b',
};
export const methodColor = (method: string): string => METHOD_COLORS[method] ?? '#5b5b5b';

export function raceSeries(methods: readonly RaceMethodData[]): RaceSeries[] {
  return methods
    .filter((m) => m.trace.length > 0)
    .map((m) => {
      const points = m.trace.map((p) => ({ t: Math.max(MIN_T, p.elapsedMs), gflops: p.gflops }));
      const last = points[points.length - 1];
      const end = Math.max(MIN_T, m.elapsedMs);
      if (end > last.t) points.push({ t: end, gflops: last.gflops });
      return { method: m.method, color: methodColor(m.method), points, best: last, running: m.status === 'running' };
    });
}

export function raceRows(methods: readonly RaceMethodData[], defaultGflops: number | null): RaceRow[] {
  return methods.map((m) => {
    const best = m.trace.length ? m.trace[m.trace.length - 1] : null;
    return {
      method: m.method,
      color: methodColor(m.method),
      best: best?.gflops ?? null,
      speedup: best && defaultGflops && defaultGflops > 0 ? best.gflops / defaultGflops : null,
      timeToBestMs: best?.elapsedMs ?? null,
      totalMs: m.elapsedMs,
      schedule: best?.schedule ?? null,
      status: m.status,
      ...(m.error ? { error: m.error } : {}),
    };
  });
}

/** x: 1 ms to the longest time (at least 1 s), whole decades; y: decades around every value. */
export function raceDomains(
  series: readonly RaceSeries[],
  defaultGflops: number | null,
): { x: [number, number]; y: [number, number] } {
  const ts = series.flatMap((s) => s.points.map((p) => p.t));
  const gs = series.flatMap((s) => s.points.map((p) => p.gflops)).filter((g) => g > 0);
  if (defaultGflops !== null && defaultGflops > 0) gs.push(defaultGflops);
  const x: [number, number] = [MIN_T, 10 ** Math.ceil(Math.log10(Math.max(1000, ...ts)))];
  if (gs.length === 0) return { x, y: [1, 100] };
  const lo = 10 ** Math.floor(Math.log10(Math.min(...gs) / 1.2));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...gs) * 1.2));
  return { x, y: [lo, Math.max(hi, lo * 10)] };
}

/** 1 ms, 10 ms, 100 ms, 1 s, 10 s, 100 s. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number(ms.toPrecision(3))} ms`;
}

// ------------------------------------------------------------------------- the view

export interface RaceModel {
  series: RaceSeries[];
  defaultGflops: number | null;
}

export interface RaceChart {
  update(model: RaceModel): void;
  destroy(): void;
}

const HEIGHT = 220;
const MARGIN = { top: 10, right: 70, bottom: 30, left: 40 };

export function createRaceChart(svgElement: SVGSVGElement): RaceChart {
  let last: RaceModel | null = null;
  const frame = createChartFrame(
    svgElement,
    {
      className: 'race-chart',
      height: HEIGHT,
      margin: MARGIN,
      titles: { x: 'tuning time (log)', y: 'best GFLOPS (log)' },
      referenceTestId: 'race-default-line',
    },
    () => last && update(last),
  );
  const { plot, xAxis, yAxis, h } = frame;
  const ref = plot.select<SVGGElement>('g.ref').classed('ref-default', true);
  const lines = plot.append('g').attr('class', 'race-lines');

  const update = (model: RaceModel) => {
    last = model;
    const w = frame.layout();
    const d = raceDomains(model.series, model.defaultGflops);
    const x = scaleLog().domain(d.x).range([0, w]).clamp(true);
    const y = scaleLog().domain(d.y).range([h, 0]).clamp(true);
    xAxis.call(
      axisBottom(x)
        .tickValues(decades(d.x))
        .tickFormat((v) => formatMs(+v)),
    );
    yAxis.call(axisLeft(y).ticks(4, '~g'));

    const dflt = model.defaultGflops;
    ref.attr('data-value', dflt ?? '');
    frame.reference(dflt !== null && dflt > 0 ? y(dflt) : null, dflt !== null ? `default ${formatGflops(dflt)}` : '');

    const path = d3line<{ t: number; gflops: number }>()
      .x((p) => x(p.t))
      .y((p) => y(p.gflops))
      .curve(curveStepAfter);
    lines
      .selectAll<SVGGElement, RaceSeries>('g.race-series')
      .data(model.series, (s) => s.method)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'race-series').attr('data-testid', 'race-line');
        g.append('path').attr('class', 'race-path');
        g.append('circle').attr('class', 'race-best').attr('r', 4.5);
        g.append('title');
        return g;
      })
      .attr('data-method', (s) => s.method)
      .attr('data-best', (s) => s.best?.gflops ?? '')
      .attr('data-points', (s) => s.points.length)
      .classed('is-running', (s) => s.running)
      .each(function (s) {
        const g = select(this);
        g.select('path.race-path')
          .attr('d', path(s.points) ?? '')
          .attr('stroke', s.color);
        g.select('circle.race-best')
          .attr('display', s.best ? null : 'none')
          .attr('cx', s.best ? x(s.best.t) : 0)
          .attr('cy', s.best ? y(s.best.gflops) : 0)
          .attr('stroke', s.color);
        g.select('title').text(
          s.best ? `${s.method}: best ${formatGflops(s.best.gflops)} GFLOPS after ${formatMs(s.best.t)}` : s.method,
        );
      });
  };

  return { update, destroy: frame.destroy };
}

/** Powers of ten within a domain. */
export function decades([lo, hi]: [number, number]): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(lo)); 10 ** e <= hi * 1.0001; e++) out.push(10 ** e);
  return out;
}
