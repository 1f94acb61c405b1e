// "Why did that change?": one or two sentences on a change of schedule, built only from facts of
// the two schedules (src/core/facts.ts) and, when given, the code generator's reports of their
// kernels (vectorized variable, accumulator tile). Every number in a sentence is computed here.
import {
  type CacheAssumption,
  CACHE,
  l1Sets,
  LANES,
  scheduleFacts,
  trafficEstimate,
  type AccessKind,
  type ScheduleFacts,
  type TensorStride,
} from './facts.ts';
import { formatBytes } from './problem.ts';
import { formatGflops } from './format.ts';
import { loopsText, loopText, packElements } from './schedule.ts';
import type { Loop, Problem, Schedule } from './types.ts';

/** A loop of the kernel's schedule that the generator's report names: the loop and its index (0 = outermost). */
export interface ReportLoop extends Loop {
  index: number;
}

/** What explanations use of a kernel's decisions; the code generator's KernelReport extends it. */
export interface KernelFacts {
  /** Variable of the innermost loop, vectorized with f32x4 (4 lanes). */
  vectorizedVariable: string;
  /** Access kind per tensor name along the vectorized variable. */
  access: Record<string, AccessKind>;
  /** True when the output lacks the vectorized variable (lanes are partial sums, added horizontally). */
  horizontalSum: boolean;
  /** Loops fully unrolled into the register tile, outermost first (none when the innermost loop is too long to unroll whole). */
  tileLoops: ReportLoop[];
  /** Accumulator registers of the tile: f32x4 and scalar (tails). */
  vectorAccumulators: number;
  scalarAccumulators: number;
  /** Loops across which the accumulators stay in registers, outermost first. */
  heldAcross: ReportLoop[];
  /** Multiply-adds in one pass of the unrolled tile. */
  unrolledMultiplyAdds: number;
  /** Vectors per iteration when the innermost loop is too long to unroll (0 otherwise). */
  innermostUnroll?: number;
  /** When the requested tile did not fit the registers: what the generator kept as a loop, in words. */
  tileReduction?: string;
}

/** The vector registers of x86-64 with SSE/AVX, where V8 maps wasm v128 values. */
export const VECTOR_REGISTERS = 16;

export type ExplanationTopic = 'cursor' | 'pack' | 'innermost' | 'tile' | 'l1' | 'tails' | 'l2' | 'outer';

export interface Explanation {
  /** One or two sentences. */
  sentences: string[];
  /** What each sentence is about, in the same order. */
  topics: ExplanationTopic[];
  before: ScheduleFacts;
  after: ScheduleFacts;
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function mib(bytes: number): string {
  return formatBytes(Math.round(bytes));
}

function gflopsClause(before?: number | null, after?: number | null): string {
  const ok = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
  if (ok(before) && ok(after)) {
    const r = after / before;
    const x = (q: number) => q.toFixed(q < 2 ? 2 : 1);
    const ratio = r >= 1 ? `${x(r)}× faster` : `${x(1 / r)}× slower`;
    return `${formatGflops(before)} → ${formatGflops(after)} GFLOPS (${ratio})`;
  }
  if (ok(after)) return `now ${formatGflops(after)} GFLOPS`;
  return '';
}

function strideWords(s: TensorStride, variable: string, vectorized: boolean, lineBytes: number): string {
  if (s.elements === 0)
    return vectorized
      ? `${s.tensor} stays put (stride 0: one value broadcast to the 4 lanes)`
      : `${s.tensor} stays put (stride 0)`;
  if (s.elements === 1)
    return vectorized
      ? `${s.tensor} moves by 1 float (contiguous: one v128 load per 4 values of ${variable})`
      : `${s.tensor} moves by 1 float (contiguous)`;
  const line = s.bytes >= lineBytes ? `, a new ${lineBytes}-byte line every step` : '';
  return `${s.tensor} moves by ${s.elements} floats (${formatBytes(s.bytes)}${line}${vectorized ? ', gathered lane by lane' : ''})`;
}

/** Strides of the innermost loop, grouped: `B and C move by 1 float …, A stays put …`. */
function stridesText(f: ScheduleFacts, vectorized: boolean): string {
  const groups = new Map<number, TensorStride[]>();
  for (const s of f.strides) groups.set(s.elements, [...(groups.get(s.elements) ?? []), s]);
  const parts: string[] = [];
  for (const [, group] of [...groups].sort((a, b) => Math.abs(a[0] - 1) - Math.abs(b[0] - 1))) {
    const words = strideWords(group[0], f.innermost.variable, vectorized, f.cache.lineBytes);
    const names = list(group.map((s) => s.tensor));
    parts.push(
      group.length > 1
        ? words
            .replace(`${group[0].tensor} moves`, `${names} move`)
            .replace(`${group[0].tensor} stays`, `${names} stay`)
        : words,
    );
  }
  return list(parts);
}

function vectorsText(f: ScheduleFacts): string {
  const v = `${f.vectors} f32x4 vector${f.vectors === 1 ? '' : 's'}`;
  return f.scalarRest > 0 ? `${v} + ${f.scalarRest} scalar value${f.scalarRest === 1 ? '' : 's'}` : v;
}

function innermostSentence(b: ScheduleFacts, a: ScheduleFacts, report?: KernelFacts): string | null {
  if (b.innermost.variable === a.innermost.variable) {
    if (b.innermost.extent === a.innermost.extent) return null;
    return `the innermost loop is now ${a.innermost.text} (was ${b.innermost.text}), with the same strides (${stridesText(a, false)}); one pass of it is ${vectorsText(a)} (was ${vectorsText(b)})`;
  }
  const vv = report?.vectorizedVariable ?? a.innermost.variable;
  const how = a.vectors > 0 ? `vectorized along ${vv}` : `${vectorsText(a)}, too short for an f32x4`;
  const head = `the innermost loop is now ${a.innermost.text} (was ${b.innermost.text}), ${how}: ${stridesText(a, a.vectors > 0)}`;
  const worse = b.strides.filter(
    (s) => s.elements > 1 && a.strides.find((t) => t.tensor === s.tensor)?.elements !== s.elements,
  );
  const was =
    worse.length > 0
      ? `; before, ${list(worse.map((s) => `${s.tensor} moved by ${s.elements} floats (${formatBytes(s.bytes)}) per step`))}`
      : '';
  const hsum =
    report?.horizontalSum && a.vectors > 0
      ? `; ${a.strides[0].tensor} has no ${vv}, so the 4 lanes hold partial sums added at the end`
      : '';
  return head + was + hsum;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function tileText(r: KernelFacts): string {
  const accs = r.vectorAccumulators + r.scalarAccumulators;
  const kinds = [
    r.vectorAccumulators ? `${r.vectorAccumulators} f32x4` : '',
    r.scalarAccumulators ? `${r.scalarAccumulators} f32` : '',
  ]
    .filter(Boolean)
    .join(' + ');
  const held = r.heldAcross.length > 0 ? `, held in registers across ${loopsText(r.heldAcross)}` : '';
  if (r.tileLoops.length === 0) {
    const per = r.innermostUnroll ? `${plural(r.innermostUnroll, 'vector')} per iteration, ` : '';
    return `the innermost loop is too long to unroll whole: it handles ${per}with ${plural(accs, 'accumulator')} (${kinds})${held}`;
  }
  return `the unrolled tile ${loopsText(r.tileLoops)} keeps ${plural(accs, 'accumulator')} (${kinds})${held}, ${plural(r.unrolledMultiplyAdds, 'multiply-add instruction')} per pass`;
}

function tileSentence(b?: KernelFacts, a?: KernelFacts): string | null {
  if (!a || !b) return null;
  // Without a tile (innermost loop too long to unroll) `heldAcross` names the innermost loop
  // itself, which the innermost-loop sentence already covers.
  const key = (r: KernelFacts) =>
    [
      loopsText(r.tileLoops) || `innermost x${r.innermostUnroll ?? 0}`,
      r.vectorAccumulators,
      r.scalarAccumulators,
      r.tileLoops.length > 0 ? loopsText(r.heldAcross) : '',
    ].join('|');
  if (key(a) === key(b)) return null;
  const spill = a.tileReduction
    ? `; ${a.tileReduction}`
    : a.vectorAccumulators + 2 > VECTOR_REGISTERS
      ? `; ${a.vectorAccumulators} f32x4 accumulators plus the operands need more than the ${VECTOR_REGISTERS} vector registers, so values spill to memory`
      : '';
  return `${tileText(a)} (before: ${tileText(b)})${spill}`;
}

/** Why the loops from `from` do not fit the L1: bytes, or a tensor crowding one set. */
function l1Reason(f: ScheduleFacts, from: number): string {
  const l = f.levels[from];
  if (!l.setConflict) return `${formatBytes(l.bytes)}`;
  const t = l.perTensor.find((p) => p.tensor === l.setConflict!.tensor)!;
  return `${formatBytes(l.bytes)}, and ${t.lines} lines of ${t.tensor} would crowd ${l.setConflict.perSet} into one of L1's ${l1Sets(f.cache)} sets of ${f.cache.l1Ways} ways`;
}

function l1Text(f: ScheduleFacts, now: boolean): string {
  const n = f.levels.length;
  if (f.l1From === null) {
    return `not even the innermost loop ${f.innermost.text} fit${now ? 's' : ''} the L1 (it touches ${l1Reason(f, n - 1)})`;
  }
  const l = f.levels[f.l1From];
  const outside = f.l1From > 0 ? `; with the next loop out it would be ${l1Reason(f, f.l1From - 1)}` : '';
  return `${now ? 'the inner loops ' : 'only '}${l.loopsText} fit${now ? ` the ${formatBytes(f.cache.l1Bytes)} L1` : ''} with ${formatBytes(l.bytes)} per run (${l.runs} run${l.runs === 1 ? '' : 's'}${outside})`;
}

function l1Sentence(b: ScheduleFacts, a: ScheduleFacts): string | null {
  const tb = trafficEstimate(b, 'l1');
  const ta = trafficEstimate(a, 'l1');
  const block = (f: ScheduleFacts) => (f.l1From === null ? '' : f.levels[f.l1From].loopsText);
  if (block(a) === block(b) || Math.max(ta, tb) < 1.5 * Math.min(ta, tb)) return null;
  return `${l1Text(a, true)}; before, ${l1Text(b, false)}: roughly ${mib(ta)} instead of ${mib(tb)} come into L1 over the run`;
}

function l2Sentence(b: ScheduleFacts, a: ScheduleFacts): string | null {
  const l2Bytes = a.cache.l2Bytes;
  if (l2Bytes === null) return null;
  const tb = trafficEstimate(b, 'l2');
  const ta = trafficEstimate(a, 'l2');
  if (Math.max(ta, tb) < 1.5 * Math.min(ta, tb)) return null;
  const fit = (f: ScheduleFacts) => {
    if (f.l2From === null) return 'no inner loops fit';
    const l = f.levels[f.l2From];
    return `${l.loopsText} fit with ${formatBytes(l.bytes)} per run (${l.runs} run${l.runs === 1 ? '' : 's'})`;
  };
  return `in the ${formatBytes(l2Bytes)} L2, the inner loops ${fit(a)} (before, ${fit(b)}): roughly ${mib(ta)} instead of ${mib(tb)} come from memory over the run`;
}

function tailsSentence(b: ScheduleFacts, a: ScheduleFacts): string | null {
  const key = (f: ScheduleFacts) => `${f.tails.loops.map((l) => l.text).join(' ')}|${f.scalarRest}`;
  if (key(a) === key(b)) return null;
  const share = (f: ScheduleFacts) => `${(f.tails.share * 100).toFixed(1)}%`;
  const parts: string[] = [];
  if (a.tails.loops.length > 0) {
    const values = a.tails.perVariable
      .filter((v) => v.tailValues > 0)
      .map((v) => `${v.tailValues} of ${v.size} ${v.variable} values`);
    parts.push(
      `the loop${a.tails.loops.length === 1 ? '' : 's'} ${list(a.tails.loops.map((l) => l.text))} leave${a.tails.loops.length === 1 ? 's' : ''} ${list(values)} to partial iterations: ${share(a)} of the multiply-adds run in tail code (was ${share(b)})`,
    );
  } else if (b.tails.loops.length > 0) {
    parts.push(
      `no loop has a tail any more (before, ${list(b.tails.loops.map((l) => l.text))} sent ${share(b)} of the multiply-adds to tail code)`,
    );
  }
  if (a.scalarRest !== b.scalarRest && a.innermost.variable !== b.innermost.variable) {
    parts.push(
      a.scalarRest > 0
        ? `the innermost loop ${a.innermost.text} covers ${a.innermost.extent} values: ${a.vectors} f32x4 vector${a.vectors === 1 ? '' : 's'} and ${a.scalarRest} left for scalar code`
        : `the innermost loop ${a.innermost.text} is a whole number of f32x4 vectors (${a.vectors})`,
    );
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Explains the change from schedule `before` to `after` in one or two sentences, from facts of the
 * schedules and (when given) the generator's reports of their kernels and their measured GFLOPS.
 * Used after each action (`src/ui/ExplainPanel.tsx`); lessons and handouts may quote it.
 */
export function explainChange(
  problem: Problem,
  before: Schedule,
  after: Schedule,
  beforeReport?: KernelFacts,
  afterReport?: KernelFacts,
  beforeGflops?: number | null,
  afterGflops?: number | null,
  cache: CacheAssumption = CACHE,
): Explanation {
  const b = scheduleFacts(problem, before, cache);
  const a = scheduleFacts(problem, after, cache);
  const figures = gflopsClause(beforeGflops, afterGflops);
  const lead = (s: string) => capitalize(figures ? `${figures}: ${s}` : s);

  if (a.schedule === b.schedule) {
    return {
      sentences: [
        lead(
          `only the cursor moved; the schedule ${a.schedule} and so its kernel are unchanged, and its figure is the same measurement.`,
        ),
      ],
      topics: ['cursor'],
      before: b,
      after: a,
    };
  }

  const candidates: [ExplanationTopic, string | null][] = [
    ['pack', packSentence(problem, before, after)],
    ['innermost', innermostSentence(b, a, afterReport)],
    ['tile', tileSentence(beforeReport, afterReport)],
    ['l1', l1Sentence(b, a)],
    ['tails', tailsSentence(b, a)],
    ['l2', l2Sentence(b, a)],
  ];
  const chosen = candidates.filter((c): c is [ExplanationTopic, string] => c[1] !== null).slice(0, 2);
  if (chosen.length === 0) {
    const block = (f: ScheduleFacts) => (f.l1From === null ? 'none' : f.levels[f.l1From].loopsText);
    const sameBlock = block(a) === block(b);
    const parts = [
      `the innermost loop ${a.innermost.text} with its strides (${stridesText(a, false)})`,
      afterReport && beforeReport ? 'the register tile' : '',
      sameBlock ? `the inner loops that fit L1 (${block(a)})` : '',
      'the tails',
    ].filter(Boolean);
    const moved = sameBlock
      ? ''
      : `; the inner loops that fit L1 are now ${block(a)} (was ${block(b)}), moving about as many bytes (roughly ${mib(trafficEstimate(a, 'l1'))} vs ${mib(trafficEstimate(b, 'l1'))})`;
    const same = `${list(parts)} are as before${moved}`;
    const change =
      figures && beforeGflops && afterGflops && Math.abs(afterGflops / beforeGflops - 1) < 0.1
        ? '; a change this small is within the noise of a quick figure'
        : '; only the order or blocking of the outer loops changed';
    chosen.push(['outer', same + change]);
  }
  const sentences = chosen.map(([, s], i) => `${i === 0 ? lead(s) : capitalize(s)}.`);
  return { sentences, topics: chosen.map(([t]) => t), before: b, after: a };
}

/** Where each input is packed: tensor name -> loop index. */
function packedAt(schedule: Schedule): Map<string, number> {
  const at = new Map<string, number>();
  schedule.loops.forEach((loop, i) => {
    for (const t of loop.packs ?? []) at.set(t, i);
  });
  return at;
}

/** What a change of packs does: which panel is copied where, in which layout, and how big. */
function packSentence(problem: Problem, before: Schedule, after: Schedule): string | null {
  const was = packedAt(before);
  const now = packedAt(after);
  const parts: string[] = [];
  for (const input of problem.inputs) {
    const t = input.name;
    const i = now.get(t);
    const loopOf = (s: Schedule, k: number) => loopText({ ...s.loops[k], packs: [] });
    if (i === undefined) {
      const j = was.get(t);
      if (j !== undefined)
        parts.push(`${t} is no longer packed: the loops inside ${loopOf(before, j)} read it where it lies again`);
      continue;
    }
    const j = was.get(t);
    const inside = after.loops.slice(i + 1).filter((l) => (input.strides[l.variable] ?? 0) !== 0);
    const sameLayout =
      j !== undefined &&
      loopOf(before, j) === loopOf(after, i) &&
      before.loops
        .slice(j + 1)
        .map(loopText)
        .join(' ') ===
        after.loops
          .slice(i + 1)
          .map(loopText)
          .join(' ');
    if (sameLayout) continue;
    const kib = (packElements(problem, after.loops, i, t) * 4) / 1024;
    parts.push(
      `${t} is ${j === undefined ? 'now' : 'now instead'} packed at each iteration of ${loopOf(after, i)}: the ${kib < 10 ? kib.toFixed(1) : Math.round(kib)} KiB the loops inside read are copied, laid out ${inside.map((l) => loopText({ ...l, packs: [] })).join(' x ')} as they read them, so the tile reads one contiguous panel; the copy costs one pass over it per iteration`,
    );
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/** The schedule's facts in one line: innermost strides, vectors, the inner loops that fit L1. */
export function factsSummary(f: ScheduleFacts): string {
  const strides = f.strides.map((s) => `${s.tensor} stride ${s.elements}`).join(', ');
  const vectors = `${f.vectors} × f32x4${f.scalarRest ? ` + ${f.scalarRest} scalar` : ''} (${LANES} lanes)`;
  const l1 =
    f.l1From === null
      ? 'no inner loops fit L1'
      : `${f.levels[f.l1From].loopsText} fit L1 (${formatBytes(f.levels[f.l1From].bytes)})`;
  const tails = f.tails.share > 0 ? `; ${(f.tails.share * 100).toFixed(1)}% in tails` : '';
  return `innermost ${f.innermost.text}: ${strides}; ${vectors}; ${l1}${tails}`;
}
