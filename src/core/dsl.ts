// Tokenizer and parser of the problem DSL: the statement `C[m,n] += A[m,k] * B[k,n]` and the sizes
// `m=256, n=256, k=256`. Syntax only; meaning (shapes, strides, limits) lives in problem.ts.
import { excerpt } from './format.ts';

/** Where a DSL error points: a line of the problem text, or the sizes text on its own. */
export type DslPlace = { kind: 'line'; line: number } | { kind: 'sizes' };

/** A problem DSL error; the message starts with the place (`line 1, col 14: ...`) and names a fix. */
export class DslError extends Error {
  /** 1-based line (2 for the sizes text when it is given on its own, as in `problemText`). */
  line: number;
  /** 1-based column. */
  col: number;
  /** The message without the place prefix. */
  detail: string;
  constructor(place: DslPlace, col: number, detail: string) {
    const prefix = place.kind === 'line' ? `line ${place.line}, col ${col}` : `sizes, col ${col}`;
    super(`${prefix}: ${detail}`);
    this.name = 'DslError';
    this.line = place.kind === 'line' ? place.line : 2;
    this.col = col;
    this.detail = detail;
  }
}

export type TokenKind = 'ident' | 'int' | '[' | ']' | ',' | '+' | '*' | '+=' | '=' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  col: number;
}

// Character classes by char code: cheaper than a regular expression test per character.
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);

/** Splits the statement text into tokens; `firstLine` is the line number of its first line. */
export function tokenize(text: string, firstLine: number): Token[] {
  const tokens: Token[] = [];
  let line = firstLine;
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const col = i - lineStart + 1;
    if (ch === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    const code = text.charCodeAt(i);
    if (isIdentStart(code)) {
      let j = i + 1;
      while (j < text.length && isIdentPart(text.charCodeAt(j))) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j), line, col });
      i = j;
      continue;
    }
    if (isDigit(code)) {
      let j = i + 1;
      while (j < text.length && isDigit(text.charCodeAt(j))) j++;
      tokens.push({ kind: 'int', text: text.slice(i, j), line, col });
      i = j;
      continue;
    }
    if (ch === '+' && text[i + 1] === '=') {
      tokens.push({ kind: '+=', text: '+=', line, col });
      i += 2;
      continue;
    }
    if (ch === '[' || ch === ']' || ch === ',' || ch === '+' || ch === '*' || ch === '=') {
      tokens.push({ kind: ch, text: ch, line, col });
      i++;
      continue;
    }
    throw new DslError(
      { kind: 'line', line },
      col,
      `unexpected character '${ch}'; write tensors like A[m,k] using names, integers, [ ] , + * and +=`,
    );
  }
  tokens.push({ kind: 'end', text: '', line, col: text.length - lineStart + 1 });
  return tokens;
}

/** A variable occurrence in an index expression, with its source position. */
export interface TermNode {
  variable: string;
  coef: number;
  line: number;
  col: number;
}

export interface IndexNode {
  terms: TermNode[];
  line: number;
  col: number;
}

export interface TensorNode {
  name: string;
  indices: IndexNode[];
  line: number;
  col: number;
}

export interface StatementNode {
  output: TensorNode;
  inputs: [TensorNode, TensorNode];
}

export const MAX_COEF = 16;

/** Canonical text of an index expression: `2*oh+kh`. */
export function indexText(terms: { variable: string; coef: number }[]): string {
  return terms.map((t) => (t.coef === 1 ? t.variable : `${t.coef}*${t.variable}`)).join('+');
}

/** Canonical text of a tensor access: `I[ci,2*oh+kh,ow+kw]`. */
export function tensorText(t: { name: string; indices: { variable: string; coef: number }[][] }): string {
  return `${t.name}[${t.indices.map(indexText).join(',')}]`;
}

/** A tensor access for a message (shortened when huge). */
function nodeText(t: TensorNode): string {
  return excerpt(tensorText({ name: t.name, indices: t.indices.map((i) => i.terms) }));
}

const EXAMPLE = 'C[m,n] += A[m,k] * B[k,n]';

function describe(tok: Token): string {
  return tok.kind === 'end' ? 'the end of the statement' : `'${excerpt(tok.text)}'`;
}

/** Checks that every '[' is closed before the next '[' and every ']' has its '['. */
function checkBrackets(tokens: Token[]): void {
  let open: Token | null = null;
  let owner = '';
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok.kind === '[') {
      if (open) {
        throw new DslError(
          { kind: 'line', line: open.line },
          open.col,
          `'[' of ${owner} is never closed; add ']' after its indices`,
        );
      }
      open = tok;
      owner = i > 0 && tokens[i - 1].kind === 'ident' ? excerpt(tokens[i - 1].text) : 'the tensor';
    } else if (tok.kind === ']') {
      if (!open) {
        throw new DslError(
          { kind: 'line', line: tok.line },
          tok.col,
          `unmatched ']'; remove it or add the '[' it closes`,
        );
      }
      open = null;
    } else if (tok.kind === 'end' && open) {
      throw new DslError(
        { kind: 'line', line: open.line },
        open.col,
        `'[' of ${owner} is never closed; add ']' after its indices`,
      );
    }
  }
}

/** Parses the statement `OUT[...] += IN0[...] * IN1[...]` (syntax only). */
export function parseStatement(text: string, firstLine: number): StatementNode {
  const tokens = tokenize(text, firstLine);
  if (tokens.length === 1) {
    throw new DslError({ kind: 'line', line: firstLine }, 1, `the operation is empty; write one like ${EXAMPLE}`);
  }
  checkBrackets(tokens);
  let pos = 0;
  const peek = (): Token => tokens[pos];
  const next = (): Token => tokens[pos++];
  const fail = (tok: Token, detail: string): never => {
    throw new DslError({ kind: 'line', line: tok.line }, tok.col, detail);
  };

  function parseTerm(tensor: string): TermNode {
    const tok = next();
    if (tok.kind === 'ident') {
      if (peek().kind === '*') {
        const star = next();
        const c = peek();
        if (c.kind === 'int')
          fail(
            c,
            `write the constant first: '${excerpt(c.text)}*${excerpt(tok.text)}' instead of '${excerpt(tok.text)}*${excerpt(c.text)}'`,
          );
        fail(star, `unexpected '*' in an index of ${tensor}; a coefficient goes before its variable, as in 2*oh`);
      }
      return { variable: tok.text, coef: 1, line: tok.line, col: tok.col };
    }
    if (tok.kind === 'int') {
      if (peek().kind !== '*') {
        fail(
          tok,
          `constant offset '${excerpt(tok.text)}' in an index of ${tensor}; an index is a sum of variables, optionally times a small integer (2*oh+kh)`,
        );
      }
      next();
      const v = peek();
      if (v.kind !== 'ident')
        fail(
          v,
          `expected a variable after '${excerpt(tok.text)}*' in an index of ${tensor}, found ${describe(v)}; write e.g. ${excerpt(tok.text)}*oh`,
        );
      next();
      const coef = Number(tok.text);
      if (coef < 1 || coef > MAX_COEF) {
        fail(
          tok,
          `coefficient ${excerpt(tok.text)} of '${excerpt(v.text)}' in ${tensor} is out of range; use an integer from 1 to ${MAX_COEF}`,
        );
      }
      return { variable: v.text, coef, line: v.line, col: v.col };
    }
    return fail(
      tok,
      `expected a variable in an index of ${tensor}, found ${describe(tok)}; write indices like ${tensor}[m,k]`,
    );
  }

  function parseIndex(tensor: string): IndexNode {
    const start = peek();
    const terms: TermNode[] = [parseTerm(tensor)];
    while (peek().kind === '+') {
      next();
      terms.push(parseTerm(tensor));
    }
    const seen = new Set<string>();
    for (const t of terms) {
      if (seen.has(t.variable)) {
        fail(
          { kind: 'ident', text: t.variable, line: t.line, col: t.col },
          `variable '${excerpt(t.variable)}' appears twice in one index of ${tensor}; combine it into one term like 2*${excerpt(t.variable)}`,
        );
      }
      seen.add(t.variable);
    }
    return { terms, line: start.line, col: start.col };
  }

  function parseTensor(role: string): TensorNode {
    const nameTok = next();
    if (nameTok.kind !== 'ident') {
      fail(nameTok, `expected the ${role} tensor, found ${describe(nameTok)}; write it like A[m,k] (${EXAMPLE})`);
    }
    const name = excerpt(nameTok.text);
    const open = next();
    if (open.kind !== '[') {
      fail(
        open,
        `expected '[' after tensor name '${name}', found ${describe(open)}; write its indices like ${name}[m,k]`,
      );
    }
    if (peek().kind === ']') {
      fail(peek(), `${name}[] has no indices; write at least one, like ${name}[m]`);
    }
    const indices: IndexNode[] = [parseIndex(name)];
    for (;;) {
      const tok = next();
      if (tok.kind === ']') break;
      if (tok.kind === ',') {
        indices.push(parseIndex(name));
        continue;
      }
      fail(
        tok,
        `expected ',' or ']' in ${name}[...], found ${describe(tok)}; separate indices with commas, like ${name}[m,k]`,
      );
    }
    return { name: nameTok.text, indices, line: nameTok.line, col: nameTok.col };
  }

  const output = parseTensor('output');
  const op = next();
  if (op.kind !== '+=') {
    const found = op.kind === 'end' ? 'the statement ends there' : `found ${describe(op)}`;
    fail(
      op,
      `expected '+=' after ${nodeText(output)}, ${found}; the output accumulates: write ${nodeText(output)} += A[..] * B[..]`,
    );
  }
  const in0 = parseTensor('first input');
  const star = peek();
  if (star.kind !== '*') {
    const found = star.kind === 'end' ? 'the statement ends there' : `found ${describe(star)}`;
    fail(
      star,
      `expected '*' and a second input after ${nodeText(in0)}, ${found}; the two inputs are multiplied: write ${nodeText(in0)} * B[..]`,
    );
  }
  next();
  const in1 = parseTensor('second input');
  const after = peek();
  if (after.kind === '*') {
    next();
    let third = '...';
    try {
      third = nodeText(parseTensor('third input'));
    } catch {
      // keep the generic text
    }
    fail(after, `more than two inputs: looplab multiplies exactly two; remove '* ${third}'`);
  }
  if (after.kind !== 'end') {
    fail(
      after,
      `unexpected ${describe(after)} after ${nodeText(in1)}; the statement ends after the second input (sizes go on their own line)`,
    );
  }
  return { output, inputs: [in0, in1] };
}

/** One `name=value` item of the sizes text. */
export interface SizeItem {
  name: string;
  value: number;
  line: number | null;
  col: number;
}

/** One line of sizes text; `line` is null when the sizes are given on their own (`sizes, col N`). */
export interface SizesLine {
  text: string;
  line: number | null;
}

export const MAX_SIZE = 1 << 24;

function placeOf(line: number | null): DslPlace {
  return line === null ? { kind: 'sizes' } : { kind: 'line', line };
}

/** Parses `m=256, n=256, k=256` (commas and/or whitespace between items, any number of lines). */
export function parseSizes(lines: SizesLine[]): SizeItem[] {
  const items: SizeItem[] = [];
  const seen = new Map<string, SizeItem>();
  for (const { text, line } of lines) {
    const place = placeOf(line);
    let i = 0;
    const skipSpaces = () => {
      while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
    };
    while (i < text.length) {
      const ch = text[i];
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === ',') {
        i++;
        continue;
      }
      const col = i + 1;
      if (!isIdentStart(text.charCodeAt(i))) {
        let j = i;
        while (j < text.length && !/[\s,]/.test(text[j])) j++;
        throw new DslError(
          place,
          col,
          `expected a size like m=256, found '${excerpt(text.slice(i, j))}'; write sizes as name=integer, e.g. m=256, n=256`,
        );
      }
      let j = i + 1;
      while (j < text.length && isIdentPart(text.charCodeAt(j))) j++;
      const name = text.slice(i, j);
      const quoted = excerpt(name);
      i = j;
      skipSpaces();
      if (text[i] !== '=') {
        throw new DslError(place, col, `expected '=' after '${quoted}'; write its size like ${quoted}=256`);
      }
      i++;
      skipSpaces();
      const vcol = i + 1;
      let k = i;
      while (k < text.length && !/[\s,=]/.test(text[k])) k++;
      const raw = text.slice(i, k);
      i = k;
      if (raw === '') {
        throw new DslError(place, vcol, `size of '${quoted}' is missing; write it like ${quoted}=256`);
      }
      if (!/^[0-9]+$/.test(raw) || Number(raw) === 0) {
        throw new DslError(
          place,
          vcol,
          `size of '${quoted}' must be a positive integer, got '${excerpt(raw)}'; write e.g. ${quoted}=64`,
        );
      }
      const value = Number(raw);
      if (value > MAX_SIZE) {
        throw new DslError(
          place,
          vcol,
          `size of '${quoted}' is ${excerpt(raw)}, over the limit of ${MAX_SIZE} per variable; use a smaller size`,
        );
      }
      if (seen.has(name)) {
        throw new DslError(place, col, `size of '${quoted}' is given twice; keep one`);
      }
      const item: SizeItem = { name, value, line, col };
      seen.set(name, item);
      items.push(item);
    }
  }
  return items;
}

export { placeOf };
