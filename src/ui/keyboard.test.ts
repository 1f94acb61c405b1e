import { describe, expect, it } from 'vitest';
import { isTypingTarget, keyCommand, parseSplitFactor, KEY_HELP } from './keyboard.ts';

describe('keyCommand', () => {
  it('maps the loop_tool keys to actions', () => {
    expect(keyCommand({ key: 'ArrowUp' })).toEqual({ kind: 'act', action: 'up' });
    expect(keyCommand({ key: 'ArrowDown' })).toEqual({ kind: 'act', action: 'down' });
    expect(keyCommand({ key: 'ArrowUp', shiftKey: true })).toEqual({ kind: 'act', action: 'swap_up' });
    expect(keyCommand({ key: 'ArrowDown', shiftKey: true })).toEqual({ kind: 'act', action: 'swap_down' });
    expect(keyCommand({ key: 'Backspace' })).toEqual({ kind: 'act', action: 'merge' });
    expect(keyCommand({ key: 'Delete' })).toEqual({ kind: 'act', action: 'merge' });
    expect(keyCommand({ key: 's' })).toEqual({ kind: 'split-prompt' });
    expect(keyCommand({ key: 'p' })).toEqual({ kind: 'act', action: 'parallel' });
    expect(keyCommand({ key: 'b' })).toEqual({ kind: 'long-run' });
    expect(keyCommand({ key: '?', shiftKey: true })).toEqual({ kind: 'help' });
    expect(keyCommand({ key: 'Escape' })).toEqual({ kind: 'escape' });
  });

  it('maps undo and redo with and without modifiers', () => {
    expect(keyCommand({ key: 'u' })).toEqual({ kind: 'undo' });
    expect(keyCommand({ key: 'U', shiftKey: true })).toEqual({ kind: 'redo' });
    expect(keyCommand({ key: 'z', ctrlKey: true })).toEqual({ kind: 'undo' });
    expect(keyCommand({ key: 'z', metaKey: true })).toEqual({ kind: 'undo' });
    expect(keyCommand({ key: 'Z', ctrlKey: true, shiftKey: true })).toEqual({ kind: 'redo' });
    expect(keyCommand({ key: 'y', ctrlKey: true })).toEqual({ kind: 'redo' });
  });

  it('leaves other keys and browser shortcuts alone', () => {
    expect(keyCommand({ key: 'a' })).toBeNull();
    expect(keyCommand({ key: 'S', shiftKey: true })).toBeNull();
    expect(keyCommand({ key: 'c', ctrlKey: true })).toBeNull();
    expect(keyCommand({ key: 'r', ctrlKey: true })).toBeNull();
    expect(keyCommand({ key: 'ArrowUp', altKey: true })).toBeNull();
    expect(keyCommand({ key: 'Enter' })).toBeNull();
  });

  it('lists every command in the help table', () => {
    const listed = KEY_HELP.flatMap((row) => row.keys).join(' ');
    for (const k of [
      '↑',
      '↓',
      'Shift+↑',
      'Shift+↓',
      's',
      'Backspace',
      'u',
      'Ctrl+Z',
      'Ctrl+Shift+Z',
      'Ctrl+Y',
      '?',
      'Escape',
      'b',
    ]) {
      expect(listed).toContain(k);
    }
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
