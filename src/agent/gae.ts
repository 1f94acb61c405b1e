// Generalized advantage estimation (Schulman et al., arXiv 1506.02438) over a run of steps that
// may hold several episodes back to back. `done[t]` ends an episode at step t, so nothing after it
// flows back; a run that stops without `done` is bootstrapped from `lastValue`, the critic's value
// of the state after its last step.

export interface GaeInput {
  rewards: readonly number[];
  /** The critic's value of the state each step was taken from. */
  values: readonly number[];
  /** True where the step ended its episode. */
  dones: readonly boolean[];
  /** Value of the state after the last step; unused when that step is done. */
  lastValue: number;
  gamma: number;
  lambda: number;
}

export interface GaeResult {
  advantages: number[];
  /** The critic's targets: advantage + value. */
  returns: number[];
}

export function generalizedAdvantages({ rewards, values, dones, lastValue, gamma, lambda }: GaeInput): GaeResult {
  const n = rewards.length;
  if (values.length !== n || dones.length !== n) {
    throw new RangeError(
      `GAE needs one value and one done per reward: ${n} rewards, ${values.length} values, ${dones.length} dones`,
    );
  }
  const advantages = new Array<number>(n);
  const returns = new Array<number>(n);
  let adv = 0;
  for (let t = n - 1; t >= 0; t--) {
    const live = dones[t] ? 0 : 1;
    const nextValue = t + 1 < n ? values[t + 1] : lastValue;
    const delta = rewards[t] + gamma * nextValue * live - values[t];
    adv = delta + gamma * lambda * live * adv;
    advantages[t] = adv;
    returns[t] = adv + values[t];
  }
  return { advantages, returns };
}
