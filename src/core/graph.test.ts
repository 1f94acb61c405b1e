import { describe, expect, it } from 'vitest';
import { applyAction, type Action } from './actions.ts';
import { buildLoopGraph, carryLoopIds, defaultLoopIds, loopStrides, type LoopGraph } from './graph.ts';
import { parseProblem } from './problem.ts';
import { defaultSchedule, parseSchedule } from './schedule.ts';
import type { NestState, Problem } from './types.ts';

const mm = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
const conv = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=4, ci=3, oh=5, ow=5, kh=3, kw=3');
const conv2 = parseProblem(
  'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
  'co=4, ci=3, oh=5, ow=5, kh=3, kw=3',
);

/** Strides per loop as rows `text: [out, in0, in1]`. */
function strideTable(g: LoopGraph): [string, number[]][] {
  return g.loops.map((l) => [l.text, loopStrides(g, l.id).map((s) => s.stride)]);
}

describe('buildLoopGraph', () => {
  it('marks the parallel loop node and shows `||` in its text', () => {
    const g = buildLoopGraph(mm, parseSchedule(mm, 'm ||n k m:2'));
    expect(g.loops.map((l) => [l.text, l.parallel])).toEqual([
      ['m:128', false],
      ['||n:256', true],
      ['k:256', false],
      ['m:2', false],
    ]);
  });
  it('matmul m n k m:2 n:16: loop, compute and data nodes, strides by hand', () => {
    const s = parseSchedule(mm, 'm n k m:2 n:16');
    const g = buildLoopGraph(mm, s, { cursor: 3 });
    expect(g.loops.map((l) => l.text)).toEqual(['m:128', 'n:16', 'k:256', 'm:2', 'n:16']);
    expect(g.loops.map((l) => l.id)).toEqual(['m.0', 'n.0', 'k.0', 'm.1', 'n.1']);
    expect(g.loops.map((l) => l.step)).toEqual([2, 16, 1, 1, 1]);
    expect(g.cursorId).toBe('m.1');
    expect(g.loops.filter((l) => l.cursor).map((l) => l.id)).toEqual(['m.1']);
    expect(g.data.map((d) => [d.tensor, d.role, d.text, d.shape])).toEqual([
      ['C', 'output', 'C[m,n]', [256, 256]],
      ['A', 'input', 'A[m,k]', [256, 256]],
      ['B', 'input', 'B[k,n]', [256, 256]],
    ]);
    // C[m,n]: m 256, n 1.  A[m,k]: m 256, k 1.  B[k,n]: k 256, n 1.  Times each loop's step.
    expect(strideTable(g)).toEqual([
      ['m:128', [512, 512, 0]],
      ['n:16', [16, 0, 16]],
      ['k:256', [0, 1, 256]],
      ['m:2', [256, 256, 0]],
      ['n:16', [1, 0, 1]],
    ]);
    expect(g.compute.text).toBe('C[m,n] += A[m,k] * B[k,n]');
  });

  it('a packed input: the packing loop, and the strides of the packed copy inside it', () => {
    const g = buildLoopGraph(mm, parseSchedule(mm, 'k:8 pack(B) m n k:32 m:4 n:3'));
    expect(g.loops.map((l) => l.text)).toEqual(['k:8 pack(B)', 'm:64', 'n:85 r1', 'k:32', 'm:4', 'n:3']);
    expect(g.data.map((d) => d.packedAt)).toEqual([null, null, 'k.0']);
    expect(g.edges.filter((e) => e.kind === 'pack')).toEqual([
      { kind: 'pack', id: 'pack:B', source: 'k.0', target: 'data:B', tensor: 'B' },
    ]);
    // The copy holds 3-wide micro-panels of B, 32 deep, for the 86 slots of n (the tail is a whole slot).
    const b = g.edges.filter((e) => e.kind === 'access' && e.tensor === 'B');
    expect(b.map((e) => (e.kind === 'access' ? [e.source, e.stride, e.packed] : null))).toEqual([
      ['k.0', 8192, undefined],
      ['m.0', 0, 0],
      ['n.0', 3, 96],
      ['k.1', 256, 3],
      ['m.1', 0, 0],
      ['n.1', 1, 1],
    ]);
    expect(g.edges.some((e) => e.kind === 'access' && e.tensor !== 'B' && e.packed !== undefined)).toBe(false);
  });

  it('edges: nesting chain, innermost loop to compute, data to compute, loop to data', () => {
    const g = buildLoopGraph(mm, parseSchedule(mm, 'm n k m:2 n:16'));
    const nest = g.edges.filter((e) => e.kind === 'nest').map((e) => `${e.source}>${e.target}`);
    expect(nest).toEqual(['m.0>n.0', 'n.0>k.0', 'k.0>m.1', 'm.1>n.1']);
    expect(g.edges.filter((e) => e.kind === 'body').map((e) => `${e.source}>${e.target}`)).toEqual(['n.1>compute']);
    expect(g.edges.filter((e) => e.kind === 'operand').map((e) => `${e.source}>${e.target}`)).toEqual([
      'data:C>compute',
      'data:A>compute',
      'data:B>compute',
    ]);
    const access = g.edges.filter((e) => e.kind === 'access');
    expect(access).toHaveLength(5 * 3);
    expect(access.find((e) => e.source === 'k.0' && e.target === 'data:B')).toMatchObject({ stride: 256 });
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(g.edges.length);
    expect(g.cursorId).toBeNull();
  });

  it('conv: strides by hand, including the shared rows of I (oh+kh)', () => {
    // O [4,5,5]: co 25, oh 5, ow 1.  I [3,7,7]: ci 49, oh 7, kh 7, ow 1, kw 1.  W [4,3,3,3]: co 27, ci 9, kh 3, kw 1.
    const s = parseSchedule(conv, 'co oh ow ci kh kw');
    const g = buildLoopGraph(conv, s);
    expect(g.data.map((d) => d.shape)).toEqual([
      [4, 5, 5],
      [3, 7, 7],
      [4, 3, 3, 3],
    ]);
    expect(strideTable(g)).toEqual([
      ['co:4', [25, 0, 27]],
      ['oh:5', [5, 7, 0]],
      ['ow:5', [1, 1, 0]],
      ['ci:3', [0, 49, 9]],
      ['kh:3', [0, 7, 3]],
      ['kw:3', [0, 1, 1]],
    ]);
    // A split multiplies by the step.
    const split = buildLoopGraph(conv, parseSchedule(conv, 'co ow oh ci kh kw ow:2'));
    expect(split.loops[1]).toMatchObject({ text: 'ow:2 r1', step: 2, extent: 5 });
    expect(strideTable(split)[1]).toEqual(['ow:2 r1', [2, 2, 0]]);
    expect(strideTable(split)[6]).toEqual(['ow:2', [1, 1, 0]]);
  });

  it('strided conv: I moves by 2 rows per oh and 2 columns per ow', () => {
    // I [3, 2*4+2+1 = 11, 11]: ci 121, oh 2*11, kh 11, ow 2, kw 1.
    const g = buildLoopGraph(conv2, defaultSchedule(conv2));
    expect(g.data[1].shape).toEqual([3, 11, 11]);
    expect(strideTable(g)).toEqual([
      ['co:4', [25, 0, 27]],
      ['oh:5', [5, 22, 0]],
      ['ow:5', [1, 2, 0]],
      ['ci:3', [0, 121, 9]],
      ['kh:3', [0, 11, 3]],
      ['kw:3', [0, 1, 1]],
    ]);
  });
});

describe('loop ids across actions', () => {
  function step(
    problem: Problem,
    state: NestState,
    ids: string[],
    action: Action,
  ): { state: NestState; ids: string[] } {
    const r = applyAction(problem, state, action);
    if (!r.ok) throw new Error(r.reason);
    return { state: r.state, ids: carryLoopIds(state.schedule.loops, ids, r.state.schedule.loops) };
  }

  it('default ids: variable and occurrence', () => {
    expect(defaultLoopIds(parseSchedule(mm, 'm n k m:2 n:16').loops)).toEqual(['m.0', 'n.0', 'k.0', 'm.1', 'n.1']);
  });

  it('a swap keeps both ids and exchanges their places', () => {
    let st: NestState = { schedule: defaultSchedule(mm), cursor: 0 };
    let ids = defaultLoopIds(st.schedule.loops);
    ({ state: st, ids } = step(mm, st, ids, 'swap_down'));
    expect(ids).toEqual(['n.0', 'm.0', 'k.0']);
    expect(st.cursor).toBe(1);
  });

  it('a split keeps the outer loop and gives the new inner loop a fresh id', () => {
    let st: NestState = { schedule: parseSchedule(mm, 'm n k m:2'), cursor: 0 };
    let ids = defaultLoopIds(st.schedule.loops); // m.0 n.0 k.0 m.1
    ({ state: st, ids } = step(mm, st, ids, 'split_4'));
    // m:32 m:4 n k m:2: the outer m keeps m.0, the new m:4 is m.2, the old m:2 keeps m.1.
    expect(st.schedule.loops.map((l) => `${l.variable}:${l.trip}`)).toEqual(['m:32', 'm:4', 'n:256', 'k:256', 'm:2']);
    expect(ids).toEqual(['m.0', 'm.2', 'n.0', 'k.0', 'm.1']);
    // Merging the new loop back removes exactly its id.
    ({ state: st, ids } = step(mm, { ...st, cursor: 1 }, ids, 'merge'));
    expect(ids).toEqual(['m.0', 'n.0', 'k.0', 'm.1']);
  });

  it('merging an inner loop drops its id, the enclosing loop keeps its own', () => {
    let st: NestState = { schedule: parseSchedule(mm, 'm n k m:2 n:16'), cursor: 4 };
    let ids = defaultLoopIds(st.schedule.loops);
    ({ state: st, ids } = step(mm, st, ids, 'merge'));
    expect(ids).toEqual(['m.0', 'n.0', 'k.0', 'm.1']);
    expect(st.schedule.loops[1]).toMatchObject({ variable: 'n', trip: 256 });
  });

  it('trip-1 loops: the unchanged suffix decides which loop is new or gone', () => {
    const st: NestState = { schedule: parseSchedule(mm, 'm n k m:2'), cursor: 3 };
    const ids = defaultLoopIds(st.schedule.loops);
    // m:2 split by 2 -> m:1 m:2 (refused as an action since it changes nothing, but a person may
    // type it): m.1 stays on the outer (cursor) loop, which now reads m:1.
    const after = parseSchedule(mm, 'm n k m:1 m:2');
    const split = { state: { schedule: after, cursor: 3 }, ids: carryLoopIds(st.schedule.loops, ids, after.loops) };
    expect(split.state.schedule.loops.map((l) => l.trip)).toEqual([128, 256, 256, 1, 2]);
    expect(new Set(split.ids).size).toBe(5);
    expect(split.ids.slice(0, 3)).toEqual(['m.0', 'n.0', 'k.0']);
    // Merging the m:1 loop: ids of the rest unchanged.
    const merged = step(mm, { ...split.state, cursor: 4 }, split.ids, 'merge');
    expect(merged.state.schedule.loops.map((l) => l.trip)).toEqual([128, 256, 256, 2]);
    expect(merged.ids.slice(0, 3)).toEqual(['m.0', 'n.0', 'k.0']);
    expect(split.ids).toContain(merged.ids[3]);
  });

  it('ids stay unique over random action sequences', () => {
    const actions: Action[] = ['up', 'down', 'swap_up', 'swap_down', 'split_2', 'split_4', 'merge'];
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let run = 0; run < 50; run++) {
      let st: NestState = { schedule: defaultSchedule(mm), cursor: 0 };
      let ids = defaultLoopIds(st.schedule.loops);
      for (let i = 0; i < 30; i++) {
        const r = applyAction(mm, st, actions[Math.floor(rand() * actions.length)]);
        if (!r.ok) continue;
        const before = st.schedule.loops;
        ids = carryLoopIds(before, ids, r.state.schedule.loops);
        st = r.state;
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.every((id, k) => id.startsWith(`${st.schedule.loops[k].variable}.`))).toBe(true);
        const g = buildLoopGraph(mm, st.schedule, { cursor: st.cursor, ids });
        expect(g.loops.map((l) => l.id)).toEqual(ids);
      }
    }
  });

  it('a different nest (new problem, jump) falls back to fresh ids', () => {
    const ids = carryLoopIds(parseSchedule(mm, 'm n k').loops, ['m.0', 'n.0', 'k.0'], defaultSchedule(conv).loops);
    expect(ids).toEqual(['co.0', 'oh.0', 'ow.0', 'ci.0', 'kh.0', 'kw.0']);
  });
});
