import { describe, expect, it } from 'vitest';
import { actionBars } from './actionValues.ts';

describe('action value bars', () => {
  it('draws positive values from the left edge and marks the chosen and the illegal ones', () => {
    const { bars, zero } = actionBars(
      [
        { action: 'up', value: 0.5, output: 0.5, legal: false, reason: 'the cursor is on the outermost loop' },
        { action: 'down', value: 0.25, output: 0.25, legal: true },
        { action: 'split_4', value: 0, output: 0, legal: true },
      ],
      'down',
    );
    expect(zero).toBe(0);
    expect(bars.map((b) => [b.left, b.width])).toEqual([
      [0, 1],
      [0, 0.5],
      [0, 0],
    ]);
    expect(bars.map((b) => b.chosen)).toEqual([false, true, false]);
    expect(bars[0]).toMatchObject({ legal: false, reason: 'the cursor is on the outermost loop', label: '0.500' });
    expect(bars[1].reason).toBeUndefined();
  });

  it('puts the zero line inside the track when values are negative', () => {
    const { bars, zero } = actionBars(
      [
        { action: 'up', value: -1, output: -1, legal: true },
        { action: 'down', value: 3, output: 3, legal: true },
        { action: 'swap_up', value: Number.NaN, output: Number.NaN, legal: false },
      ],
      'down',
    );
    expect(zero).toBe(0.25);
    expect(bars[0]).toMatchObject({ left: 0, width: 0.25 });
    expect(bars[1]).toMatchObject({ left: 0.25, width: 0.75 });
    expect(bars[2]).toMatchObject({ left: 0.25, width: 0, label: 'n/a', reason: 'not possible here' });
  });

  it('draws probabilities on a fixed 0..1 scale, in percent', () => {
    const { bars, zero } = actionBars(
      [
        { action: 'up', value: 0, output: 0, legal: false, reason: 'the cursor is on the outermost loop' },
        { action: 'down', value: 0.6, output: 0.6, legal: true },
        { action: 'split_4', value: 0.3995, output: 0.3995, legal: true },
        { action: 'split_8', value: 0.0005, output: 0.0005, legal: true },
      ],
      'down',
      'probability',
    );
    expect(zero).toBe(0);
    expect(bars.map((b) => b.width)).toEqual([0, 0.6, 0.3995, 0.0005]);
    expect(bars.map((b) => b.label)).toEqual(['0.0%', '60.0%', '40.0%', '<0.1%']);
  });
});
