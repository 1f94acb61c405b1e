// GFLOPS over the action history: a self-contained d3 view (no React, no store). x is the position
// in the action log (0 = the starting schedule), y the GFLOPS of the schedule at that position, on
// a log scale (a 2x speed-up is the same step anywhere, and kernels at 2 GFLOPS stay readable
// under a 50 GFLOPS peak).
// Measured points are joined by a line; schedules waiting for (or never given) a measurement sit
// on the bottom axis as hollow dashed rings, failed or incorrect ones as red crosses. The machine's
// peak and XNNPACK are horizontal lines. Clicking a point (or Enter on it) calls `onSelect`.
//
// The pure half (historyPoints, historyDomains, pointY) maps store data to chart data and is
// unit-tested; createHistoryChart draws it.
import { axisBottom, axisLeft, line as d3line, scaleLinear, scaleLog, select, type Selection } from 'd3';
import type { MeasureStatus, ScheduleMeasurement } from '../store/types.ts';
import { followWidth } from './followWidth.ts';
import { formatGflops } from '../core/format.ts';

export type PointState = 'measured' | 'pending' | 'failed' | 'unmeasured';

export interface HistoryPoint {
  /** Position in the log (x). */
  position: number;
  state: PointState;
  /** Best GFLOPS when measured and correct, else null. */
  gflops: number | null;
  /** Canonical schedule text at this position. */
  schedule: string;
  /** The action that led here (none for position 0). */
  action: string | null;
  /** Measured with the long run. */
  long: boolean;
  /** Its figure is the quick, provisional one (the refined figure replaces it). */
  quick: boolean;
}

export interface HistoryModel {
  points: HistoryPoint[];
  /** The store's position (highlighted). */
  current: number;
  peak: number | null;
  xnnpack: number | null;
}

/** What a measurement record (or its absence) means for a point. */
export function pointState(m: Pick<ScheduleMeasurement, 'status' | 'gflops' | 'correct'> | undefined): PointState {
  if (!m) return 'unmeasured';
  const status: MeasureStatus = m.status;
  if (status === 'queued' || status === 'measuring') return 'pending';
  if (status === 'error' || m.correct === false) return 'failed';
  return typeof m.gflops === 'number' && Number.isFinite(m.gflops) ? 'measured' : 'failed';
}

/**
 * One point per position of the log. `measurementOf(i)` gives the measurement of the schedule at
 * position i (from the store's lookup), `scheduleOf(i)` its text.
 */
export function historyPoints(args: {
  count: number;
  measurementOf: (position: number) => ScheduleMeasurement | undefined;
  scheduleOf: (position: number) => string;
  actionOf: (position: number) => string | null;
}): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (let i = 0; i < args.count; i++) {
    const m = args.measurementOf(i);
    const state = pointState(m);
    points.push({
      position: i,
      state,
      gflops: state === 'measured' ? (m!.gflops as number) : null,
      schedule: args.scheduleOf(i),
      action: args.actionOf(i),
      long: m?.long === true,
      quick: state === 'measured' && m?.stage !== 'refined',
    });
  }
  return points;
}

/**
 * Domains of the axes: x covers every position (at least 0..1); y (log) spans whole decades
 * around every value drawn (points, peak, XNNPACK), 1..100 when there is none.
 */
export function historyDomains(model: HistoryModel): { x: [number, number]; y: [number, number] } {
  const values = model.points.map((p) => p.gflops).filter((v): v is number => v !== null && v > 0);
  if (model.peak !== null && model.peak > 0) values.push(model.peak);
  if (model.xnnpack !== null && model.xnnpack > 0) values.push(model.xnnpack);
  const x: [number, number] = [0, Math.max(1, model.points.length - 1)];
  if (values.length === 0) return { x, y: [1, 100] };
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values) / 1.2));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.2));
  return { x, y: [lo, Math.max(hi, lo * 10)] };
}

/** The GFLOPS a point is drawn at: its value, or the bottom of the axis when it has none. */
export function pointY(p: HistoryPoint, yDomain: [number, number]): number {
  return p.gflops !== null && p.gflops > 0 ? p.gflops : yDomain[0];
}

export function pointLabel(p: HistoryPoint): string {
  const step = p.position === 0 ? 'start' : `step ${p.position} (${p.action ?? '?'})`;
  const value =
    p.state === 'measured'
      ? `${p.quick ? '≈ ' : ''}${formatGflops(p.gflops!)} GFLOPS${p.quick ? ' (quick)' : p.long ? ' (long run)' : ''}`
      : p.state === 'pending'
        ? 'being measured'
        : p.state === 'failed'
          ? 'failed or incorrect'
          : 'not measured (visit it to measure)';
  return `${step}: ${p.schedule} — ${value}`;
}

// ------------------------------------------------------------------------- the view

export interface HistoryChartOptions {
  onSelect(position: number): void;
  onHover?(position: number | null): void;
}

export interface HistoryChart {
  update(model: HistoryModel): void;
  destroy(): void;
}

const HEIGHT = 200;
const MARGIN = { top: 10, right: 78, bottom: 30, left: 40 };
/** Width used before the element has a layout (and in tests without one). */
const FALLBACK_WIDTH = 380;

/** Draws into `svgElement` at its own pixel width (fonts stay their size), following resizes. */
export function createHistoryChart(svgElement: SVGSVGElement, options: HistoryChartOptions): HistoryChart {
  const svg: Selection<SVGSVGElement, unknown, null, undefined> = select(svgElement)
    .attr('class', 'chart history-chart')
    .attr('role', 'group');
  svg.selectAll('*').remove();
  const plot = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xAxis = plot.append('g').attr('class', 'axis axis-x').attr('transform', `translate(0,${h})`);
  const yAxis = plot.append('g').attr('class', 'axis axis-y');
  plot
    .append('text')
    .attr('class', 'axis-title')
    .attr('transform', `translate(${-30},${h / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text('GFLOPS (log)');
  const xTitle = plot
    .append('text')
    .attr('class', 'axis-title')
    .attr('y', h + 27)
    .attr('text-anchor', 'end')
    .text('step in the action log');
  const refs = plot.append('g').attr('class', 'refs');
  const currentMark = plot.append('line').attr('class', 'current-step').attr('y1', 0).attr('y2', h);
  const path = plot.append('path').attr('class', 'history-line');
  const pointsLayer = plot.append('g').attr('class', 'points');

  let width = svgElement.clientWidth || FALLBACK_WIDTH;
  let last: HistoryModel | null = null;

  const update = (model: HistoryModel) => {
    last = model;
    const w = Math.max(80, width - MARGIN.left - MARGIN.right);
    svg.attr('viewBox', `0 0 ${width} ${HEIGHT}`).attr('height', HEIGHT);
    xTitle.attr('x', w);
    const d = historyDomains(model);
    // Points keep clear of the axes: the first step is not drawn on the y axis.
    const x = scaleLinear()
      .domain(d.x)
      .range([12, w - 8]);
    const y = scaleLog().domain(d.y).range([h, 0]).clamp(true);
    const at = (p: HistoryPoint) => y(pointY(p, d.y));
    const ticks = Math.min(Math.floor(w / 40), Math.max(1, model.points.length - 1));
    xAxis.call(
      axisBottom(x)
        .ticks(ticks)
        .tickFormat((v) => (Number.isInteger(+v) ? String(v) : '')),
    );
    yAxis.call(axisLeft(y).ticks(4, '~g'));

    const lines = [
      model.peak !== null ? { kind: 'peak', value: model.peak, label: `peak ${formatGflops(model.peak)}` } : null,
      model.xnnpack !== null
        ? { kind: 'xnnpack', value: model.xnnpack, label: `XNNPACK ${formatGflops(model.xnnpack)}` }
        : null,
    ].filter((l): l is { kind: string; value: number; label: string } => l !== null);
    const ref = refs
      .selectAll<SVGGElement, (typeof lines)[number]>('g.ref')
      .data(lines, (l) => l.kind)
      .join((enter) => {
        const g = enter.append('g');
        g.append('line').attr('x1', 0);
        g.append('text').attr('dy', '0.32em');
        return g;
      })
      .attr('class', (l) => `ref ref-${l.kind}`)
      .attr('data-testid', (l) => `history-${l.kind}-line`)
      .attr('data-value', (l) => l.value);
    ref
      .select('line')
      .attr('x2', w)
      .attr('y1', (l) => y(l.value))
      .attr('y2', (l) => y(l.value));
    ref
      .select('text')
      .attr('x', w + 5)
      .attr('y', (l) => y(l.value))
      .text((l) => l.label);

    currentMark.attr('x1', x(model.current)).attr('x2', x(model.current));

    const measured = model.points.filter((p) => p.state === 'measured');
    path.attr(
      'd',
      d3line<HistoryPoint>()
        .x((p) => x(p.position))
        .y(at)(measured) ?? '',
    );

    const r = model.points.length > 60 ? 3 : 5;
    pointsLayer
      .selectAll<SVGGElement, HistoryPoint>('g.history-point')
      .data(model.points, (p) => String(p.position))
      .join((enter) => {
        const g = enter
          .append('g')
          .attr('class', 'history-point')
          .attr('data-testid', 'history-point')
          .attr('tabindex', 0)
          .attr('role', 'button');
        g.append('circle').attr('class', 'hit').attr('r', 11);
        g.append('circle').attr('class', 'mark');
        g.append('path').attr('class', 'cross').attr('d', 'M-4,-4L4,4M-4,4L4,-4');
        g.append('title');
        g.on('click', (_e, p) => options.onSelect(p.position))
          .on('keydown', (e: KeyboardEvent, p) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              e.stopPropagation();
              options.onSelect(p.position);
            }
          })
          .on('mouseenter focus', (_e, p) => options.onHover?.(p.position))
          .on('mouseleave blur', () => options.onHover?.(null));
        return g;
      })
      .attr('transform', (p) => `translate(${x(p.position)},${at(p)})`)
      .attr('data-position', (p) => p.position)
      .attr('data-state', (p) => p.state)
      .attr('data-value', (p) => p.gflops ?? '')
      .attr('data-current', (p) => String(p.position === model.current))
      .attr('aria-label', (p) => `${pointLabel(p)}; jump here`)
      .classed('is-current', (p) => p.position === model.current)
      .classed('is-long', (p) => p.long)
      .classed('is-quick', (p) => p.quick)
      .each(function (p) {
        const g = select(this);
        g.select('circle.mark').attr('r', p.position === model.current ? r + 2 : r);
        g.select('path.cross').attr('display', p.state === 'failed' ? null : 'none');
        g.select('title').text(pointLabel(p));
      });
  };

  const stopFollowing = followWidth(svgElement, width, (next) => {
    width = next;
    if (last) update(last);
  });

  return {
    update,
    destroy() {
      stopFollowing();
      svg.selectAll('*').remove();
    },
  };
}
