// A roofline (log-log), as a self-contained d3 view: x is arithmetic intensity (flops per byte),
// y GFLOPS. The compute roof is the measured SIMD peak (horizontal); the memory roof is the
// measured bandwidth times the intensity (slanted, drawn only when the bandwidth is known); they
// meet at the ridge. The current kernel is a point at its intensity: flops / the minimal bytes of
// its three tensors (each read or written once), so it can't sit above the roof a perfect kernel
// would reach. XNNPACK, when measured, is a second point at the same intensity. With simulated
// caches (a cache-aware roofline), each level is a square at the intensity of the traffic the
// simulation moved between it and the next level, under that boundary's own slanted roof (a stated
// per-machine bandwidth between caches; the measured one from memory), so the point that sits
// closest under its roof shows which traffic limits the kernel.
//
// The pure half (arithmeticIntensity, memoryRoof, rooflineDomains, rooflineCaption, the label
// boxes of rooflineLabels) is unit-tested; createRooflineChart draws it.
import { axisBottom, axisLeft, scaleLog, select, type Selection } from 'd3';
import { problemBytes } from '../core/problem.ts';
import type { Problem } from '../core/types.ts';
import { followWidth } from './followWidth.ts';
import { formatBytes, formatGflops } from '../core/format.ts';
import { type LevelIntensity, levelRoof, limitingLevel } from '../core/cache/levelRoofs.ts';

/** Flops per byte of the minimal traffic: every tensor moved once (f32). */
export function arithmeticIntensity(problem: Pick<Problem, 'flops' | 'output' | 'inputs'>): number {
  return problem.flops / problemBytes(problem as Problem);
}

/** GFLOPS the memory allows at an intensity, for a bandwidth in bytes/s. */
export function memoryRoof(bytesPerSecond: number, intensity: number): number {
  return (bytesPerSecond * intensity) / 1e9;
}

/** Intensity where the memory roof meets the compute roof (flops per byte). */
export function ridgeIntensity(peakGflops: number, bytesPerSecond: number): number {
  return (peakGflops * 1e9) / bytesPerSecond;
}

/** The best a kernel at this intensity could do. */
export function attainable(peakGflops: number, bytesPerSecond: number | null, intensity: number): number {
  return bytesPerSecond === null ? peakGflops : Math.min(peakGflops, memoryRoof(bytesPerSecond, intensity));
}

export interface RooflineModel {
  intensity: number;
  /** The current kernel's best GFLOPS (null while unmeasured or incorrect). */
  gflops: number | null;
  peak: number | null;
  /** Bytes per second, or null when not measured. */
  bandwidth: number | null;
  xnnpack: number | null;
  /** The simulated traffic per cache level (absent or empty: not simulated). */
  levels?: LevelIntensity[];
  /** The simulated machine's name, for the caption. */
  machineName?: string;
}

/** A figure that can be drawn on log axes: finite and above 0, else null. */
function drawable(v: number | null): number | null {
  return v !== null && Number.isFinite(v) && v > 0 ? v : null;
}

/**
 * The model with every figure that can't be drawn on log axes taken out (a timer too coarse to
 * time a run gives Infinity; nothing measured gives null), so that no coordinate is NaN.
 */
export function drawableModel(model: RooflineModel): RooflineModel {
  return {
    intensity: model.intensity,
    gflops: drawable(model.gflops),
    peak: drawable(model.peak),
    bandwidth: drawable(model.bandwidth),
    xnnpack: drawable(model.xnnpack),
    levels: (model.levels ?? [])
      .filter((l) => Number.isFinite(l.intensity) && l.intensity > 0)
      .map((l) => ({ ...l, bandwidth: drawable(l.bandwidth) })),
    machineName: model.machineName,
  };
}

function decadeBelow(v: number): number {
  return 10 ** Math.floor(Math.log10(v));
}

function decadeAbove(v: number): number {
  return 10 ** Math.ceil(Math.log10(v));
}

/**
 * Whole decades around everything drawn: x spans the kernel's intensity and the ridge with room
 * on both sides; y spans the point(s) and the peak.
 */
export function rooflineDomains(given: RooflineModel): { x: [number, number]; y: [number, number] } {
  const model = drawableModel(given);
  const xs = [model.intensity];
  if (model.peak !== null && model.bandwidth !== null) xs.push(ridgeIntensity(model.peak, model.bandwidth));
  for (const l of model.levels ?? []) {
    xs.push(l.intensity);
    if (model.peak !== null && l.bandwidth !== null) xs.push(ridgeIntensity(model.peak, l.bandwidth));
  }
  const ys = [model.gflops, model.peak, model.xnnpack].filter((v): v is number => v !== null && v > 0);
  const xLo = decadeBelow(Math.min(...xs) / 3);
  const xHi = decadeAbove(Math.max(...xs) * 3);
  const yHi = ys.length > 0 ? decadeAbove(Math.max(...ys) * 1.5) : 100;
  const yLo = ys.length > 0 ? Math.min(decadeBelow(Math.min(...ys) / 2), yHi / 100) : 0.1;
  return { x: [xLo, xHi], y: [yLo, yHi] };
}

function short(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(2);
}

/** What the chart shows, in words (shown under it). */
export function rooflineCaption(model: RooflineModel): string {
  const parts = [
    'Log–log roofline.',
    model.peak !== null
      ? `Horizontal line: the measured SIMD multiply-add peak (${formatGflops(model.peak)} GFLOPS).`
      : 'The peak is not measured yet (no compute roof).',
    model.bandwidth !== null
      ? `Slanted line: memory bandwidth of a generated streaming kernel (${short(model.bandwidth / 1e9)} GB/s) × intensity.`
      : 'No memory line: the bandwidth is not measured.',
    `Dot: this kernel at its arithmetic intensity, flops ÷ minimal bytes of its three tensors (${short(model.intensity)} flop/byte)` +
      (model.gflops !== null ? `, ${formatGflops(model.gflops)} GFLOPS` : ', not measured yet') +
      (model.peak !== null && model.gflops !== null
        ? ` = ${Math.round((100 * model.gflops) / attainable(model.peak, model.bandwidth, model.intensity))}% of its roof.`
        : '.'),
  ];
  if (model.xnnpack !== null) parts.push(`Diamond: XNNPACK (${formatGflops(model.xnnpack)} GFLOPS).`);
  return parts.join(' ');
}

/**
 * The cache-aware part in words, one sentence per level: its intensity, its roof and where the
 * roof comes from, and which roof limits the kernel. Empty when nothing is simulated.
 */
export function cacheRooflineSentences(model: RooflineModel): string[] {
  const levels = drawableModel(model).levels ?? [];
  if (levels.length === 0) return [];
  const head = `Squares: the same figure at the intensity of the traffic the simulated caches of ${model.machineName ?? 'the chosen machine'} moved between each level and the next (FLOPs ÷ bytes moved).`;
  const lines = levels.map((l) => {
    const roof = levelRoof(l);
    const at = `${l.label}: ${short(l.intensity)} flop/byte (${formatBytes(l.bytes)} moved)`;
    if (roof === null) return `${at}; no roof: ${l.source}.`;
    const above = model.peak !== null && roof >= model.peak ? ', above the peak: not what limits it' : '';
    return `${at}; roof ${short((l.bandwidth as number) / 1e9)} GB/s × ${short(l.intensity)} = ${formatGflops(roof)} GFLOPS${above} (${l.source}).`;
  });
  const worst = limitingLevel(levels);
  const worstRoof = worst ? levelRoof(worst) : null;
  const limit =
    worst && worstRoof !== null
      ? model.peak !== null && worstRoof >= model.peak
        ? 'Every level moves few enough bytes: the compute peak is the roof that limits this kernel.'
        : `The lowest roof is ${worst.label}'s (${formatGflops(worstRoof)} GFLOPS): that traffic limits this kernel first.`
      : '';
  return [head, ...lines, limit].filter(Boolean);
}

// ------------------------------------------------------------------------- labels

/** A label's box in plot coordinates (top-left origin, y down), with its text. */
export interface LabelBox {
  id: 'peak' | 'kernel' | 'xnnpack';
  text: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Height of a 10px label's box, and the space kept between a point and its label. */
const LABEL_HEIGHT = 12;
const POINT_GAP = 9;
/** Half the size of a point's marker (the dot's radius, the diamond's half-diagonal). */
const POINT_RADIUS = 6;

export function boxesOverlap(a: Omit<LabelBox, 'id' | 'text'>, b: Omit<LabelBox, 'id' | 'text'>): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

/** Width of a 10px label when it can't be measured (0.6 em per character). */
export function estimatedTextWidth(text: string): number {
  return text.length * 6;
}

/**
 * Where the labels go in a plot of `width` x `height` px: the peak's at the right end of its
 * roof, each point's beside its point (right of it, or left near the right edge). A label that
 * would overlap another label or a point moves up or down the least it must, then to the other
 * side; all stay inside the plot.
 */
export function rooflineLabels(
  given: RooflineModel,
  width: number,
  height: number,
  textWidth: (text: string) => number = estimatedTextWidth,
): LabelBox[] {
  const model = drawableModel(given);
  const d = rooflineDomains(model);
  const x = scaleLog().domain(d.x).range([0, width]);
  const y = scaleLog().domain(d.y).range([height, 0]);
  const placed: LabelBox[] = [];
  const px = x(model.intensity);
  const marker = (cx: number, cy: number) => ({
    left: cx - POINT_RADIUS,
    top: cy - POINT_RADIUS,
    width: 2 * POINT_RADIUS,
    height: 2 * POINT_RADIUS,
  });
  const points = [model.gflops, model.xnnpack]
    .filter((v): v is number => v !== null && v > 0)
    .map((v) => marker(px, y(v)));
  // The cache levels' squares (with their names under them) are in the way too.
  if (model.gflops !== null && model.gflops > 0)
    for (const l of model.levels ?? []) {
      const square = marker(x(l.intensity), y(model.gflops));
      points.push({ ...square, height: square.height + LABEL_HEIGHT + 4 });
    }
  const inside = (b: Omit<LabelBox, 'id' | 'text'>) =>
    b.left >= 0 && b.left + b.width <= width && b.top >= 0 && b.top + b.height <= height;
  const free = (b: Omit<LabelBox, 'id' | 'text'>) =>
    inside(b) && !placed.some((p) => boxesOverlap(p, b)) && !points.some((p) => boxesOverlap(p, b));

  if (model.peak !== null) {
    const text = `peak ${formatGflops(model.peak)} GFLOPS`;
    const w = textWidth(text);
    const top = Math.max(0, y(model.peak) - 2 - LABEL_HEIGHT);
    placed.push({ id: 'peak', text, left: Math.max(0, width - 2 - w), top, width: w, height: LABEL_HEIGHT });
  }
  const pointLabels: [LabelBox['id'], string, number | null][] = [
    ['kernel', 'this kernel', model.gflops],
    ['xnnpack', 'XNNPACK', model.xnnpack],
  ];
  for (const [id, text, value] of pointLabels) {
    if (value === null || value <= 0) continue;
    const w = textWidth(text);
    const right = px + POINT_GAP;
    const leftSide = px - POINT_GAP - w;
    const sides = right + w <= width ? [right, leftSide] : [leftSide, right];
    const centre = y(value) - LABEL_HEIGHT / 2;
    let box: LabelBox | null = null;
    for (const left of sides) {
      for (let shift = 0; shift <= height && !box; shift += 1) {
        for (const top of shift === 0 ? [centre] : [centre - shift, centre + shift]) {
          const candidate = { id, text, left, top, width: w, height: LABEL_HEIGHT };
          if (free(candidate)) {
            box = candidate;
            break;
          }
        }
      }
      if (box) break;
    }
    placed.push(box ?? { id, text, left: sides[0], top: centre, width: w, height: LABEL_HEIGHT });
  }
  return placed;
}

// ------------------------------------------------------------------------- the view

export interface RooflineChart {
  update(model: RooflineModel): void;
  destroy(): void;
}

const HEIGHT = 220;
const MARGIN = { top: 12, right: 14, bottom: 34, left: 42 };
/** Width used before the element has a layout (and in tests without one). */
const FALLBACK_WIDTH = 380;
let clipIds = 0;

/** Draws into `svgElement` at its own pixel width (fonts stay their size), following resizes. */
export function createRooflineChart(svgElement: SVGSVGElement): RooflineChart {
  const svg: Selection<SVGSVGElement, unknown, null, undefined> = select(svgElement)
    .attr('class', 'chart roofline-chart')
    .attr('role', 'img');
  svg.selectAll('*').remove();
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  // A per-chart id keeps two rooflines on one page from sharing a clip path.
  const clipId = `roofline-clip-${++clipIds}`;
  const clipRect = svg.append('defs').append('clipPath').attr('id', clipId).append('rect').attr('height', h);
  const plot = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const xAxis = plot.append('g').attr('class', 'axis axis-x').attr('transform', `translate(0,${h})`);
  const yAxis = plot.append('g').attr('class', 'axis axis-y');
  const xTitle = plot
    .append('text')
    .attr('class', 'axis-title')
    .attr('y', h + 30)
    .attr('text-anchor', 'middle')
    .text('arithmetic intensity (flop/byte, log)');
  plot
    .append('text')
    .attr('class', 'axis-title')
    .attr('transform', `translate(${-32},${h / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text('GFLOPS (log)');
  const roofs = plot.append('g').attr('clip-path', `url(#${clipId})`);
  const intensityMark = roofs.append('line').attr('class', 'intensity-mark');
  const computeRoof = roofs.append('line').attr('class', 'roof roof-compute').attr('data-testid', 'roofline-peak');
  const memoryLine = roofs.append('line').attr('class', 'roof roof-memory').attr('data-testid', 'roofline-memory');
  const computeLabel = plot.append('text').attr('class', 'roof-label roof-label-compute').attr('dy', '0.32em');
  const memoryLabel = plot.append('text').attr('class', 'roof-label roof-label-memory').attr('dy', '-0.5em');
  const levelRoofs = roofs.append('g').attr('class', 'level-roofs');
  const levelPoints = plot.append('g').attr('class', 'level-points');
  const xnnpackPoint = plot.append('path').attr('class', 'roofline-xnnpack').attr('data-testid', 'roofline-xnnpack');
  const xnnpackLabel = plot.append('text').attr('class', 'point-label point-label-xnnpack').attr('dy', '0.32em');
  const point = plot
    .append('circle')
    .attr('class', 'roofline-point')
    .attr('data-testid', 'roofline-point')
    .attr('r', 6);
  const pointTitle = point.append('title');
  const pointLabel = plot.append('text').attr('class', 'point-label').attr('dy', '0.32em');

  let width = svgElement.clientWidth || FALLBACK_WIDTH;
  let last: RooflineModel | null = null;

  const update = (given: RooflineModel) => {
    last = given;
    const model = drawableModel(given);
    const w = Math.max(80, width - MARGIN.left - MARGIN.right);
    svg.attr('viewBox', `0 0 ${width} ${HEIGHT}`).attr('height', HEIGHT);
    clipRect.attr('width', w);
    xTitle.attr('x', w / 2);
    const d = rooflineDomains(model);
    const x = scaleLog().domain(d.x).range([0, w]);
    const y = scaleLog().domain(d.y).range([h, 0]);
    xAxis.call(axisBottom(x).ticks(Math.max(2, Math.floor(w / 90)), '~g'));
    yAxis.call(axisLeft(y).ticks(4, '~g'));

    if (model.peak !== null) {
      const ridge = model.bandwidth !== null ? ridgeIntensity(model.peak, model.bandwidth) : d.x[0];
      computeRoof
        .attr('display', null)
        .attr('x1', x(Math.max(ridge, d.x[0])))
        .attr('x2', w)
        .attr('y1', y(model.peak))
        .attr('y2', y(model.peak))
        .attr('data-value', model.peak);
      computeLabel.attr('display', null);
    } else {
      computeRoof.attr('display', 'none');
      computeLabel.attr('display', 'none');
    }

    if (model.bandwidth !== null) {
      const end = model.peak !== null ? Math.min(d.x[1], ridgeIntensity(model.peak, model.bandwidth)) : d.x[1];
      const x1 = x(d.x[0]);
      const y1 = y(memoryRoof(model.bandwidth, d.x[0]));
      const x2 = x(end);
      const y2 = y(memoryRoof(model.bandwidth, end));
      memoryLine
        .attr('display', null)
        .attr('x1', x1)
        .attr('y1', y1)
        .attr('x2', x2)
        .attr('y2', y2)
        .attr('data-value', model.bandwidth);
      // The label sits along the line, near its upper end, inside the plot.
      const angle = (Math.atan2(y2 - y1, x2 - x1) * 180) / Math.PI;
      const lx = x1 + (x2 - x1) * 0.25;
      const ly = y1 + (y2 - y1) * 0.25;
      memoryLabel
        .attr('display', ly > 0 && ly < h ? null : 'none')
        .attr('transform', `translate(${lx},${ly}) rotate(${angle})`)
        .text(`${short(model.bandwidth / 1e9)} GB/s`);
    } else {
      memoryLine.attr('display', 'none');
      memoryLabel.attr('display', 'none');
    }

    intensityMark.attr('x1', x(model.intensity)).attr('x2', x(model.intensity)).attr('y1', 0).attr('y2', h);
    const px = x(model.intensity);
    // The labels where rooflineLabels puts them (measured text widths), so that none overlap.
    const labelNodes = { peak: computeLabel, kernel: pointLabel, xnnpack: xnnpackLabel };
    const measure = (text: string) => {
      const node = computeLabel.node();
      if (!node || typeof node.getComputedTextLength !== 'function') return estimatedTextWidth(text);
      const before = node.textContent;
      node.textContent = text;
      const length = node.getComputedTextLength();
      node.textContent = before;
      return length > 0 ? length : estimatedTextWidth(text);
    };
    for (const box of rooflineLabels(model, w, h, measure)) {
      labelNodes[box.id]
        .text(box.text)
        .attr('x', box.left)
        .attr('y', box.top + box.height / 2)
        .attr('data-box', `${box.left} ${box.top} ${box.width} ${box.height}`);
    }

    if (model.gflops !== null && model.gflops > 0) {
      const py = y(model.gflops);
      point
        .attr('display', null)
        .attr('cx', px)
        .attr('cy', py)
        .attr('data-intensity', model.intensity)
        .attr('data-value', model.gflops);
      pointTitle.text(`this kernel: ${formatGflops(model.gflops)} GFLOPS at ${short(model.intensity)} flop/byte`);
      pointLabel.attr('display', null);
    } else {
      point.attr('display', 'none');
      pointLabel.attr('display', 'none');
    }

    // Cache levels: a slanted roof per boundary with a known bandwidth (the memory one is drawn
    // above), and a square per level at the kernel's figure.
    const levels = model.levels ?? [];
    const roofEnd = (bw: number) => (model.peak !== null ? Math.min(d.x[1], ridgeIntensity(model.peak, bw)) : d.x[1]);
    const cacheRoofs = levels.filter((l) => l.bandwidth !== null && l.from !== 'memory');
    levelRoofs
      .selectAll<SVGLineElement, LevelIntensity>('line')
      .data(cacheRoofs, (l) => l.label)
      .join('line')
      .attr('class', 'roof roof-level')
      .attr('data-testid', 'roofline-level-roof')
      .attr('data-level', (l) => l.level)
      .attr('data-value', (l) => l.bandwidth as number)
      .attr('x1', x(d.x[0]))
      .attr('y1', (l) => y(memoryRoof(l.bandwidth as number, d.x[0])))
      .attr('x2', (l) => x(roofEnd(l.bandwidth as number)))
      .attr('y2', (l) => y(memoryRoof(l.bandwidth as number, roofEnd(l.bandwidth as number))));
    const shownPoints = model.gflops !== null && model.gflops > 0 ? levels : [];
    const squares = levelPoints
      .selectAll<SVGGElement, LevelIntensity>('g')
      .data(shownPoints, (l) => l.label)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'roofline-level').attr('data-testid', 'roofline-level');
        g.append('rect').attr('width', 8).attr('height', 8).attr('x', -4).attr('y', -4);
        g.append('text').attr('class', 'point-label point-label-level').attr('x', -6).attr('y', 15);
        g.append('title');
        return g;
      })
      .attr('data-level', (l) => l.level)
      .attr('data-intensity', (l) => l.intensity)
      .attr('transform', (l) => `translate(${x(l.intensity)},${y(model.gflops as number)})`);
    squares.select('text').text((l) => l.level);
    squares
      .select('title')
      .text((l) => `${l.label}: ${short(l.intensity)} flop/byte of simulated traffic, ${formatBytes(l.bytes)} moved`);

    if (model.xnnpack !== null && model.xnnpack > 0) {
      const py = y(model.xnnpack);
      xnnpackPoint.attr('display', null).attr('d', `M${px},${py - 6}L${px + 6},${py}L${px},${py + 6}L${px - 6},${py}Z`);
      xnnpackLabel.attr('display', null);
    } else {
      xnnpackPoint.attr('display', 'none');
      xnnpackLabel.attr('display', 'none');
    }
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
