// The bars of the agent panel: one per action of the policy, its value drawn from a zero line
// (Q-values may be negative; probabilities run from 0 to 1), the chosen action marked, illegal
// ones with the core's reason.
import type { Action } from '../core/actions.ts';
import type { AgentActionValue, AgentValueKind } from '../store/types.ts';

export interface ActionBar {
  action: Action;
  value: number;
  /** The network's output (a logit when the value is a probability). */
  output: number;
  /** The value as shown: a Q-value to 3 decimals, a probability in percent, or "n/a" when not finite. */
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

const percent = (p: number) => (p > 0 && p < 0.001 ? '<0.1%' : `${(100 * p).toFixed(1)}%`);

export function actionBars(
  values: readonly AgentActionValue[],
  chosen: Action,
  kind: AgentValueKind = 'q-value',
): ActionBars {
  const finite = values.map((v) => v.value).filter(Number.isFinite);
  // Probabilities keep one scale (0 to 1) from step to step, so a confident step looks it.
  const lo = kind === 'probability' ? 0 : Math.min(0, ...finite);
  const hi = kind === 'probability' ? 1 : Math.max(0, ...finite);
  const span = hi - lo || 1;
  const at = (x: number) => (x - lo) / span;
  const zero = at(0);
  const bars = values.map((v): ActionBar => {
    const ok = Number.isFinite(v.value);
    const end = ok ? at(v.value) : zero;
    const bar: ActionBar = {
      action: v.action,
      value: v.value,
      output: v.output,
      label: !ok ? 'n/a' : kind === 'probability' ? percent(v.value) : v.value.toFixed(3),
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
