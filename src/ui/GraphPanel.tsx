// LoopTune's graph of the current loop nest, drawn and animated by the d3 view in graphView.ts.
// The panel keeps loop ids across actions (core/graph.ts carryLoopIds) so the view can move,
// grow and shrink the same loop node from one state to the next.
import { useDeferredValue, useEffect, useRef } from 'react';
import { buildLoopGraph, carryLoopIds, defaultLoopIds } from '../core/graph.ts';
import type { Loop } from '../core/types.ts';
import { useLooplab } from '../store/context.tsx';
import { variableColor, variableTint } from './colors.ts';
import { createGraphView, type GraphView } from './graphView.ts';
import { Panel } from './Panel.tsx';

export function GraphPanel() {
  const problem = useLooplab((s) => s.problem);
  const problemKey = useLooplab((s) => s.problemKey);
  // Drawn after the urgent update (the nest, the figure) is on screen, in a task of its own.
  const current = useDeferredValue(useLooplab((s) => s.current));
  const svgRef = useRef<SVGSVGElement>(null);
  const viewRef = useRef<GraphView | null>(null);
  const idsRef = useRef<{ problemKey: string; loops: readonly Loop[]; ids: string[] } | null>(null);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const view = createGraphView(svg);
    viewRef.current = view;
    idsRef.current = null;
    return () => {
      view.destroy();
      viewRef.current = null;
    };
  }, []);

  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    const loops = current.schedule.loops;
    const prev = idsRef.current;
    const ids =
      prev && prev.problemKey === problemKey ? carryLoopIds(prev.loops, prev.ids, loops) : defaultLoopIds(loops);
    idsRef.current = { problemKey, loops, ids };
    const graph = buildLoopGraph(problem, current.schedule, { cursor: current.cursor, ids });
    view.update(graph, {
      color: (v) => variableColor(problem, v),
      tint: (v) => variableTint(problem, v, 0.12),
      variables: problem.variables,
    });
  }, [problem, problemKey, current]);

  return (
    <Panel title="Graph" testId="graph-panel">
      <svg ref={svgRef} className="graph-svg" data-testid="graph" />
      <p className="graph-legend">
        Each loop row meets every tensor&apos;s column at the <b>stride</b>: how many elements one iteration of the loop
        moves through that tensor. <span className="legend-pill stride-unit">1</span> contiguous,{' '}
        <span className="legend-pill stride-reuse">0</span> the same elements are reused.
      </p>
    </Panel>
  );
}
