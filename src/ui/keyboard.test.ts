import { describe, expect, it } from 'vitest';
import { COMMANDS, command } from '../core/commands.ts';
import { buttonKeys, codeMirrorKeys, isTypingTarget, KEY_HELP, keyCommand, parseSplitFactor } from './keyboard.ts';

describe('keyCommand', () => {
  it('maps the loop_tool keys to the page commands', () => {
    expect(keyCommand({ key: 'ArrowUp' })).toBe('up');
    expect(keyCommand({ key: 'ArrowDown' })).toBe('down');
    expect(keyCommand({ key: 'ArrowUp', shiftKey: true })).toBe('swap_up');
    expect(keyCommand({ key: 'ArrowDown', shiftKey: true })).toBe('swap_down');
    expect(keyCommand({ key: 'Backspace' })).toBe('merge');
    expect(keyCommand({ key: 'Delete' })).toBe('merge');
    expect(keyCommand({ key: 's' })).toBe('split');
    expect(keyCommand({ key: 'p' })).toBe('parallel');
    expect(keyCommand({ key: 'b' })).toBe('long_run');
    expect(keyCommand({ key: '?', shiftKey: true })).toBe('help');
    expect(keyCommand({ key: 'Escape' })).toBe('escape');
  });

  it('maps undo and redo with and without modifiers', () => {
    expect(keyCommand({ key: 'u' })).toBe('undo');
    expect(keyCommand({ key: 'U', shiftKey: true })).toBe('redo');
    expect(keyCommand({ key: 'z', ctrlKey: true })).toBe('undo');
    expect(keyCommand({ key: 'z', metaKey: true })).toBe('undo');
    expect(keyCommand({ key: 'Z', ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(keyCommand({ key: 'y', ctrlKey: true })).toBe('redo');
  });

  it("leaves other keys, the player's keys and browser shortcuts alone", () => {
    expect(keyCommand({ key: 'a' })).toBeNull();
    expect(keyCommand({ key: 'S', shiftKey: true })).toBeNull();
    expect(keyCommand({ key: 'c', ctrlKey: true })).toBeNull();
    expect(keyCommand({ key: 'r', ctrlKey: true })).toBeNull();
    expect(keyCommand({ key: 'ArrowUp', altKey: true })).toBeNull();
    expect(keyCommand({ key: 'Enter' })).toBeNull();
    expect(keyCommand({ key: 'ArrowLeft' })).toBeNull();
    expect(keyCommand({ key: 'g' })).toBeNull();
    expect(keyCommand({ key: 'Enter', ctrlKey: true })).toBeNull();
  });
});

describe('KEY_HELP', () => {
  it('lists each command with exactly its keys', () => {
    expect(Object.fromEntries(KEY_HELP.map((row) => [row.command.id, row.keys]))).toEqual({
      up: ['↑'],
      down: ['↓'],
      move_to: ['click a loop'],
      swap_up: ['Shift+↑'],
      swap_down: ['Shift+↓'],
      split: ['s'],
      merge: ['Backspace', 'Delete'],
      parallel: ['p'],
      pack_in0: ['c'],
      pack_in1: ['C'],
      set_schedule: ['click the schedule line'],
      undo: ['u', 'Ctrl+Z'],
      redo: ['U', 'Ctrl+Shift+Z', 'Ctrl+Y'],
      long_run: ['b'],
      help: ['?'],
      escape: ['Escape'],
      apply_problem: ['Ctrl+Enter'],
      player_start: ['Home'],
      player_back: ['←'],
      player_play: ['Space'],
      player_forward: ['→'],
      player_end: ['End'],
      player_best: ['g'],
    });
  });

  it("lists every command that has a key, and the page's keys run the row's command", () => {
    const listed = new Set(KEY_HELP.map((row) => row.command.id));
    for (const c of COMMANDS) if (c.keys.length > 0) expect(listed.has(c.id), c.id).toBe(true);
    for (const row of KEY_HELP) {
      if (row.command.scope !== 'page') continue;
      for (const chord of row.command.keys) {
        const e = { key: chord.key, shiftKey: Boolean(chord.shift), ctrlKey: Boolean(chord.mod) };
        expect(keyCommand(e), row.keys.join(' or ')).toBe(row.command.id);
      }
    }
  });

  it('groups the player keys apart and says they need the focus', () => {
    const groups = new Set(KEY_HELP.filter((r) => r.command.scope === 'player').map((r) => r.group));
    expect([...groups]).toEqual(['agent player (when it has the focus)']);
  });

  it("writes the editor's keys for CodeMirror", () => {
    expect(codeMirrorKeys(command('apply_problem'))).toEqual(['Ctrl-Enter', 'Mod-Enter']);
    expect(codeMirrorKeys(command('escape'))).toEqual(['Escape']);
    expect(codeMirrorKeys(command('redo'))).toEqual(['U', 'Ctrl-Shift-z', 'Mod-Shift-z', 'Ctrl-y', 'Mod-y']);
  });

  it('shows the first key short on a button', () => {
    expect(buttonKeys(command('swap_up'))).toBe('⇧↑');
    expect(buttonKeys(command('merge'))).toBe('⌫');
    expect(buttonKeys(command('redo'))).toBe('U');
  });
});

describe('isTypingTarget', () => {
  const el = (tagName: string, extra: object = {}) =>
    ({ tagName, closest: () => null, ...extra }) as unknown as EventTarget;
  it('is true for text fields, selects, editable content and the code editor', () => {
    expect(isTypingTarget(el('input'))).toBe(true);
    expect(isTypingTarget(el('TEXTAREA'))).toBe(true);
    expect(isTypingTarget(el('SELECT'))).toBe(true);
    expect(isTypingTarget(el('DIV', { isContentEditable: true }))).toBe(true);
    expect(isTypingTarget(el('SPAN', { closest: (s: string) => (s.includes('.cm-editor') ? {} : null) }))).toBe(true);
  });
  it('leaves a slider, a checkbox or a radio only the keys it uses itself', () => {
    const range = el('INPUT', { type: 'range' });
    expect(isTypingTarget(range, 'ArrowLeft')).toBe(true);
    expect(isTypingTarget(range, 'Home')).toBe(true);
    expect(isTypingTarget(range, 's')).toBe(false);
    expect(isTypingTarget(range, '?')).toBe(false);
    expect(isTypingTarget(el('INPUT', { type: 'checkbox' }), ' ')).toBe(true);
    expect(isTypingTarget(el('INPUT', { type: 'checkbox' }), 'ArrowUp')).toBe(false);
    expect(isTypingTarget(el('INPUT', { type: 'text' }), 's')).toBe(true);
    expect(isTypingTarget(el('INPUT'), 's')).toBe(true);
    expect(isTypingTarget(el('SELECT'), 's')).toBe(true);
  });
  it('is false for buttons, the page and nothing', () => {
    expect(isTypingTarget(el('BUTTON'))).toBe(false);
    expect(isTypingTarget(el('BODY'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe('parseSplitFactor', () => {
  it('accepts whole numbers from 2', () => {
    expect(parseSplitFactor('16')).toEqual({ ok: true, factor: 16 });
    expect(parseSplitFactor(' 3 ')).toEqual({ ok: true, factor: 3 });
  });
  it('says what is wrong otherwise', () => {
    expect(parseSplitFactor('')).toMatchObject({ ok: false });
    expect(parseSplitFactor('1')).toEqual({ ok: false, reason: "can't split by 1: the factor must be at least 2" });
    expect(parseSplitFactor('4x')).toEqual({ ok: false, reason: "'4x' is not a whole number; type a factor like 4" });
  });
});
