import { describe, expect, it } from 'vitest';
import { ALL_ACTIONS, PACK_ACTIONS } from './actions.ts';
import {
  chordText,
  COMMANDS,
  command,
  commandForKey,
  commandOfLogCode,
  HIDE_GROUPS,
  hiddenCommandReason,
  PLAIN_LOG_CODES,
} from './commands.ts';

describe('the command table', () => {
  it('gives every key one meaning: no chord belongs to two commands, whatever has the focus', () => {
    const owner = new Map<string, string>();
    for (const c of COMMANDS) {
      for (const chord of c.keys) {
        const text = chordText(chord);
        expect(owner.get(text), `${text} is the key of ${owner.get(text)} and of ${c.id}`).toBeUndefined();
        owner.set(text, c.id);
      }
    }
  });

  it('has a log code for every core action, and every plain log code is a core action', () => {
    for (const action of ALL_ACTIONS) expect(commandOfLogCode(action), action).not.toBeNull();
    expect(commandOfLogCode('split_3')?.id).toBe('split');
    expect(commandOfLogCode('set:m n k')?.id).toBe('set_schedule');
    expect(commandOfLogCode('problem:C[m,n] += A[m,k] * B[k,n]')?.id).toBe('apply_problem');
    expect(commandOfLogCode('jump')).toBeNull();
    expect([...PLAIN_LOG_CODES].sort()).toEqual(
      [...ALL_ACTIONS.filter((a) => !a.startsWith('split_')), ...PACK_ACTIONS].sort(),
    );
  });

  it('puts every hideable command in a group a link can name, and every group hides something', () => {
    for (const group of HIDE_GROUPS) expect(COMMANDS.some((c) => c.hide === group)).toBe(true);
    expect(COMMANDS.filter((c) => c.hide === 'undo').map((c) => c.id)).toEqual(['undo', 'redo']);
    expect(COMMANDS.filter((c) => c.hide === 'move').map((c) => c.id)).toEqual(['up', 'down', 'move_to']);
  });
});

describe('commandForKey', () => {
  const page = (e: Parameters<typeof commandForKey>[0]) => commandForKey(e, 'page')?.id ?? null;
  const player = (e: Parameters<typeof commandForKey>[0]) => commandForKey(e, 'player')?.id ?? null;

  it('reads the page keys of the table', () => {
    expect(page({ key: 'ArrowUp' })).toBe('up');
    expect(page({ key: 'ArrowUp', shiftKey: true })).toBe('swap_up');
    expect(page({ key: 'Delete' })).toBe('merge');
    expect(page({ key: 'U', shiftKey: true })).toBe('redo');
    expect(page({ key: 'Z', ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(page({ key: 'z', metaKey: true, shiftKey: true })).toBe('redo');
    expect(page({ key: 'z', ctrlKey: true })).toBe('undo');
    expect(page({ key: '?', shiftKey: true })).toBe('help');
  });

  it('keeps the scopes apart: the player keys are not page keys and the other way round', () => {
    expect(player({ key: 'g' })).toBe('player_best');
    expect(page({ key: 'g' })).toBeNull();
    expect(page({ key: 'b' })).toBe('long_run');
    expect(player({ key: 'b' })).toBeNull();
    expect(player({ key: ' ' })).toBe('player_play');
    expect(player({ key: ' ', shiftKey: true })).toBeNull();
    expect(player({ key: 'ArrowUp', shiftKey: true })).toBeNull();
    expect(commandForKey({ key: 'Enter', ctrlKey: true }, 'editor')?.id).toBe('apply_problem');
  });

  it('ignores Alt and unknown keys', () => {
    expect(page({ key: 's', altKey: true })).toBeNull();
    expect(page({ key: 'x' })).toBeNull();
    expect(page({ key: 'ArrowUp', ctrlKey: true })).toBeNull();
  });
});

describe('chordText', () => {
  it('writes chords long for the list and short for buttons', () => {
    expect(chordText({ key: 'ArrowUp', shift: true })).toBe('Shift+↑');
    expect(chordText({ key: 'ArrowUp', shift: true }, 'short')).toBe('⇧↑');
    expect(chordText({ key: 'z', mod: true, shift: true })).toBe('Ctrl+Shift+Z');
    expect(chordText({ key: 'Backspace' }, 'short')).toBe('⌫');
    expect(chordText({ key: ' ' })).toBe('Space');
  });
});

describe('hiddenCommandReason', () => {
  it('hides a command by its group and says which', () => {
    expect(hiddenCommandReason(['split'], command('split'))).toBe('this lesson hides split');
    expect(hiddenCommandReason(['undo'], command('redo'))).toBe('this lesson hides undo and redo');
    expect(hiddenCommandReason(['move'], command('move_to'))).toBe('this lesson hides move');
    expect(hiddenCommandReason(['split'], command('merge'))).toBeNull();
    expect(hiddenCommandReason(['split', 'swap', 'move', 'merge', 'parallel', 'undo'], command('help'))).toBeNull();
    expect(hiddenCommandReason([], command('split'))).toBeNull();
    expect(hiddenCommandReason(null, command('split'))).toBeNull();
  });
});
