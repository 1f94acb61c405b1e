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

  it('keeps the palette colours apart: no two closer than 40 in RGB', () => {
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    for (let i = 0; i < VARIABLE_PALETTE.length; i++) {
      for (let j = i + 1; j < VARIABLE_PALETTE.length; j++) {
        const [a, b] = [rgb(VARIABLE_PALETTE[i]), rgb(VARIABLE_PALETTE[j])];
        const distance = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
        expect(distance, `${VARIABLE_PALETTE[i]} and ${VARIABLE_PALETTE[j]}`).toBeGreaterThanOrEqual(40);
      }
    }
  });

  it("gives unknown variables a readable grey that no preset's variable wears, and tints as rgba", () => {
    const unknown = variableColor({ variables: ['m', 'n'] }, 'q');
    expect(unknown).toBe('#5b5b5b');
    expect(1.05 / (luminance(unknown) + 0.05)).toBeGreaterThanOrEqual(4.5);
    for (const preset of PRESETS) {
      const problem = parseProblemText(preset.text);
      const colors = problem.variables.map((v) => variableColor(problem, v));
      expect(colors, preset.id).not.toContain(unknown);
    }
    expect(variableTint({ variables: ['m', 'n'] }, 'm', 0.2)).toBe('rgba(31, 95, 191, 0.2)');
    expect(variableTint({ variables: ['m', 'n'] }, 'n')).toBe('rgba(179, 71, 0, 0.14)');
  });
});
