// LoopTune's graph of a loop nest (arXiv 2309.01825): one node per loop in nesting order, a
// compute node for the statement, one data node per tensor, and edges labelled with the element
// stride a tensor is walked with when a loop advances by one iteration (0 = the tensor is reused).
// Pure: no DOM; the d3 view (src/ui/graphView.ts) draws what this builds.
import { tensorText } from './dsl.ts';
import { loopExtents, loopSteps, loopText } from './schedule.ts';
import type { Loop, Problem, Schedule } from './types.ts';

export interface GraphLoopNode {
  kind: 'loop';
  /** Stable across actions where possible (see `carryLoopIds`), e.g. `m.0`. */
  id: string;
  /** Position in the nest, 0 = outermost. */
  index: number;
  variable: string;
  /** Which loop over `variable` this is, counted from the outermost (0). */
  occurrence: number;
  trip: number;
  tail: number;
  /** Elements of `variable` one iteration covers. */
  step: number;
  /** Elements of `variable` the whole loop covers. */
  extent: number;
  /** Schedule notation, e.g. `m:2`, `m:24 r1` or `||m:2`. */
  text: string;
  /** Its iterations run on several threads. */
  parallel: boolean;
  cursor: boolean;
}

export interface GraphComputeNode {
  kind: 'compute';
  id: 'compute';
  /** The statement, e.g. `C[m,n] += A[m,k] * B[k,n]`. */
  text: string;
}

export interface GraphDataNode {
  kind: 'data';
  /** `data:` + tensor name. */
  id: string;
  tensor: string;
  role: 'output' | 'input';
  /** The tensor as written in the statement, e.g. `A[m,k]`. */
  text: string;
  shape: number[];
  /** Id of the loop at whose iterations the input is packed (`k:8 pack(B)`), or null. */
  packedAt: string | null;
}

export type GraphEdge =
  /** Loop `source` directly encloses loop `target`. */
  | { kind: 'nest'; id: string; source: string; target: string }
  /** The innermost loop runs the compute node. */
  | { kind: 'body'; id: string; source: string; target: 'compute' }
  /** The tensor is an operand of the statement (the output is read and written). */
  | { kind: 'operand'; id: string; source: string; target: 'compute'; tensor: string; role: 'output' | 'input' }
  /**
   * Advancing loop `source` by one iteration moves through tensor `target` by `stride` elements.
   * Inside the loop that packs the tensor, the kernel reads the packed copy instead: `packed` is
   * the stride there.
   */
  | { kind: 'access'; id: string; source: string; target: string; tensor: string; stride: number; packed?: number }
  /** Loop `source` copies the panel of input `target` its inner loops read, at each of its iterations. */
  | { kind: 'pack'; id: string; source: string; target: string; tensor: string };

export interface LoopGraph {
  /** Loop nodes in nesting order, outermost first. */
  loops: GraphLoopNode[];
  compute: GraphComputeNode;
  /** The output first, then the two inputs in the statement's order. */
  data: GraphDataNode[];
  edges: GraphEdge[];
  /** Id of the loop under the cursor, or null when the cursor is on no loop. */
  cursorId: string | null;
}

/** Default loop ids: variable and occurrence among the loops over that variable (`m.0`, `m.1`). */
export function defaultLoopIds(loops: readonly Loop[]): string[] {
  const count = new Map<string, number>();
  return loops.map((loop) => {
    const k = count.get(loop.variable) ?? 0;
    count.set(loop.variable, k + 1);
    return `${loop.variable}.${k}`;
  });
}

/** Positions (in the nest) of the loops over each variable, outermost first. */
function positionsByVariable(loops: readonly Loop[]): Map<string, number[]> {
  const byVar = new Map<string, number[]>();
  loops.forEach((loop, i) => {
    const list = byVar.get(loop.variable) ?? [];
    list.push(i);
    byVar.set(loop.variable, list);
  });
  return byVar;
}

const sameLoop = (a: Loop, b: Loop) => a.trip === b.trip && a.tail === b.tail;

/**
 * Ids for the loops of `next`, carried over from `prev` so that a view can animate each loop:
 * loops are matched per variable, in nesting order. When one variable gains a loop (a split) the
 * new loop gets a fresh id and the others keep theirs; when it loses one (a merge) the id of the
 * loop that disappeared is dropped. The new or removed loop is located by the unchanged prefix
 * and suffix of that variable's loops; a split's new loop is the one just inside the loop that
 * changed. Other changes (jumps over several actions) keep ids by occurrence where they can.
 */
export function carryLoopIds(
  prevLoops: readonly Loop[],
  prevIds: readonly string[],
  nextLoops: readonly Loop[],
): string[] {
  if (prevIds.length !== prevLoops.length) return defaultLoopIds(nextLoops);
  const prevBy = positionsByVariable(prevLoops);
  const nextBy = positionsByVariable(nextLoops);
  const ids = new Array<string>(nextLoops.length);
  const used = new Set<string>();
  const fresh: { variable: string; position: number }[] = [];

  for (const [variable, nextPos] of nextBy) {
    const prevPos = prevBy.get(variable) ?? [];
    const prevList = prevPos.map((i) => prevLoops[i]);
    const nextList = nextPos.map((i) => nextLoops[i]);
    // match[k] = index into prevList of the loop nextList[k] continues, or -1 for a new loop.
    let match: number[];
    if (prevList.length === nextList.length) {
      match = nextList.map((_, k) => k);
    } else if (Math.abs(prevList.length - nextList.length) === 1) {
      const longer = nextList.length > prevList.length ? nextList : prevList;
      const shorter = longer === nextList ? prevList : nextList;
      let p = 0;
      while (p < shorter.length && sameLoop(shorter[p], longer[p])) p++;
      let s = 0;
      while (s < shorter.length - p && sameLoop(shorter[shorter.length - 1 - s], longer[longer.length - 1 - s])) s++;
      // The extra loop of the longer list: just inside the changed one, within the unchanged suffix.
      const extra = Math.max(0, Math.min(p + 1, longer.length - 1 - s));
      const toShorter = (k: number) => (k < extra ? k : k === extra ? -1 : k - 1);
      if (longer === nextList) {
        match = nextList.map((_, k) => toShorter(k));
      } else {
        match = nextList.map((_, k) => (k < extra ? k : k + 1));
      }
    } else {
      match = nextList.map((_, k) => (k < prevList.length ? k : -1));
    }
    match.forEach((m, k) => {
      const position = nextPos[k];
      const id = m >= 0 ? prevIds[prevPos[m]] : undefined;
      if (id !== undefined && !used.has(id)) {
        ids[position] = id;
        used.add(id);
      } else {
        fresh.push({ variable, position });
      }
    });
  }
  // Fresh ids: the smallest `variable.N` not in use (by this nest or the previous one).
  for (const id of prevIds) used.add(id);
  for (const { variable, position } of fresh) {
    let n = 0;
    while (used.has(`${variable}.${n}`)) n++;
    ids[position] = `${variable}.${n}`;
    used.add(ids[position]);
  }
  return ids;
}

export interface BuildGraphOptions {
  /** Index of the loop under the cursor (none when omitted or out of range). */
  cursor?: number;
  /** Loop ids (e.g. from `carryLoopIds`); `defaultLoopIds` when omitted. */
  ids?: readonly string[];
}

/** The LoopTune graph of a schedule. */
export function buildLoopGraph(problem: Problem, schedule: Schedule, options: BuildGraphOptions = {}): LoopGraph {
  const { loops } = schedule;
  const ids = options.ids && options.ids.length === loops.length ? options.ids : defaultLoopIds(loops);
  const cursor = options.cursor ?? -1;
  const steps = loopSteps(problem, schedule);
  const extents = loopExtents(problem, schedule);
  const occurrence = new Map<string, number>();

  const loopNodes: GraphLoopNode[] = loops.map((loop, i) => {
    const k = occurrence.get(loop.variable) ?? 0;
    occurrence.set(loop.variable, k + 1);
    return {
      kind: 'loop',
      id: ids[i],
      index: i,
      variable: loop.variable,
      occurrence: k,
      trip: loop.trip,
      tail: loop.tail,
      step: steps[i],
      extent: extents[i],
      text: loopText(loop),
      parallel: loop.parallel === true,
      cursor: i === cursor,
    };
  });

  const compute: GraphComputeNode = { kind: 'compute', id: 'compute', text: problem.op };
  const tensors = [
    { access: problem.output, role: 'output' as const },
    { access: problem.inputs[0], role: 'input' as const },
    { access: problem.inputs[1], role: 'input' as const },
  ];
  const packedAt = tensors.map(({ access }) => loops.findIndex((l) => l.packs?.includes(access.name)));
  const data: GraphDataNode[] = tensors.map(({ access, role }, t) => ({
    kind: 'data',
    id: `data:${access.name}`,
    tensor: access.name,
    role,
    text: tensorText(access),
    shape: [...access.shape],
    packedAt: packedAt[t] >= 0 ? loopNodes[packedAt[t]].id : null,
  }));

  const edges: GraphEdge[] = [];
  for (let i = 0; i + 1 < loopNodes.length; i++) {
    edges.push({ kind: 'nest', id: `nest:${loopNodes[i].id}`, source: loopNodes[i].id, target: loopNodes[i + 1].id });
  }
  const innermost = loopNodes[loopNodes.length - 1];
  if (innermost) edges.push({ kind: 'body', id: 'body', source: innermost.id, target: 'compute' });
  for (const d of data) {
    edges.push({
      kind: 'operand',
      id: `operand:${d.tensor}`,
      source: d.id,
      target: 'compute',
      tensor: d.tensor,
      role: d.role,
    });
  }
  for (const node of loopNodes) {
    tensors.forEach(({ access }, t) => {
      const stride = (access.strides[node.variable] ?? 0) * node.step;
      const inPack = packedAt[t] >= 0 && node.index > packedAt[t];
      edges.push({
        kind: 'access',
        id: `access:${node.id}:${access.name}`,
        source: node.id,
        target: data[t].id,
        tensor: access.name,
        stride,
        ...(inPack ? { packed: packedStride(access.strides, loops, node.index) } : {}),
      });
    });
  }
  for (const d of data)
    if (d.packedAt)
      edges.push({ kind: 'pack', id: `pack:${d.tensor}`, source: d.packedAt, target: d.id, tensor: d.tensor });

  const cursorNode = loopNodes[cursor];
  return { loops: loopNodes, compute, data, edges, cursorId: cursorNode ? cursorNode.id : null };
}

/**
 * Elements the packed copy of a tensor moves per iteration of loop `l` inside its pack: the copy
 * holds the panel in the order the loops inside read it, one slot per iteration (a tail counts as
 * a whole one), so a loop's stride is the number of slots of the loops inside it over the tensor's
 * variables (the generator's layout, wasm/src/plan.cpp iter_stride).
 */
function packedStride(strides: Record<string, number>, loops: readonly Loop[], l: number): number {
  if (!strides[loops[l].variable]) return 0;
  let block = 1;
  for (let d = l + 1; d < loops.length; d++)
    if (strides[loops[d].variable]) block *= loops[d].trip + (loops[d].tail > 0 ? 1 : 0);
  return block;
}

/** The access edges of one loop, in the order of `graph.data`: one stride per tensor. */
export function loopStrides(graph: LoopGraph, loopId: string): { tensor: string; stride: number }[] {
  return graph.data.map((d) => {
    const edge = graph.edges.find((e) => e.kind === 'access' && e.source === loopId && e.target === d.id);
    return { tensor: d.tensor, stride: edge && edge.kind === 'access' ? edge.stride : 0 };
  });
}
