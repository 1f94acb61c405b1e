// The agent's environment (LoopTune's): an episode starts from the problem's default schedule
// with the cursor on the outermost loop and lasts `steps` (10) actions from AGENT_ACTIONS. Each
// step must be legal (the core's legality; `mask()` is the agent's action mask), and earns
//   reward = (GFLOPS after - GFLOPS before) / peak GFLOPS,
// so an episode's rewards add up to (final - default) / peak.
import {
  AGENT_ACTIONS,
  actionMask,
  applyAction,
  legalActions,
  type Action,
  type ActionLegality,
} from '../core/actions.ts';
import { defaultSchedule } from '../core/schedule.ts';
import type { NestState, Problem } from '../core/types.ts';
import type { GflopsOracle } from './oracle.ts';

export const EPISODE_STEPS = 10;

export class IllegalActionError extends Error {
  constructor(
    readonly action: Action,
    readonly reason: string,
  ) {
    super(`illegal action ${action}: ${reason}`);
    this.name = 'IllegalActionError';
  }
}

export interface EnvOptions {
  /** Actions per episode (default 10). */
  steps?: number;
  /** The action space (default LoopTune's seven). */
  actions?: readonly Action[];
}

export interface StepResult {
  action: Action;
  state: NestState;
  gflops: number;
  reward: number;
  /** The episode has used all its steps. */
  done: boolean;
}

export class LoopEnv {
  readonly steps: number;
  readonly actions: readonly Action[];
  private current: { problem: Problem; state: NestState; gflops: number; t: number } | null = null;

  constructor(
    private oracle: GflopsOracle,
    /** Normalizes rewards (the machine's measured peak, see peakGflopsOnce). */
    readonly peakGflops: number,
    options: EnvOptions = {},
  ) {
    if (!(peakGflops > 0)) throw new RangeError(`peak GFLOPS must be positive, got ${peakGflops}`);
    this.steps = options.steps ?? EPISODE_STEPS;
    this.actions = options.actions ?? AGENT_ACTIONS;
  }

  /** Starts an episode: the default schedule, cursor on the outermost loop. */
  async reset(problem: Problem): Promise<NestState> {
    const state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
    const gflops = await this.oracle.gflops(problem, state.schedule);
    this.current = { problem, state, gflops, t: 0 };
    return state;
  }

  private get episode() {
    if (!this.current) throw new Error('call reset(problem) before using the environment');
    return this.current;
  }

  get problem(): Problem {
    return this.episode.problem;
  }
  get state(): NestState {
    return this.episode.state;
  }
  get gflops(): number {
    return this.episode.gflops;
  }
  /** Steps taken in this episode. */
  get t(): number {
    return this.episode.t;
  }
  get stepsLeft(): number {
    return this.steps - this.episode.t;
  }
  get done(): boolean {
    return this.episode.t >= this.steps;
  }

  /** One boolean per action of `actions`: legal in the current state. */
  mask(): boolean[] {
    return actionMask(this.problem, this.state, this.actions);
  }

  /** Legality with the reason for every illegal action (for people watching the agent). */
  legality(): ActionLegality[] {
    return legalActions(this.problem, this.state, this.actions);
  }

  /** Applies an action (by name or index into `actions`); throws IllegalActionError if illegal. */
  async step(action: Action | number): Promise<StepResult> {
    const ep = this.episode;
    if (this.done) throw new Error(`the episode is over (${this.steps} steps); call reset`);
    const name = typeof action === 'number' ? this.actions[action] : action;
    if (name === undefined || !this.actions.includes(name))
      throw new RangeError(`action ${String(action)} is not in the action space`);
    const r = applyAction(ep.problem, ep.state, name);
    if (!r.ok) throw new IllegalActionError(name, r.reason);
    const gflops = await this.oracle.gflops(ep.problem, r.state.schedule);
    const reward = (gflops - ep.gflops) / this.peakGflops;
    ep.state = r.state;
    ep.gflops = gflops;
    ep.t++;
    return { action: name, state: r.state, gflops, reward, done: this.done };
  }
}
