// Experience replay for DQN: a ring buffer of transitions with n-step returns, sampled uniformly
// with a seeded generator into flat Float32Arrays ready for the network.
import { seededRandom } from '../core/random.ts';

export interface Transition {
  features: Float32Array;
  action: number;
  /** Discounted sum of the next n rewards. */
  ret: number;
  /** Features of the state n steps later (ignored when `discount` is 0). */
  next: Float32Array;
  /** Legal actions in that state. */
  nextMask: readonly boolean[];
  /** gamma^n, or 0 when the episode ended within the n steps. */
  discount: number;
}

export interface Batch {
  size: number;
  features: Float32Array;
  actions: Int32Array;
  returns: Float32Array;
  next: Float32Array;
  /** 1 for legal, 0 for illegal, `size x actions`. */
  nextMask: Float32Array;
  discounts: Float32Array;
}

export class ReplayBuffer {
  private items: Transition[] = [];
  private head = 0;
  private random: () => number;

  constructor(
    readonly capacity: number,
    readonly inputSize: number,
    readonly actionCount: number,
    seed = 1,
  ) {
    this.random = seededRandom(seed);
  }

  get size(): number {
    return this.items.length;
  }

  push(t: Transition): void {
    if (this.items.length < this.capacity) this.items.push(t);
    else this.items[this.head] = t;
    this.head = (this.head + 1) % this.capacity;
  }

  sample(size: number): Batch {
    const n = Math.min(size, this.items.length);
    const b: Batch = {
      size: n,
      features: new Float32Array(n * this.inputSize),
      actions: new Int32Array(n),
      returns: new Float32Array(n),
      next: new Float32Array(n * this.inputSize),
      nextMask: new Float32Array(n * this.actionCount),
      discounts: new Float32Array(n),
    };
    for (let i = 0; i < n; i++) {
      const t = this.items[Math.floor(this.random() * this.items.length)];
      b.features.set(t.features, i * this.inputSize);
      b.next.set(t.next, i * this.inputSize);
      b.actions[i] = t.action;
      b.returns[i] = t.ret;
      b.discounts[i] = t.discount;
      t.nextMask.forEach((ok, a) => {
        b.nextMask[i * this.actionCount + a] = ok ? 1 : 0;
      });
    }
    return b;
  }
}

export interface EpisodeStep {
  features: Float32Array;
  action: number;
  reward: number;
  /** Features and mask of the state after the action. */
  next: Float32Array;
  nextMask: readonly boolean[];
}

/**
 * n-step transitions of a finished episode: from step t, the discounted rewards of steps
 * t..t+n-1 and the state after step t+n-1 (discount 0 when that is past the episode's end).
 */
export function nStepTransitions(
  episode: readonly EpisodeStep[],
  n: number,
  gamma: number,
  endsEpisode = true,
): Transition[] {
  const out: Transition[] = [];
  for (let t = 0; t < episode.length; t++) {
    let ret = 0;
    let k = 0;
    for (; k < n && t + k < episode.length; k++) ret += gamma ** k * episode[t + k].reward;
    const last = episode[t + k - 1];
    const terminal = endsEpisode && t + k >= episode.length;
    out.push({
      features: episode[t].features,
      action: episode[t].action,
      ret,
      next: last.next,
      nextMask: last.nextMask,
      discount: terminal ? 0 : gamma ** k,
    });
  }
  return out;
}
