// A self-contained d3 view of LoopTune's loop-nest graph (TensorFlow-Playground style: the view owns
// its svg children, the page hands it data). Layout:
//
//   [C]     [A]     [B]        data nodes, one column ("bus") per tensor
//   m:128 ──(512)───(512)───(0)     a loop node per row, in nesting order; its access edges run to
//   n:16  ──(16)────(0)─────(16)    every tensor's bus, each labelled with the stride (0 = reuse)
//   ...
//   [ C[m,n] += A[m,k] * B[k,n] ]   the compute node under the innermost loop, fed by the buses
//
// Rows are keyed by loop id (core/graph.ts carries ids across actions), so each action animates:
// a swap moves two rows past each other on an arc, a split grows a new row out of its parent, a
// merge shrinks a row into the loop it joins, the cursor frame slides. prefers-reduced-motion: no
// movement, the new state appears at once.
import { easeCubicInOut, select, type BaseType, type Selection, type Transition } from 'd3';
// selection.transition() and .interrupt() are added to d3-selection by d3-transition as a side
// effect; d3's umbrella package is marked side-effect free, so production builds would drop it.
import 'd3-transition';
import type { GraphDataNode, GraphLoopNode, LoopGraph } from '../core/graph.ts';

export interface GraphStyle {
  /** Text and stroke colour of a variable. */
  color(variable: string): string;
  /** Light fill of a variable. */
  tint(variable: string): string;
  /** Problem variables (coloured in the statement). */
  variables: readonly string[];
}

export interface GraphView {
  update(graph: LoopGraph, style: GraphStyle): void;
  destroy(): void;
}

// Geometry in viewBox units (about pixels at the right-column width of a 1280 px page).
const W = 392;
const LOOP_X = 20;
const LOOP_W = 118;
const LOOP_H = 36;
const PITCH = 48;
const COLS = [200, 276, 352];
const DATA_W = 70;
const DATA_Y = 6;
const DATA_H = 50;
const ROW0 = DATA_Y + DATA_H + 22;
const PILL_H = 24;
const ARC = 26;
const DURATION = 480;
const SPINE_X = LOOP_X + LOOP_W / 2;

interface Row extends GraphLoopNode {
  /** `packed`: inside the loop that packs the tensor, the stride through its packed copy (what the kernel reads). */
  strides: { tensor: string; stride: number; packed?: number }[];
}

const rowY = (index: number) => ROW0 + index * PITCH;

/** Room for a loop's label inside its node, and the width of one character of it (17 px monospace, bold). */
const LOOP_TEXT_W = LOOP_W - 12;
const LOOP_CHAR_W = 17 * 0.6;

/**
 * The length a loop's label is squeezed to when it would overflow its node (`n:2048 pack(A)`),
 * or null when it fits as it is.
 */
export function loopLabelLength(text: string): number | null {
  return text.length * LOOP_CHAR_W > LOOP_TEXT_W ? LOOP_TEXT_W : null;
}

/** Exact strides up to 5 digits, then in thousands (the exact value is in the tooltip). */
export function strideLabel(stride: number): string {
  if (Math.abs(stride) < 100000) return String(stride);
  if (Math.abs(stride) < 100000000) return `${Math.round(stride / 1000)}k`;
  return `${Math.round(stride / 1000000)}M`;
}

function strideClass(stride: number, packed: boolean): string {
  const kind = stride === 0 ? ' stride-reuse' : stride === 1 ? ' stride-unit' : '';
  return `stride-pill${kind}${packed ? ' stride-packed' : ''}`;
}

function strideTitle(row: Row, tensor: string, stride: number, packed?: number): string {
  const steps = row.step > 1 ? ` (its step is ${row.step} ${row.variable})` : '';
  if (stride === 0)
    return `${row.text}: ${tensor} does not depend on ${row.variable}, so every iteration reuses the same ${tensor} elements`;
  const plain = `each iteration moves ${stride} element${stride === 1 ? '' : 's'} through ${tensor}${steps}`;
  if (packed === undefined) return `${row.text}: ${plain}`;
  return `${row.text}: inside the loop that packs ${tensor}, the kernel reads its packed copy, where each iteration moves ${packed} element${packed === 1 ? '' : 's'} (through ${tensor} itself it would be ${stride})`;
}

function loopTitle(row: Row): string {
  const tail = row.tail > 0 ? `, then a partial iteration of ${row.tail}` : '';
  const step = row.step > 1 ? ` iterations of ${row.step} ${row.variable}` : ` iterations`;
  return `loop ${row.text}: ${row.trip}${step}${tail}, ${row.extent} ${row.variable} in all${row.cursor ? ' (cursor)' : ''}`;
}

function pillWidth(label: string): number {
  return Math.max(30, label.length * 8.6 + 14);
}

/** Splits the statement in two lines when it is too long for the compute node. */
function statementLines(text: string): string[] {
  const fits = (s: string) => s.length * 8.4 <= W - 28;
  if (fits(text)) return [text];
  const at = text.indexOf(' += ');
  return at < 0 ? [text] : [text.slice(0, at + 3), text.slice(at + 4)];
}

/** Appends `text` as tspans, problem variables in their colour. */
function colouredText(
  target: Selection<SVGTSpanElement, unknown, null, undefined>,
  text: string,
  style: GraphStyle,
): void {
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  let last = 0;
  const plain = (s: string) => {
    if (s) target.append('tspan').text(s);
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = m[0];
    const isTensor = text[m.index + name.length] === '[';
    if (isTensor || !style.variables.includes(name)) continue;
    plain(text.slice(last, m.index));
    target.append('tspan').attr('fill', style.color(name)).attr('font-weight', 700).text(name);
    last = m.index + name.length;
  }
  plain(text.slice(last));
}

function prefersReducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export function createGraphView(svgElement: SVGSVGElement): GraphView {
  const svg = select(svgElement);
  svg.selectAll('*').remove();
  svg.attr('viewBox', `0 0 ${W} ${rowY(3) + 80}`).attr('role', 'img');

  const defs = svg.append('defs');
  for (const [id, fill] of [
    ['graph-arrow', '#7b8594'],
    ['graph-arrow-out', '#1d2330'],
  ] as const) {
    defs
      .append('marker')
      .attr('id', id)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerWidth', 7)
      .attr('markerHeight', 7)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0 L10,5 L0,10 z')
      .attr('fill', fill);
  }

  const layerBus = svg.append('g').attr('class', 'graph-buses');
  const spine = svg.append('line').attr('class', 'graph-spine').attr('x1', SPINE_X).attr('x2', SPINE_X);
  const layerData = svg.append('g').attr('class', 'graph-data');
  const compute = svg.append('g').attr('class', 'graph-compute').attr('data-testid', 'graph-compute');
  const computeRect = compute
    .append('rect')
    .attr('x', 8)
    .attr('rx', 10)
    .attr('width', W - 16);
  const computeText = compute
    .append('text')
    .attr('class', 'graph-compute-text')
    .attr('x', W / 2)
    .attr('text-anchor', 'middle');
  const cursorFrame = svg
    .append('rect')
    .attr('class', 'graph-cursor')
    .attr('x', LOOP_X - 5)
    .attr('width', LOOP_W + 10)
    .attr('height', LOOP_H + 10)
    .attr('rx', 11)
    .attr('opacity', 0);
  const cursorCaret = svg
    .append('path')
    .attr('class', 'graph-cursor-caret')
    .attr('d', 'M0,-8 L9,0 L0,8 z')
    .attr('opacity', 0);
  const layerRows = svg.append('g').attr('class', 'graph-rows');

  let previous: { index: Map<string, number>; count: number } | null = null;

  function update(graph: LoopGraph, style: GraphStyle): void {
    const reduced = prefersReducedMotion();
    const duration = previous && !reduced ? DURATION : 0;
    // One timing for every element of this update; a newer update interrupts it per element.
    const t = svg.transition('graph').duration(duration).ease(easeCubicInOut) as unknown as Transition<
      BaseType,
      unknown,
      BaseType,
      unknown
    >;
    const n = graph.loops.length;
    const lines = statementLines(graph.compute.text);
    const computeH = lines.length > 1 ? 56 : 38;
    const computeY = rowY(n) + 6;
    const height = computeY + computeH + 8;
    const colOf = new Map(graph.data.map((d, i) => [d.tensor, COLS[i]]));

    // The view box grows at once (nothing is cut off) and shrinks after the rows have moved.
    const box = `0 0 ${W} ${height}`;
    if (!previous || height >= Number(svg.attr('viewBox').split(' ')[3])) svg.attr('viewBox', box);
    else svg.transition(t).attr('viewBox', box);
    svg.attr(
      'aria-label',
      `loop-nest graph: ${graph.loops.map((l) => l.text).join(', ')}; compute ${graph.compute.text}`,
    );

    // ------------------------------------------------------------ data nodes and buses
    layerData
      .selectAll<SVGGElement, GraphDataNode>('g.graph-data-node')
      .data(graph.data, (d) => d.tensor)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'graph-data-node').attr('data-testid', 'graph-data');
        g.append('title');
        g.append('rect').attr('y', DATA_Y).attr('width', DATA_W).attr('height', DATA_H).attr('rx', 8);
        g.append('text')
          .attr('class', 'graph-data-name')
          .attr('y', DATA_Y + 23)
          .attr('text-anchor', 'middle');
        g.append('text')
          .attr('class', 'graph-data-shape')
          .attr('y', DATA_Y + 41)
          .attr('text-anchor', 'middle');
        return g;
      })
      .attr('data-tensor', (d) => d.tensor)
      .attr('data-role', (d) => d.role)
      .attr('transform', (d) => `translate(${colOf.get(d.tensor)},0)`)
      .call((g) => {
        const packer = (d: GraphDataNode) => graph.loops.find((l) => l.id === d.packedAt);
        g.select('title').text((d) => {
          const what = `${d.text}: ${d.role === 'output' ? 'the output (read and written)' : 'an input'}, shape ${d.shape.join(' × ')}`;
          const p = packer(d);
          return p
            ? `${what}; packed at ${p.text}: each of its iterations copies the panel the loops inside read into a contiguous buffer, in the order they read it (strides with a purple dashed outline: through the copy)`
            : what;
        });
        g.attr('data-packed-at', (d) => packer(d)?.text ?? null);
        g.select('rect')
          .attr('x', -DATA_W / 2)
          .attr('class', (d) => `graph-data-rect${d.role === 'output' ? ' output' : ''}${d.packedAt ? ' packed' : ''}`);
        g.select('.graph-data-name').text((d) => d.tensor);
        g.select('.graph-data-shape').text((d) => d.shape.join('×'));
      });

    layerBus
      .selectAll<SVGLineElement, GraphDataNode>('line.graph-bus')
      .data(graph.data, (d) => d.tensor)
      .join((enter) =>
        enter
          .append('line')
          .attr('class', 'graph-bus')
          .attr('y1', DATA_Y + DATA_H)
          .attr('y2', computeY),
      )
      .attr('x1', (d) => colOf.get(d.tensor) as number)
      .attr('x2', (d) => colOf.get(d.tensor) as number)
      .attr('marker-end', (d) => (d.role === 'input' ? 'url(#graph-arrow)' : null))
      .attr('marker-start', (d) => (d.role === 'output' ? 'url(#graph-arrow-out)' : null))
      .attr('class', (d) => (d.role === 'output' ? 'graph-bus output' : 'graph-bus'))
      .transition(t)
      .attr('y1', DATA_Y + DATA_H)
      .attr('y2', computeY - 1);

    // ------------------------------------------------------------ compute node and spine
    compute.transition(t).attr('transform', `translate(0,${computeY})`);
    if (!previous) compute.attr('transform', `translate(0,${computeY})`);
    computeRect.attr('height', computeH);
    computeText.selectAll('*').remove();
    lines.forEach((line, i) => {
      const text = computeText
        .append('tspan')
        .attr('x', W / 2)
        .attr('y', lines.length > 1 ? 22 + i * 21 : 24);
      colouredText(text, line, style);
    });
    compute.select('title').remove();
    compute.append('title').text(`compute node: ${graph.compute.text}, run by the innermost loop`);
    spine
      .transition(t)
      .attr('y1', rowY(0) + LOOP_H / 2)
      .attr('y2', computeY - 1);
    if (!previous) spine.attr('y1', rowY(0) + LOOP_H / 2).attr('y2', computeY - 1);
    spine.attr('marker-end', 'url(#graph-arrow)');

    // ------------------------------------------------------------ loop rows
    const rows: Row[] = graph.loops.map((loop) => ({
      ...loop,
      strides: graph.data.map((d) => {
        const e = graph.edges.find((x) => x.kind === 'access' && x.source === loop.id && x.target === d.id);
        if (e?.kind !== 'access') return { tensor: d.tensor, stride: 0 };
        return { tensor: d.tensor, stride: e.stride, ...(e.packed !== undefined ? { packed: e.packed } : {}) };
      }),
    }));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const prevIndex = previous?.index ?? new Map<string, number>();
    const reorder = previous !== null && previous.count === n;
    /** Where a loop that appears comes from, or one that disappears goes to: its enclosing loop over the same variable. */
    const parentRow = (variable: string, index: number): Row | undefined => {
      const same = rows.filter((r) => r.variable === variable);
      return [...same].reverse().find((r) => r.index < index) ?? same[0];
    };

    const rowSel = layerRows.selectAll<SVGGElement, Row>('g.graph-row:not(.exiting)').data(rows, (d) => d.id);

    // Exit: shrink into the loop it merged with.
    rowSel
      .exit<Row>()
      .classed('exiting', true)
      .call((g) => g.select('.graph-loop').attr('data-testid', null).attr('data-cursor', null))
      .each(function (d) {
        const into = parentRow(d.variable, d.index);
        select(this)
          .transition(t)
          .attr('transform', `translate(0,${rowY(into ? into.index : d.index)})`)
          .attr('opacity', 0)
          .remove();
      });

    const entered = rowSel.enter().append('g').attr('class', 'graph-row');
    entered
      .attr('transform', (d) => {
        const from = previous ? parentRow(d.variable, d.index) : undefined;
        return `translate(0,${rowY(from && from.id !== d.id ? from.index : d.index)})`;
      })
      .attr('opacity', previous ? 0 : 1);
    entered
      .append('line')
      .attr('class', 'graph-access')
      .attr('x1', LOOP_X + LOOP_W)
      .attr('y1', LOOP_H / 2)
      .attr('y2', LOOP_H / 2);
    entered.append('g').attr('class', 'graph-pills');
    const node = entered.append('g').attr('class', 'graph-loop').attr('data-testid', 'graph-loop');
    node.append('title');
    node
      .append('rect')
      .attr('class', 'graph-loop-base')
      .attr('x', LOOP_X)
      .attr('width', LOOP_W)
      .attr('height', LOOP_H)
      .attr('rx', 8);
    node
      .append('rect')
      .attr('class', 'graph-loop-rect')
      .attr('x', LOOP_X)
      .attr('width', LOOP_W)
      .attr('height', LOOP_H)
      .attr('rx', 8);
    node
      .append('text')
      .attr('class', 'graph-loop-text')
      .attr('x', LOOP_X + LOOP_W / 2)
      .attr('y', LOOP_H / 2)
      .attr('dy', '0.35em')
      .attr('text-anchor', 'middle');

    const all = entered.merge(rowSel);
    all.order();
    all
      .transition(t)
      .attr('transform', (d) => `translate(0,${rowY(d.index)})`)
      .attr('opacity', 1);
    all
      .select<SVGLineElement>('.graph-access')
      .attr('x2', COLS[COLS.length - 1])
      .attr('stroke', (d) => style.color(d.variable));
    all
      .select<SVGGElement>('.graph-loop')
      .attr('data-loop-id', (d) => d.id)
      .attr('data-loop-text', (d) => d.text)
      .attr('data-variable', (d) => d.variable)
      .attr('data-cursor', (d) => (d.cursor ? 'true' : null))
      .call((g) => {
        g.select('title').text((d) => loopTitle(d));
        g.select('.graph-loop-rect')
          .attr('fill', (d) => style.tint(d.variable))
          .attr('stroke', (d) => style.color(d.variable))
          .attr('stroke-width', (d) => (d.cursor ? 3 : 2));
        g.select('.graph-loop-text')
          .attr('fill', (d) => style.color(d.variable))
          .attr('textLength', (d) => loopLabelLength(d.text))
          .attr('lengthAdjust', (d) => (loopLabelLength(d.text) === null ? null : 'spacingAndGlyphs'))
          .text((d) => d.text);
      })
      .each(function (d) {
        // A pure reorder (swap): the moving rows pass each other on an arc, down to the right, up to the left.
        const before = prevIndex.get(d.id);
        const sel = select(this);
        if (reorder && duration > 0 && before !== undefined && before !== d.index) {
          const dx = before < d.index ? ARC : -ARC;
          sel
            .transition(t)
            .attrTween(
              'transform',
              () => (k: number) => (k >= 1 ? 'translate(0,0)' : `translate(${dx * Math.sin(Math.PI * k)},0)`),
            );
        } else {
          sel.interrupt('graph').attr('transform', null);
        }
      });

    // Stride pills, one per tensor; a changed stride flashes.
    all
      .select<SVGGElement>('.graph-pills')
      .selectAll<SVGGElement, { row: Row; tensor: string; stride: number; packed?: number }>('g.stride')
      .data(
        (d) => d.strides.map((s) => ({ row: d, ...s })),
        (s) => s.tensor,
      )
      .join((enter) => {
        const g = enter.append('g').attr('class', 'stride').attr('data-testid', 'graph-stride');
        g.append('title');
        g.append('rect')
          .attr('height', PILL_H)
          .attr('y', (LOOP_H - PILL_H) / 2)
          .attr('rx', PILL_H / 2);
        g.append('text')
          .attr('y', LOOP_H / 2)
          .attr('dy', '0.35em')
          .attr('text-anchor', 'middle');
        return g;
      })
      .attr('transform', (s) => `translate(${colOf.get(s.tensor)},0)`)
      .attr('data-tensor', (s) => s.tensor)
      .each(function (s) {
        const g = select<SVGGElement, unknown>(this as SVGGElement);
        // The stride the kernel walks: through the packed copy inside the loop that packs the tensor.
        const walked = s.packed ?? s.stride;
        const label = strideLabel(walked);
        const changed = g.attr('data-stride') !== null && g.attr('data-stride') !== String(walked);
        g.attr('data-stride', String(walked))
          .attr('data-packed', s.packed !== undefined ? 'true' : null)
          .attr('class', `stride ${strideClass(walked, s.packed !== undefined)}`);
        g.select('title').text(strideTitle(s.row, s.tensor, s.stride, s.packed));
        const w = pillWidth(label);
        const rect = g
          .select<SVGRectElement>('rect')
          .attr('x', -w / 2)
          .attr('width', w);
        g.select('text').text(label);
        if (changed && duration > 0) {
          rect.classed('flash', true);
          rect.transition(t).on('end interrupt', () => rect.classed('flash', false));
        }
      });

    // ------------------------------------------------------------ cursor
    const cursorRow = graph.cursorId ? byId.get(graph.cursorId) : undefined;
    if (cursorRow) {
      const y = rowY(cursorRow.index);
      const show = (
        sel: Selection<SVGRectElement, unknown, null, undefined> | Selection<SVGPathElement, unknown, null, undefined>,
      ) => sel.attr('opacity') === '0' || !previous;
      if (show(cursorFrame)) cursorFrame.attr('y', y - 5);
      if (show(cursorCaret)) cursorCaret.attr('transform', `translate(4,${y + LOOP_H / 2})`);
      cursorFrame
        .attr('opacity', 1)
        .transition(t)
        .attr('y', y - 5);
      cursorCaret
        .attr('opacity', 1)
        .transition(t)
        .attr('transform', `translate(4,${y + LOOP_H / 2})`);
    } else {
      cursorFrame.attr('opacity', 0);
      cursorCaret.attr('opacity', 0);
    }

    previous = { index: new Map(rows.map((r) => [r.id, r.index])), count: n };
  }

  function destroy(): void {
    svg.selectAll<BaseType, unknown>('*').interrupt('graph');
    svg.interrupt('graph');
    svg.selectAll('*').remove();
    previous = null;
  }

  return { update, destroy };
}
