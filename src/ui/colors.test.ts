import { describe, expect, it } from 'vitest';
import { parseProblemText, PRESETS } from '../core/problem.ts';
import { VARIABLE_PALETTE, variableColor, variableTint } from './colors.ts';

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

describe('variableColor', () => {
  it('is stable by index in problem.variables and distinct within a problem', () => {
    for (const preset of PRESETS) {
      const problem = parseProblemText(preset.text);
      const colors = problem.variables.map((v) => variableColor(problem, v));
      expect(colors[0]).toBe(VARIABLE_PALETTE[0]);
      if (problem.variables.length <= VARIABLE_PALETTE.length) expect(new Set(colors).size).toBe(colors.length);
      expect(variableColor(problem, problem.variables[0])).toBe(colors[0]);
    }
  });

  it('is readable as text on white (contrast >= 4.5)', () => {
    for (const color of VARIABLE_PALETTE) {
      expect(1.05 / (luminance(color) + 0.05)).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('gives grey to unknown variables and tints as rgba', () => {
    const problem = { variables: ['m', 'n'] };
    expect(variableColor(problem, 'q')).toMatch(/^#/);
    expect(variableTint(problem, 'm', 0.2)).toBe('rgba(31, 95, 191, 0.2)');
  });
});
