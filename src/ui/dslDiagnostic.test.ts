import { Text } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { parseProblemText } from '../core/problem.ts';
import { DslError } from '../core/dsl.ts';
import { diagnosticAt } from './dslDiagnostic.ts';

const doc = (s: string) => Text.of(s.split('\n'));

function errorOf(text: string): { message: string; line: number; col: number } {
  try {
    parseProblemText(text);
  } catch (e) {
    if (e instanceof DslError) return { message: e.message, line: e.line, col: e.col };
    throw e;
  }
  throw new Error('expected an error');
}

describe('diagnosticAt', () => {
  it("marks the word at the core's line and column", () => {
    const text = 'C[m,n] += A[q,k] * B[k,n]\nm=8, n=8, k=8';
    const error = errorOf(text);
    const d = diagnosticAt(doc(text), error);
    expect(text.slice(d.from, d.to)).toBe('q');
    expect(d).toMatchObject({ severity: 'error', message: error.message });
  });

  it('marks a word on the sizes line', () => {
    const text = 'C[m,n] += A[m,k] * B[k,n]\nm=8, n=8, k=8x';
    const d = diagnosticAt(doc(text), errorOf(text));
    expect(d.from).toBeGreaterThan(text.indexOf('\n'));
    expect(d.to).toBeGreaterThan(d.from);
  });

  it('clamps places past the end of a line or of the text', () => {
    const text = 'C[m,n] += A[m';
    expect(diagnosticAt(doc(text), { message: 'x', line: 1, col: 99 })).toMatchObject({
      from: text.length - 1,
      to: text.length,
    });
    expect(diagnosticAt(doc(text), { message: 'x', line: 7, col: 1 })).toMatchObject({ from: 0, to: 1 });
    expect(diagnosticAt(doc(''), { message: 'x', line: 1, col: 1 })).toMatchObject({ from: 0, to: 0 });
  });
});
