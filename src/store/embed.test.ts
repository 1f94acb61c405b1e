import { describe, expect, it } from 'vitest';
import { printSchedule } from '../core/schedule.ts';
import { createLooplabStore } from './createStore.ts';
import { embedHash, embedSnippet, embedUrl } from './embed.ts';
import { parseHash } from './url.ts';

function tiledMatmul() {
  const store = createLooplabStore();
  const { act } = store.getState();
  act('down');
  act('swap_down'); // m k n
  act('split_16'); // m k n:16 n:16
  store.getState().togglePanel('graph');
  store.getState().togglePanel('agent');
  return store;
}

describe('embed code', () => {
  it('holds the problem, the schedule on screen (not its history) and the shown panels', () => {
    const s = tiledMatmul().getState();
    expect(printSchedule(s.current.schedule)).toBe('m:256 k:256 n:16 n:16');
    const hash = embedHash(s);
    expect(hash).toBe('#preset=matmul-256&s=m:256+k:256+n:16+n:16&panels=problem,nest,code,perf');
    const back = parseHash(hash);
    if (!back.ok || !back.value) throw new Error('the embed hash does not read back');
    expect(printSchedule(back.value.base)).toBe('m:256 k:256 n:16 n:16');
    expect(back.value.log).toEqual([]);
  });

  it('asks for the embed mode (and present mode when chosen) on the page it came from', () => {
    const s = tiledMatmul().getState();
    const page = 'https://looplab.example/course/?lesson=tiling#preset=conv';
    expect(embedUrl(s, page)).toMatch(/^https:\/\/looplab\.example\/course\/\?embed=1#preset=matmul-256&s=/);
    expect(embedUrl(s, page, { present: true })).toMatch(/\?embed=1&present=1#/);
  });

  it('is an iframe whose attributes are escaped', () => {
    const s = createLooplabStore().getState();
    const snippet = embedSnippet(s, 'http://localhost:4173/');
    expect(snippet).toBe(
      '<iframe src="http://localhost:4173/?embed=1#preset=matmul-256" width="960" height="540" title="looplab: C[m,n] += A[m,k] * B[k,n] (m=256, n=256, k=256)" style="border: 0" loading="lazy"></iframe>',
    );
    const present = embedSnippet(s, 'http://localhost:4173/', { present: true });
    expect(present).toContain('src="http://localhost:4173/?embed=1&amp;present=1#preset=matmul-256"');
  });
});
