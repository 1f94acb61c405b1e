// The problem: a parsed contraction with its derived shapes, strides and FLOP count.
import { DslError, parseSizes, parseStatement, placeOf, tensorText } from './dsl.ts';
import { excerpt } from './format.ts';
import type { DslPlace, SizeItem, SizesLine, StatementNode, TensorNode } from './dsl.ts';
import { MAX_LOOPS } from './limits.ts';
import { TAIL_TOKEN } from './schedule.ts';
import type { IndexTerm, Problem, TensorAccess } from './types.ts';

export { DslError, MAX_SIZE } from './dsl.ts';

/** Total f32 bytes the three tensors may take. */
export const MEMORY_CAP_BYTES = 512 * 1024 * 1024;

/** Human-readable byte count: `3.0 GiB`, `512 MiB`, `12.0 MiB`. */
export function formatBytes(bytes: number): string {
  const GiB = 1024 * 1024 * 1024;
  const MiB = 1024 * 1024;
  const KiB = 1024;
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  if (bytes >= MiB) return `${fmt(Math.round((bytes / MiB) * 10) / 10)} MiB`;
  if (bytes >= KiB) return `${fmt(Math.round((bytes / KiB) * 10) / 10)} KiB`;
  return `${bytes} B`;
}

/** Shape and strides of a tensor from its index expressions. */
function layout(
  name: string,
  indices: IndexTerm[][],
  sizes: Record<string, number>,
  variables: string[],
): TensorAccess {
  const shape = indices.map((terms) => terms.reduce((sum, t) => sum + t.coef * (sizes[t.variable] - 1), 0) + 1);
  const dimStrides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    dimStrides[d] = s;
    s *= shape[d];
  }
  const strides: Record<string, number> = {};
  for (const v of variables) strides[v] = 0;
  indices.forEach((terms, d) => {
    for (const t of terms) strides[t.variable] += t.coef * dimStrides[d];
  });
  return { name, indices, shape, strides, elements: s };
}

function termsOf(t: TensorNode): IndexTerm[][] {
  return t.indices.map((i) => i.terms.map((term) => ({ variable: term.variable, coef: term.coef })));
}

/** A tensor access for a message (shortened when huge). */
function accessText(t: TensorNode): string {
  return excerpt(tensorText({ name: t.name, indices: termsOf(t) }));
}

/**
 * Builds the problem from the parsed statement and sizes; checks meaning and limits. Linear in the
 * size of the statement (a problem may come from a link), and the loop limit is checked before
 * anything lists the variables.
 */
function build(
  stmt: StatementNode,
  opPlace: (line: number) => DslPlace,
  items: SizeItem[],
  sizesStart: { place: DslPlace; col: number },
): Problem {
  const { output } = stmt;
  const tensors = [output, ...stmt.inputs];
  const errAt = (node: { line: number; col: number }, detail: string): never => {
    throw new DslError(opPlace(node.line), node.col, detail);
  };

  // Tensor names must be distinct.
  for (let i = 1; i < tensors.length; i++) {
    for (let j = 0; j < i; j++) {
      if (tensors[i].name === tensors[j].name) {
        errAt(tensors[i], `tensor name '${excerpt(tensors[i].name)}' is used twice; give each tensor its own name`);
      }
    }
  }
  // Schedule text writes a loop's tail as `r<digits>` (`m:24 r1`), so a variable of that name
  // would make printed schedules read back as other schedules.
  for (const t of tensors) {
    for (const index of t.indices) {
      for (const term of index.terms) {
        if (TAIL_TOKEN.test(term.variable)) {
          const name = excerpt(term.variable);
          errAt(
            term,
            `variable '${name}' reads as a tail in schedule text (as in m:24 r1); rename it, e.g. to '${name}_'`,
          );
        }
      }
    }
  }
  // Output indices: plain, distinct variables.
  const outVars: string[] = [];
  const outSet = new Set<string>();
  for (const index of output.indices) {
    if (index.terms.length !== 1 || index.terms[0].coef !== 1) {
      const idx = excerpt(index.terms.map((t) => (t.coef === 1 ? t.variable : `${t.coef}*${t.variable}`)).join('+'));
      errAt(
        index,
        `output index '${idx}' of ${accessText(output)} is not a plain variable; output indices must be plain variables, like C[m,n]`,
      );
    }
    const v = index.terms[0].variable;
    if (outSet.has(v)) {
      errAt(
        index,
        `variable '${excerpt(v)}' repeats in the output ${accessText(output)}; give each output index its own variable`,
      );
    }
    outSet.add(v);
    outVars.push(v);
  }
  // Every variable of the statement, in order of first appearance.
  const named = new Set<string>();
  for (const t of tensors) for (const i of t.indices) for (const term of i.terms) named.add(term.variable);
  if (named.size > MAX_LOOPS) {
    errAt(
      output,
      `the problem has ${named.size} variables, but a nest holds at most ${MAX_LOOPS} loops; use at most ${MAX_LOOPS} variables`,
    );
  }

  const sizes: Record<string, number> = {};
  for (const item of items) sizes[item.name] = item.value;

  if (items.length === 0) {
    throw new DslError(
      sizesStart.place,
      sizesStart.col,
      `no sizes given; declare one for every variable, like ${[...named].map((n) => `${excerpt(n)}=64`).join(', ')}`,
    );
  }

  // Every variable needs a size.
  for (const t of tensors) {
    for (const index of t.indices) {
      for (const term of index.terms) {
        if (!Object.hasOwn(sizes, term.variable)) {
          errAt(term, `unknown variable '${excerpt(term.variable)}' in ${accessText(t)}; declare a size for it`);
        }
      }
    }
  }

  // Variables: output order, then reductions in order of first appearance in the inputs.
  const inputVars = new Set<string>();
  for (const t of stmt.inputs) for (const i of t.indices) for (const term of i.terms) inputVars.add(term.variable);
  for (const index of output.indices) {
    const v = index.terms[0].variable;
    if (!inputVars.has(v)) {
      errAt(
        index,
        `output variable '${excerpt(v)}' of ${accessText(output)} appears in no input; use it in ${excerpt(stmt.inputs[0].name)} or ${excerpt(stmt.inputs[1].name)}, or remove it`,
      );
    }
  }
  const reductionVariables = [...inputVars].filter((v) => !outSet.has(v));
  const variables = [...outVars, ...reductionVariables];

  for (const item of items) {
    if (!named.has(item.name)) {
      throw new DslError(placeOf(item.line), item.col, `unused size '${excerpt(item.name)}'; remove it`);
    }
  }

  const out = layout(output.name, termsOf(output), sizes, variables);
  const in0 = layout(stmt.inputs[0].name, termsOf(stmt.inputs[0]), sizes, variables);
  const in1 = layout(stmt.inputs[1].name, termsOf(stmt.inputs[1]), sizes, variables);
  const bytes = 4 * (out.elements + in0.elements + in1.elements);
  if (bytes > MEMORY_CAP_BYTES) {
    throw new DslError(
      sizesStart.place,
      sizesStart.col,
      `problem needs ${formatBytes(bytes)} for its tensors, over the ${formatBytes(MEMORY_CAP_BYTES)} cap; use smaller sizes`,
    );
  }
  const flops = 2 * variables.reduce((p, v) => p * sizes[v], 1);
  if (!Number.isSafeInteger(flops)) {
    throw new DslError(
      sizesStart.place,
      sizesStart.col,
      `problem has ${flops.toExponential(1)} FLOPs, too many to count exactly; use smaller sizes`,
    );
  }

  // Sizes in variables order are the canonical order; the op canonical text rebuilds the statement.
  const orderedSizes: Record<string, number> = {};
  for (const v of variables) orderedSizes[v] = sizes[v];
  const op = `${tensorText(out)} += ${tensorText(in0)} * ${tensorText(in1)}`;
  return { op, sizes: orderedSizes, variables, reductionVariables, output: out, inputs: [in0, in1], flops };
}

function firstCol(text: string): number {
  const m = /[^\s,]/.exec(text);
  return m ? m.index + 1 : 1;
}

/**
 * Most characters of a problem's statement, of its sizes and of a whole problem text. A real
 * problem (at most 10 variables) takes a few hundred; a link can carry megabytes.
 */
export const MAX_PROBLEM_CHARS = 10_000;

/** Refuses text over MAX_PROBLEM_CHARS, pointing at the first character past the limit. */
function checkLength(text: string, what: string, place: (line: number) => DslPlace, firstLine: number): void {
  if (text.length <= MAX_PROBLEM_CHARS) return;
  const head = text.slice(0, MAX_PROBLEM_CHARS);
  let line = firstLine;
  for (let i = head.indexOf('\n'); i >= 0; i = head.indexOf('\n', i + 1)) line++;
  const col = MAX_PROBLEM_CHARS - head.lastIndexOf('\n');
  throw new DslError(
    place(line),
    col,
    `${what} is ${text.length} characters long, over the limit of ${MAX_PROBLEM_CHARS}; a problem is one statement and the sizes of at most ${MAX_LOOPS} variables`,
  );
}

/**
 * Parses a problem from its statement and its sizes, e.g. `C[m,n] += A[m,k] * B[k,n]` and
 * `m=256, n=256, k=256`. Errors in the statement say `line L, col C`; in the sizes `sizes, col C`.
 */
export function parseProblem(op: string, sizes: string): Problem {
  checkLength(op, 'the operation', (line) => ({ kind: 'line', line }), 1);
  const sizesLine = sizes.replace(/\n/g, ' ');
  checkLength(sizesLine, 'the sizes text', () => ({ kind: 'sizes' }), 1);
  const stmt = parseStatement(op, 1);
  const lines: SizesLine[] = [{ text: sizesLine, line: null }];
  const items = parseSizes(lines);
  return build(stmt, (line) => ({ kind: 'line', line }), items, {
    place: { kind: 'sizes' },
    col: firstCol(lines[0].text),
  });
}

/**
 * Parses a whole problem text: the statement on the first non-empty line, the sizes on the
 * lines after it. Line numbers in errors refer to this text.
 */
export function parseProblemText(text: string): Problem {
  checkLength(text, 'the problem text', (line) => ({ kind: 'line', line }), 1);
  const lines = text.split('\n');
  const opIndex = lines.findIndex((l) => l.trim() !== '');
  if (opIndex < 0) {
    throw new DslError(
      { kind: 'line', line: 1 },
      1,
      'the problem is empty; write an operation like C[m,n] += A[m,k] * B[k,n] and sizes like m=256, n=256, k=256 on the next line',
    );
  }
  const stmt = parseStatement(lines[opIndex], opIndex + 1);
  const sizeLines: SizesLine[] = lines.slice(opIndex + 1).map((l, i) => ({ text: l, line: opIndex + i + 2 }));
  const items = parseSizes(sizeLines);
  const firstSizes = sizeLines.find((l) => l.text.trim() !== '');
  const start = firstSizes
    ? { place: placeOf(firstSizes.line), col: firstCol(firstSizes.text) }
    : { place: placeOf(opIndex + 2), col: 1 };
  return build(stmt, (line) => ({ kind: 'line', line }), items, start);
}

/** Canonical sizes text: `m=256, n=256, k=256` in `variables` order. */
export function sizesText(p: Problem): string {
  return p.variables.map((v) => `${v}=${p.sizes[v]}`).join(', ');
}

/** Canonical problem text `op\nsizes`; `parseProblemText(problemText(p))` gives `p` back. */
export function problemText(p: Problem): string {
  return `${p.op}\n${sizesText(p)}`;
}

/** Total bytes of the three f32 tensors. */
export function problemBytes(p: Problem): number {
  return 4 * (p.output.elements + p.inputs[0].elements + p.inputs[1].elements);
}

export interface Preset {
  id: string;
  title: string;
  op: string;
  sizes: string;
  /** `op\nsizes`, ready for `parseProblemText`. */
  text: string;
}

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const CONV = 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]';

function preset(id: string, title: string, op: string, sizes: string): Preset {
  return { id, title, op, sizes, text: `${op}\n${sizes}` };
}

export const PRESETS: Preset[] = [
  ...[64, 128, 256, 384, 512, 1024].map((n) => preset(`matmul-${n}`, `matmul ${n}³`, MATMUL, `m=${n}, n=${n}, k=${n}`)),
  preset('matmul-512x128x1024', 'matmul 512×128×1024', MATMUL, 'm=512, n=128, k=1024'),
  preset(
    'bmm-attention',
    'batched matmul (attention-shaped)',
    'C[b,m,n] += A[b,m,k] * B[b,k,n]',
    'b=8, m=128, n=128, k=64',
  ),
  preset('conv-3x3', 'conv 3×3 (ResNet-like)', CONV, 'co=64, ci=64, oh=28, ow=28, kh=3, kw=3'),
  preset('conv-1x1', 'conv 1×1', CONV, 'co=64, ci=64, oh=28, ow=28, kh=1, kw=1'),
  preset('conv-3x3-256', 'conv 3×3, 256 channels', CONV, 'co=256, ci=256, oh=28, ow=28, kh=3, kw=3'),
  preset(
    'conv-3x3-stride2',
    'strided conv 3×3, stride 2',
    'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
    'co=128, ci=64, oh=28, ow=28, kh=3, kw=3',
  ),
  // XNNPACK's own filter layout: 16-channel micro-panels of the weights, prepared once per layer
  // (docs/benchmarks.md, "Deep convolutions with the weights blocked once").
  preset(
    'conv-3x3-512-blocked',
    'conv 512@7×7, W blocked',
    'O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,ci,cv]',
    'oh=7, ow=7, cb=32, cv=16, ci=512, kh=3, kw=3',
  ),
];
