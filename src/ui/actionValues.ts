// The bars of the agent panel: one per action of the policy, its Q-value drawn from a zero line
// (values may be negative), the chosen action marked, illegal ones with the core's reason.
import type { Action } from '../core/actions.ts';
import type { AgentActionValue } from '../store/types.ts';

export interface ActionBar {
  action: Action;
  q: number;
  /** The value as shown: 3 decimals, or "n/a" when not finite. */
  label: string;
  chosen: boolean;
  legal: boolean;
  reason?: string;
  /** Left edge and width of the bar as fractions of the track (0..1). */
  left: number;
  width: number;
}

export interface ActionBars {
  bars: ActionBar[];
  /** Where the zero line is on the track (0..1). */
  zero: number;
}

export function actionBars(values: readonly AgentActionValue[], chosen: Action): ActionBars {
  const finite = values.map((v) => v.q).filter(Number.isFinite);
  const lo = Math.min(0, ...finite);
  const hi = Math.max(0, ...finite);
  const span = hi - lo || 1;
  const at = (x: number) => (x - lo) / span;
  const zero = at(0);
  const bars = values.map((v): ActionBar => {
    const ok = Number.isFinite(v.q);
    const end = ok ? at(v.q) : zero;
    const bar: ActionBar = {
      action: v.action,
      q: v.q,
      label: ok ? v.q.toFixed(3) : 'n/a',
      chosen: v.action === chosen,
      legal: v.legal,
      left: Math.min(zero, end),
      width: Math.abs(end - zero),
    };
    if (!v.legal) bar.reason = v.reason ?? 'not possible here';
    return bar;
  });
  return { bars, zero };
}

/** The best GFLOPS of a rollout (its start included) and the step that reached it (0 = the start). */
export function bestOfRollout(startGflops: number | undefined, steps: readonly { gflops: number }[]): { gflops: number; index: number } | null {
  let best: { gflops: number; index: number } | null = startGflops !== undefined ? { gflops: startGflops, index: 0 } : null;
  steps.forEach((s, i) => {
    if (!best || s.gflops > best.gflops) best = { gflops: s.gflops, index: i + 1 };
  });
  return best;
}
