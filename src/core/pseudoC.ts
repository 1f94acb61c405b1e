// The schedule as C: nested for loops, outermost first, over multi-dimensional arrays.
//
// Loops over one variable nest as splits. The innermost loop over `m` is named `m` and walks single
// elements; loops outside it are named `m0`, `m1`, ... and walk blocks of their step. An inner loop
// starts where its enclosing loop over the same variable is. Tails follow loop_tool: a loop whose
// extent is not a multiple of its step runs its full iterations and then one partial iteration, in
// which the loops inside stop at the end of the range (`m < m0 + 4 && m < 97`). The bound is only
// written where a partial iteration can reach. The text is valid C99 (a function over arrays).
// A parallel loop gets `#pragma omp parallel for` and a single bound (OpenMP's canonical form), so
// the C also compiles with -fopenmp.
import { loopExtents, loopSteps, loopText } from './schedule.ts';
import type { Problem, Schedule, TensorAccess } from './types.ts';

export interface ScheduleToCOptions {
  /** Name of the C function (default `kernel`). */
  name?: string;
}

const C_KEYWORDS = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
    'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
    '_Bool _Complex _Imaginary bool true false main'
  ).split(' '),
);

/** Hands out C identifiers: keeps a wanted name when it is free, else appends `_`. */
class Names {
  private taken = new Set<string>();
  take(want: string): string {
    let name = want;
    while (C_KEYWORDS.has(name) || this.taken.has(name)) name += '_';
    this.taken.add(name);
    return name;
  }
}

/** An index expression with C names: `2*oh + kh`. */
function indexC(terms: { variable: string; coef: number }[], names: Map<string, string>): string {
  if (terms.length === 0) return '0';
  return terms.map((t) => (t.coef === 1 ? names.get(t.variable) : `${t.coef}*${names.get(t.variable)}`)).join(' + ');
}

function accessC(t: TensorAccess, cname: string, names: Map<string, string>): string {
  return `${cname}${t.indices.map((idx) => `[${indexC(idx, names)}]`).join('')}`;
}

function paramC(t: TensorAccess, cname: string, isConst: boolean): string {
  return `${isConst ? 'const ' : ''}float ${cname}${t.shape.map((d) => `[${d}]`).join('')}`;
}

/** Pseudo-C of the schedule (valid C99): a function with one for loop per schedule loop. */
export function scheduleToC(problem: Problem, schedule: Schedule, options: ScheduleToCOptions = {}): string {
  const { loops } = schedule;
  const steps = loopSteps(problem, schedule);
  const extents = loopExtents(problem, schedule);
  const tensors = [problem.output, problem.inputs[0], problem.inputs[1]];

  // Names: tensors and the function first, then each variable's own name for its innermost loop,
  // then `v0`, `v1`, ... for the loops outside it.
  const names = new Names();
  const tensorNames = new Map<string, string>();
  for (const t of tensors) if (!tensorNames.has(t.name)) tensorNames.set(t.name, names.take(t.name));
  const fn = names.take(options.name ?? 'kernel');
  const count = new Map<string, number>();
  for (const l of loops) count.set(l.variable, (count.get(l.variable) ?? 0) + 1);
  const indexName = new Map<string, string>();
  for (const v of problem.variables) indexName.set(v, names.take(v));
  const occurrence = new Map<string, number>();
  const loopName = loops.map((l) => {
    const k = occurrence.get(l.variable) ?? 0;
    occurrence.set(l.variable, k + 1);
    if (k === (count.get(l.variable) ?? 1) - 1) return indexName.get(l.variable) as string;
    const base = `${l.variable}${k}`;
    return names.take(problem.variables.includes(base) || C_KEYWORDS.has(base) ? `${l.variable}_${k}` : base);
  });

  // Per variable: the enclosing loop's name and the bounds of its range (`x < bound` for each).
  const outerName = new Map<string, string>();
  const bounds = new Map<string, string[]>();
  const partial = new Map<string, boolean>();
  const lines: string[] = [];
  lines.push(`// ${problem.op}`);
  lines.push(`// ${problem.variables.map((v) => `${v}=${problem.sizes[v]}`).join(', ')}`);
  lines.push(`// schedule: ${loops.map(loopText).join(' ')}`);
  const params = tensors.map((t, i) => paramC(t, tensorNames.get(t.name) as string, i > 0));
  const head = `void ${fn}(`;
  const oneLine = `${head}${params.join(', ')}) {`;
  if (oneLine.length <= 72) lines.push(oneLine);
  else
    lines.push(
      ...params.map((p, i) => (i === 0 ? head : ' '.repeat(head.length)) + p + (i === params.length - 1 ? ') {' : ',')),
    );

  const heads: string[] = [];
  const pragmas: boolean[] = [];
  const notes: string[] = [];
  loops.forEach((loop, i) => {
    const v = loop.variable;
    const name = loopName[i];
    const step = steps[i];
    const parent = outerName.get(v);
    let start: string;
    let conds: string[];
    if (parent === undefined) {
      start = '0';
      conds = [String(problem.sizes[v])];
    } else {
      start = parent;
      conds = [`${parent} + ${extents[i]}`, ...(partial.get(v) ? (bounds.get(v) as string[]) : [])];
    }
    const test =
      loop.parallel && conds.length > 1
        ? `${name} < ${conds.reduce((a, b) => `(${a} < ${b} ? ${a} : ${b})`)}`
        : conds.map((c) => `${name} < ${c}`).join(' && ');
    const inc = step === 1 ? `${name}++` : `${name} += ${step}`;
    heads.push(`for (int ${name} = ${start}; ${test}; ${inc})`);
    pragmas.push(loop.parallel === true);
    notes.push(
      loop.tail > 0
        ? `${loopText(loop)}: ${loop.trip} x ${step}, then a tail of ${loop.tail}`
        : step > 1
          ? `${loopText(loop)}: ${loop.trip} x ${step}`
          : loopText(loop),
    );
    // What the loops inside over the same variable see.
    partial.set(v, (partial.get(v) ?? false) || loop.tail > 0);
    bounds.set(v, conds);
    outerName.set(v, name);
  });

  const pad = (depth: number) => '  '.repeat(depth + 1);
  const width = Math.max(0, ...heads.map((h, i) => pad(i).length + h.length));
  heads.forEach((h, i) => {
    if (pragmas[i]) lines.push(`${pad(i)}#pragma omp parallel for`);
    const text = pad(i) + h;
    lines.push(`${text.padEnd(width)}  // ${notes[i]}`);
    for (const name of loops[i].packs ?? []) {
      const inside = loops
        .slice(i + 1)
        .filter((l) => (problem.inputs.find((t) => t.name === name)?.strides[l.variable] ?? 0) !== 0)
        .map((l) => loopText({ ...l, packs: [] }));
      lines.push(
        `${pad(i + 1)}// pack(${name}): here the part of ${name} the loops below read is copied to a contiguous buffer, laid out ${inside.join(' x ')} in their order, and read from it`,
      );
    }
  });
  const [out, a, b] = tensors.map((t) => accessC(t, tensorNames.get(t.name) as string, indexName));
  lines.push(`${pad(loops.length)}${out} += ${a} * ${b};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
