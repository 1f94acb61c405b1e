// GAE against values worked out by hand (gamma = lambda = 0.5, so gamma * lambda = 0.25).
import { describe, expect, it } from 'vitest';
import { generalizedAdvantages } from './gae.ts';

const half = { gamma: 0.5, lambda: 0.5 };

describe('generalizedAdvantages', () => {
  it('stops at the end of an episode and ignores the value after it', () => {
    // t=2: 3 - 2 = 1; t=1: 2 + 0.5*2 - 1 = 2, + 0.25*1 = 2.25; t=0: 1 + 0.5*1 - 0.5 = 1, + 0.25*2.25 = 1.5625
    const r = generalizedAdvantages({
      rewards: [1, 2, 3],
      values: [0.5, 1, 2],
      dones: [false, false, true],
      lastValue: 100,
      ...half,
    });
    expect(r.advantages).toEqual([1.5625, 2.25, 1]);
    expect(r.returns).toEqual([2.0625, 3.25, 3]);
  });

  it('bootstraps a run cut off before its episode ends from the last value', () => {
    // t=2: 3 + 0.5*4 - 2 = 3; t=1: 2 + 0.25*3 = 2.75; t=0: 1 + 0.25*2.75 = 1.6875
    const r = generalizedAdvantages({
      rewards: [1, 2, 3],
      values: [0.5, 1, 2],
      dones: [false, false, false],
      lastValue: 4,
      ...half,
    });
    expect(r.advantages).toEqual([1.6875, 2.75, 3]);
    expect(r.returns).toEqual([2.1875, 3.75, 5]);
  });

  it('keeps episodes laid back to back apart', () => {
    // The second episode (t=2) is bootstrapped; the first ends at t=1 and sees nothing of it.
    // t=2: 3 + 0.5*4 - 2 = 3; t=1: 2 - 1 = 1; t=0: 1 + 0.5*1 - 0.5 = 1, + 0.25*1 = 1.25
    const r = generalizedAdvantages({
      rewards: [1, 2, 3],
      values: [0.5, 1, 2],
      dones: [false, true, false],
      lastValue: 4,
      ...half,
    });
    expect(r.advantages).toEqual([1.25, 1, 3]);
    expect(r.returns).toEqual([1.75, 2, 5]);
  });

  it('is the discounted return minus the value at lambda 1 and the one-step TD error at lambda 0', () => {
    const episode = { rewards: [1, 1, 1], values: [0.5, 1, 2], dones: [false, false, true], lastValue: 0, gamma: 0.5 };
    // Returns 1 + 0.5 + 0.25 = 1.75, 1.5, 1 minus the values.
    expect(generalizedAdvantages({ ...episode, lambda: 1 }).advantages).toEqual([1.25, 0.5, -1]);
    // r + 0.5 * next value - value: 1 + 0.5 - 0.5, 1 + 1 - 1, 1 - 2.
    expect(generalizedAdvantages({ ...episode, lambda: 0 }).advantages).toEqual([1, 1, -1]);
  });

  it('handles an empty run and refuses mismatched lengths', () => {
    expect(generalizedAdvantages({ rewards: [], values: [], dones: [], lastValue: 1, ...half })).toEqual({
      advantages: [],
      returns: [],
    });
    expect(() =>
      generalizedAdvantages({ rewards: [1, 2], values: [0], dones: [true, true], lastValue: 0, ...half }),
    ).toThrow(/one value and one done per reward: 2 rewards, 1 values/);
  });
});
