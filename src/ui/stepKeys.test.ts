import { describe, expect, it } from 'vitest';
import { keyCommand } from './keyboard.ts';
import { actionKeys } from './stepKeys.ts';

/** A shown glyph as the key event it stands for. */
function event(glyph: string) {
  const shift = glyph.startsWith('⇧');
  const base = shift ? glyph.slice(1) : glyph;
  const key = ({ '↑': 'ArrowUp', '↓': 'ArrowDown', '⌫': 'Backspace' } as Record<string, string>)[base] ?? base;
  return { key: shift && /^[a-z]$/.test(key) ? key.toUpperCase() : key, shiftKey: shift || /^[A-Z]$/.test(key) };
}

describe('the keys a walk-through step shows', () => {
  it('are the keys the loop nest maps to the same action', () => {
    for (const action of ['up', 'down', 'swap_up', 'swap_down', 'merge', 'parallel', 'pack_in0', 'pack_in1'] as const) {
      const keys = actionKeys(action);
      expect(keys).toHaveLength(1);
      expect(keyCommand(event(keys[0]))).toBe(action);
    }
    expect(actionKeys('swap_up')).toEqual(['⇧↑']);
    expect(actionKeys('merge')).toEqual(['⌫']);
  });

  it('split: s opens the prompt, then the factor and Enter', () => {
    expect(actionKeys('split_16')).toEqual(['s', '16', 'Enter']);
    expect(keyCommand(event('s'))).toBe('split');
    expect(actionKeys('split_3')).toEqual(['s', '3', 'Enter']);
  });
});
