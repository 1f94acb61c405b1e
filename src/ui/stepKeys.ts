// The keys a lesson's walk-through step shows for each action, as the loop nest takes them
// (keyboard.ts): one glyph per key press; a split is `s`, the factor typed, Enter.
import { splitFactor, type Action } from '../core/actions.ts';

const KEYS: Record<string, string> = {
  up: '↑',
  down: '↓',
  swap_up: '⇧↑',
  swap_down: '⇧↓',
  merge: '⌫',
  parallel: 'p',
};

/** The keys that perform `action`, in order. */
export function actionKeys(action: Action): string[] {
  const factor = splitFactor(action);
  if (factor !== null) return ['s', String(factor), 'Enter'];
  const key = KEYS[action];
  if (!key) throw new Error(`no key for the action '${action}'`);
  return [key];
}
