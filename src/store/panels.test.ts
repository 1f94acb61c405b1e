import { describe, expect, it } from 'vitest';
import { PANEL_BY_ID, PANEL_IDS, PANELS } from './panels.ts';
import { DEFAULT_PANELS } from './uiSlice.ts';

describe('the panel registry', () => {
  it('has one entry per id, with its own label', () => {
    expect(new Set(PANEL_IDS).size).toBe(PANELS.length);
    expect(new Set(PANELS.map((p) => p.label)).size).toBe(PANELS.length);
    for (const p of PANELS) expect(PANEL_BY_ID[p.id]).toBe(p);
  });

  it('keeps the ids links and sessions hold, in toggle order, and the first visit shows the same panels', () => {
    expect(PANEL_IDS).toEqual([
      'problem',
      'nest',
      'graph',
      'code',
      'perf',
      'compare',
      'agent',
      'lab',
      'lesson',
      'access',
      'memory',
    ]);
    expect(Object.keys(DEFAULT_PANELS).filter((id) => DEFAULT_PANELS[id as keyof typeof DEFAULT_PANELS])).toEqual([
      'problem',
      'nest',
      'graph',
      'code',
      'perf',
      'agent',
    ]);
  });
});
