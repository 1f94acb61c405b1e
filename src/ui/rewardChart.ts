// Small line charts of training: the live fine-tuning reward curve (each episode's return as a dot,
// their moving average as a line) and the shipped policy's learning curve from its Node training
// (validation speedup against training time). A self-contained d3 view in the style of
// historyChart.ts; the pure half (movingAverage, rewardModel, curveModel, lineDomains) is
// unit-tested.
import { axisBottom, axisLeft, line as d3line, scaleLinear } from 'd3';
import { createChartFrame } from './chartFrame.ts';

export interface XY {
  x: number;
  y: number;
}

export interface LineModel {
  /** Single observations (e.g. each episode's return). */
  dots: XY[];
  /** Lines, each with its own colour (e.g. the moving average). */
  lines: Array<{ id: string; label: string; color: string; points: XY[] }>;
  /** A horizontal reference (e.g. no change), if any. */
  reference?: { y: number; label: string };
}

/** The mean of the last `window` values at every index (fewer at the start). */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

export const REWARD_WINDOW = 10;

/** Episode returns (1-based episodes on x) and their moving average. */
export function rewardModel(returns: readonly number[], window = REWARD_WINDOW): LineModel {
  const avg = movingAverage(returns, window);
  return {
    dots: returns.map((y, i) => ({ x: i + 1, y })),
    lines: [
      { id: 'average', label: `mean of ${window}`, color: '#1f5fbf', points: avg.map((y, i) => ({ x: i + 1, y })) },
    ],
    reference: { y: 0, label: '0' },
  };
}

/** The learning curve's validation speedups against training time (minutes). */
export function curveModel(
  rows: ReadonlyArray<{ wall_s: number; val_speedup: number; val_final_speedup?: number }>,
): LineModel {
  return {
    dots: [],
    lines: [
      {
        id: 'best',
        label: 'best of rollout',
        color: '#1f5fbf',
        points: rows.map((r) => ({ x: r.wall_s / 60, y: r.val_speedup })),
      },
      ...(rows.some((r) => r.val_final_speedup !== undefined)
        ? [
            {
              id: 'final',
              label: 'final schedule',
              color: '#b34700',
              points: rows.map((r) => ({ x: r.wall_s / 60, y: r.val_final_speedup ?? NaN })),
            },
          ]
        : []),
    ],
    reference: { y: 1, label: '1x' },
  };
}

/** x from the smallest to the largest x (at least 1 wide); y padded around every value and the reference. */
export function lineDomains(model: LineModel): { x: [number, number]; y: [number, number] } {
  const all = [...model.dots, ...model.lines.flatMap((l) => l.points)].filter(
    (p) => Number.isFinite(p.x) && Number.isFinite(p.y),
  );
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  if (model.reference) ys.push(model.reference.y);
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  const y0 = ys.length ? Math.min(...ys) : 0;
  const y1 = ys.length ? Math.max(...ys) : 1;
  const pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.1 || 1;
  return { x: [x0, Math.max(x1, x0 + 1)], y: [y0 - pad, y1 + pad] };
}

// ------------------------------------------------------------------------- the view

export interface LineChart {
  update(model: LineModel): void;
  destroy(): void;
}

const HEIGHT = 170;
const MARGIN = { top: 10, right: 86, bottom: 30, left: 46 };

export function createLineChart(svgElement: SVGSVGElement, titles: { x: string; y: string }): LineChart {
  let last: LineModel | null = null;
  const frame = createChartFrame(
    svgElement,
    { className: 'line-chart', height: HEIGHT, margin: MARGIN, titles },
    () => last && update(last),
  );
  const { plot, xAxis, yAxis, h } = frame;
  plot.select('g.ref').classed('ref-zero', true);
  const dots = plot.append('g').attr('class', 'line-dots');
  const lines = plot.append('g').attr('class', 'line-lines');

  const update = (model: LineModel) => {
    last = model;
    const w = frame.layout();
    const d = lineDomains(model);
    const x = scaleLinear().domain(d.x).range([0, w]);
    const y = scaleLinear().domain(d.y).range([h, 0]).nice();
    xAxis.call(axisBottom(x).ticks(Math.max(2, Math.floor(w / 60)), '~r'));
    yAxis.call(axisLeft(y).ticks(4, '~g'));
    frame.reference(model.reference ? y(model.reference.y) : null, model.reference?.label);
    dots
      .selectAll<SVGCircleElement, XY>('circle')
      .data(model.dots)
      .join('circle')
      .attr('class', 'line-dot')
      .attr('data-testid', 'reward-dot')
      .attr('r', model.dots.length > 200 ? 1.5 : 2.5)
      .attr('cx', (p) => x(p.x))
      .attr('cy', (p) => y(p.y));
    const path = d3line<XY>()
      .defined((p) => Number.isFinite(p.y))
      .x((p) => x(p.x))
      .y((p) => y(p.y));
    const g = lines
      .selectAll<SVGGElement, LineModel['lines'][number]>('g.line-series')
      .data(model.lines, (l) => l.id)
      .join((enter) => {
        const e = enter.append('g').attr('class', 'line-series');
        e.append('path');
        e.append('text').attr('dy', '0.32em');
        return e;
      })
      .attr('data-line', (l) => l.id)
      .attr('data-points', (l) => l.points.length);
    g.select('path')
      .attr('d', (l) => path(l.points) ?? '')
      .attr('stroke', (l) => l.color);
    g.select('text')
      .attr('x', w + 5)
      .attr('y', (l) => {
        const end = [...l.points].reverse().find((p) => Number.isFinite(p.y));
        return end ? y(end.y) : -100;
      })
      .attr('fill', (l) => l.color)
      .text((l) => l.label);
  };

  return { update, destroy: frame.destroy };
}
