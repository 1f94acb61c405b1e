// The keys a lesson's walk-through step shows for each action, read from the command table
// (core/commands.ts) as the nest's buttons show them: one glyph per key press; a split is its
// key, the factor typed, Enter.
import { splitFactor, type Action } from '../core/actions.ts';
import { chordText, command, COMMANDS } from '../core/commands.ts';

/** The keys that perform `action`, in order. */
export function actionKeys(action: Action): string[] {
  const factor = splitFactor(action);
  const c = factor !== null ? command('split') : COMMANDS.find((x) => x.scope === 'page' && x.log === action);
  const chord = c?.keys[0];
  if (!chord) throw new Error(`no key for the action '${action}'`);
  const key = chordText(chord, 'short');
  return factor !== null ? [key, String(factor), 'Enter'] : [key];
}
