// One colour per problem variable, used everywhere on the page (loop nest, graph, code, compare).
// Stable: a variable's colour is chosen by its index in problem.variables, so `m` of matmul is
// always the first colour. The palette is dark enough for text on a light background (contrast
// >= 4.5:1 against white, checked in colors.test.ts) and its hues stay apart on a washed-out
// projector and for the common colour-vision deficiencies (blue/orange/purple/green first).
import type { Problem } from '../core/types.ts';

export const VARIABLE_PALETTE: readonly string[] = [
  '#1f5fbf', // blue
  '#b34700', // orange
  '#7b3fb8', // purple
  '#18794e', // green
  '#c0245b', // crimson
  '#0b6e80', // teal
  '#7a5c00', // ochre
  '#5b5b5b', // grey
];

/** Colour of a variable of the problem; unknown variables get a neutral grey. */
export function variableColor(problem: Pick<Problem, 'variables'>, variable: string): string {
  const index = problem.variables.indexOf(variable);
  if (index < 0) return '#5b5b5b';
  return VARIABLE_PALETTE[index % VARIABLE_PALETTE.length];
}

/** The colour as a light background tint (for highlighted rows, graph node fills). */
export function variableTint(problem: Pick<Problem, 'variables'>, variable: string, alpha = 0.14): string {
  const hex = variableColor(problem, variable).slice(1);
  const r = parseInt(hex.slice(0, 2), 16);
  const g = parseInt(hex.slice(2, 4), 16);
  const b = parseInt(hex.slice(4, 6), 16);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
