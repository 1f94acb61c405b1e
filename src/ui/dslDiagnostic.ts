// Where the core's problem error goes in the editor: its 1-based line and column become a lint
// diagnostic over the word there (or one character). Pure, so it is tested beside this file.
import type { Diagnostic } from '@codemirror/lint';

/** The parts of a CodeMirror document this needs. */
export interface DocLines {
  lines: number;
  line(n: number): { from: number; to: number; text: string };
}

/** The diagnostic of an error: the word (or character) at its line and column, clamped to the text. */
export function diagnosticAt(doc: DocLines, error: { message: string; line: number; col: number }): Diagnostic {
  const line = doc.line(Math.max(1, Math.min(doc.lines, error.line)));
  let from = Math.min(line.to, line.from + Math.max(0, error.col - 1));
  let to = from;
  while (to < line.to && /[A-Za-z0-9_]/.test(line.text[to - line.from])) to++;
  if (to === from && from < line.to) to = from + 1;
  if (to === from && from > line.from) from -= 1;
  return { from, to, severity: 'error', message: error.message, source: 'problem' };
}
