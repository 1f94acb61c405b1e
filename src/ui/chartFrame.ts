// The frame the agent lab's charts share (raceChart.ts, rewardChart.ts): an svg drawn at its own
// pixel width (following resizes), a plot area inside margins, both axes with their titles, and a
// horizontal reference line with a label at the right.
import { select, type Selection } from 'd3';
import { followWidth } from './followWidth.ts';

type G = Selection<SVGGElement, unknown, null, undefined>;

export interface FrameOptions {
  className: string;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
  titles: { x: string; y: string };
  /** data-testid of the reference line's group. */
  referenceTestId?: string;
}

export interface ChartFrame {
  plot: G;
  xAxis: G;
  yAxis: G;
  /** Plot height (inside the margins). */
  h: number;
  /** Sizes the svg to the current width; returns the plot width. */
  layout(): number;
  /** Draws (or hides, with null) the reference line at pixel y with a label. */
  reference(y: number | null, label?: string): void;
  destroy(): void;
}

/** Width used before the element has a layout (and in tests without one). */
const FALLBACK_WIDTH = 380;

export function createChartFrame(svgElement: SVGSVGElement, options: FrameOptions, onResize: () => void): ChartFrame {
  const { margin, height } = options;
  const svg = select(svgElement).attr('class', `chart ${options.className}`).attr('role', 'img');
  svg.selectAll('*').remove();
  const plot = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  const h = height - margin.top - margin.bottom;
  const xAxis = plot.append('g').attr('class', 'axis axis-x').attr('transform', `translate(0,${h})`);
  const yAxis = plot.append('g').attr('class', 'axis axis-y');
  plot
    .append('text')
    .attr('class', 'axis-title')
    .attr('transform', `translate(${-(margin.left - 10)},${h / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(options.titles.y);
  const xTitle = plot
    .append('text')
    .attr('class', 'axis-title')
    .attr('y', h + 27)
    .attr('text-anchor', 'end')
    .text(options.titles.x);
  const ref = plot.append('g').attr('class', 'ref');
  if (options.referenceTestId) ref.attr('data-testid', options.referenceTestId);
  ref.append('line').attr('x1', 0);
  ref.append('text').attr('dy', '0.32em');

  let width = svgElement.clientWidth || FALLBACK_WIDTH;
  let w = 0;
  const stopFollowing = followWidth(svgElement, width, (next) => {
    width = next;
    onResize();
  });

  return {
    plot,
    xAxis,
    yAxis,
    h,
    layout() {
      w = Math.max(80, width - margin.left - margin.right);
      svg.attr('viewBox', `0 0 ${width} ${height}`).attr('height', height);
      xTitle.attr('x', w);
      return w;
    },
    reference(y, label = '') {
      ref.attr('display', y === null ? 'none' : null);
      if (y === null) return;
      ref.select('line').attr('x2', w).attr('y1', y).attr('y2', y);
      ref
        .select('text')
        .attr('x', w + 5)
        .attr('y', y)
        .text(label);
    },
    destroy() {
      stopFollowing();
      svg.selectAll('*').remove();
    },
  };
}
