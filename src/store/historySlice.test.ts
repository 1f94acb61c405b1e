import { describe, expect, it } from 'vitest';
import { PRESETS } from '../core/problem.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import { applyLogAction } from './log.ts';
import { parseHash, stateToHash, urlState } from './url.ts';
import { createLooplabStore } from './createStore.ts';

const sched = (s: ReturnType<typeof createLooplabStore>) => printSchedule(s.getState().current.schedule);

describe('history: the action log', () => {
  it('starts from the default schedule of matmul 256 with the cursor on loop 0', () => {
    const s = createLooplabStore();
    const st = s.getState();
    expect(st.presetId).toBe('matmul-256');
    expect(sched(s)).toBe('m:256 n:256 k:256');
    expect(st.current.cursor).toBe(0);
    expect(st.log).toEqual([]);
    expect(st.position).toBe(0);
    expect(st.states).toHaveLength(1);
  });

  it('appends accepted actions with who took them, and states[i] follows the log', () => {
    const s = createLooplabStore();
    expect(s.getState().act('down')).toBe(true);
    expect(s.getState().act('split_16', 'agent')).toBe(true);
    expect(s.getState().act('swap_up')).toBe(true);
    const st = s.getState();
    expect(st.log).toEqual([
      { action: 'down', by: 'person' },
      { action: 'split_16', by: 'agent' },
      { action: 'swap_up', by: 'person' },
    ]);
    expect(st.position).toBe(3);
    expect(st.states).toHaveLength(4);
    expect(st.current).toBe(st.states[3]);
    expect(sched(s)).toBe('n:16 m:256 n:16 k:256');
    expect(st.current.cursor).toBe(0);
  });

  it('remembers where the last move came from (for the explanation of an undo or a jump)', () => {
    const s = createLooplabStore();
    expect(s.getState().cameFrom).toBeNull();
    s.getState().act('down');
    s.getState().act('swap_up');
    expect(s.getState().cameFrom).toBe(1);
    s.getState().undo();
    expect(s.getState().cameFrom).toBe(2);
    s.getState().jumpTo(0);
    expect(s.getState().cameFrom).toBe(1);
    s.getState().redo();
    expect(s.getState().cameFrom).toBe(0);
    s.getState().loadPreset('matmul-64');
    expect(s.getState().cameFrom).toBeNull();
  });

  it('a refused action leaves everything as it was and keeps the core reason', () => {
    const s = createLooplabStore();
    const before = s.getState();
    expect(s.getState().act('up')).toBe(false);
    const st = s.getState();
    expect(st.refusal).toEqual({ action: 'up', reason: 'the cursor is already on the outermost loop' });
    expect(st.log).toBe(before.log);
    expect(st.current).toBe(before.current);
    expect(s.getState().act('down')).toBe(true);
    expect(s.getState().refusal).toBeNull();
  });

  it('refuses a split bigger than the loop with the worded reason', () => {
    const s = createLooplabStore({ initial: { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=8, n=8, k=8' } });
    expect(s.getState().act('split_16')).toBe(false);
    expect(s.getState().refusal?.reason).toBe("can't split m:8 by 16: the loop only runs 8 times");
    expect(s.getState().act('merge')).toBe(false);
    expect(s.getState().refusal?.reason).toMatch(/can't merge m:8: no enclosing loop over m/);
  });

  it('undo, redo and jumpTo move the position; a new action drops the redo tail', () => {
    const s = createLooplabStore();
    const { act } = s.getState();
    act('split_16');
    act('down');
    act('swap_down');
    const full = sched(s);
    s.getState().undo();
    expect(s.getState().position).toBe(2);
    expect(sched(s)).toBe('m:16 m:16 n:256 k:256');
    expect(s.getState().current.cursor).toBe(1);
    s.getState().redo();
    expect(sched(s)).toBe(full);
    s.getState().redo(); // nothing to redo
    expect(s.getState().position).toBe(3);
    s.getState().jumpTo(1);
    expect(s.getState().current).toBe(s.getState().states[1]);
    s.getState().jumpTo(99);
    expect(s.getState().position).toBe(3);
    s.getState().jumpTo(-3);
    expect(s.getState().position).toBe(0);
    s.getState().undo(); // nothing to undo
    expect(s.getState().position).toBe(0);
    s.getState().redo(); // the split and the move after it
    expect(s.getState().position).toBe(2);
    expect(s.getState().act('merge')).toBe(true);
    expect(s.getState().log.map((e) => e.action)).toEqual(['split_16', 'down', 'merge']);
    expect(s.getState().states).toHaveLength(4);
  });

  it('undo and redo step over cursor moves: back to before the last schedule change, forward through the next', () => {
    const s = createLooplabStore();
    const { act } = s.getState();
    act('down'); // 1: cursor on n
    act('split_16'); // 2: m:256 n:16 n:16 k:256
    act('down');
    act('down'); // 4: cursor on k
    act('swap_up'); // 5: m:256 n:16 k:256 n:16
    act('up'); // 6
    act('up'); // 7
    s.getState().undo();
    expect(s.getState().position).toBe(4);
    expect(sched(s)).toBe('m:256 n:16 n:16 k:256');
    expect(s.getState().current.cursor).toBe(3);
    s.getState().undo();
    expect(s.getState().position).toBe(1);
    expect(sched(s)).toBe('m:256 n:256 k:256');
    expect(s.getState().current.cursor).toBe(1);
    s.getState().undo(); // only cursor moves before: back to the start
    expect(s.getState().position).toBe(0);
    s.getState().redo(); // the split and the two moves after it, up to the swap
    expect(s.getState().position).toBe(4);
    s.getState().redo(); // the swap and the moves after it
    expect(s.getState().position).toBe(7);
    expect(sched(s)).toBe('m:256 n:16 k:256 n:16');
  });
});

describe('problem', () => {
  it('a new valid problem resets the history to its default schedule', () => {
    const s = createLooplabStore();
    s.getState().act('split_4');
    s.getState().setProblemText('C[m,n] += A[m,k] * B[k,n]\nm=64, n=32, k=16');
    const st = s.getState();
    expect(st.log).toEqual([]);
    expect(st.position).toBe(0);
    expect(sched(s)).toBe('m:64 n:32 k:16');
    expect(st.problemKey).toBe('C[m,n] += A[m,k] * B[k,n]\nm=64, n=32, k=16');
    expect(st.presetId).toBeNull();
    expect(st.problemError).toBeNull();
  });

  it('the same problem written differently keeps the history', () => {
    const s = createLooplabStore();
    s.getState().act('split_4');
    s.getState().setProblemText('C[m,n] += A[m,k]*B[k,n]\nk=256, m=256, n=256');
    expect(s.getState().log).toHaveLength(1);
    expect(s.getState().presetId).toBe('matmul-256');
  });

  it('invalid text sets a placed error and keeps the previous problem and history', () => {
    const s = createLooplabStore();
    s.getState().act('split_4');
    const before = s.getState();
    s.getState().setProblemText('C[m,n] += A[m,k] * \nm=4, n=4, k=4');
    const st = s.getState();
    expect(st.problemText).toBe('C[m,n] += A[m,k] * \nm=4, n=4, k=4');
    expect(st.problemError).toMatchObject({ line: 1 });
    expect(st.problemError?.message).toMatch(/^line 1, col \d+: /);
    expect(st.problem).toBe(before.problem);
    expect(st.log).toBe(before.log);
    s.getState().setProblemText(PRESETS[0].text);
    expect(s.getState().problemError).toBeNull();
  });

  it('loadPreset resets; an unknown preset is a notice', () => {
    const s = createLooplabStore();
    s.getState().act('split_4');
    s.getState().loadPreset('conv-3x3');
    expect(s.getState().presetId).toBe('conv-3x3');
    expect(s.getState().log).toEqual([]);
    expect(sched(s)).toBe('co:64 oh:28 ow:28 ci:64 kh:3 kw:3');
    s.getState().loadPreset('nope');
    expect(s.getState().presetId).toBe('conv-3x3');
    expect(s.getState().notices[0]).toMatchObject({ kind: 'error' });
    expect(s.getState().notices[0].text).toMatch(/there is no preset 'nope'/);
  });

  it('an invalid initial state falls back to the default with a notice', () => {
    const s = createLooplabStore({
      initial: { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=8, n=8, k=8', log: [{ action: 'split_16', by: 'person' }] },
    });
    expect(s.getState().presetId).toBe('matmul-256');
    expect(s.getState().notices[0].text).toMatch(/history stops at action 1: can't split m:8 by 16/);
  });
});

describe('ui', () => {
  it('toggles panels and dedupes and dismisses notices', () => {
    const s = createLooplabStore({ initial: { panels: { graph: false } } });
    expect(s.getState().panels.graph).toBe(false);
    expect(s.getState().panels.nest).toBe(true);
    s.getState().togglePanel('graph');
    expect(s.getState().panels.graph).toBe(true);
    s.getState().notify('error', 'x');
    s.getState().notify('error', 'x');
    s.getState().notify('info', 'y');
    expect(s.getState().notices.map((n) => n.text)).toEqual(['x', 'y']);
    s.getState().dismissNotice(s.getState().notices[0].id);
    expect(s.getState().notices.map((n) => n.text)).toEqual(['y']);
  });
});

describe('setSchedule: a whole schedule in the history', () => {
  const conv = PRESETS.find((p) => p.id.startsWith('conv'));

  it('takes the shortest action path when there is one, each action an entry, and undo walks it back', () => {
    const s = createLooplabStore();
    const start = sched(s);
    const target = parseSchedule(s.getState().problem, 'm n k m:4 n:8');
    expect(s.getState().setSchedule(target)).toBe(true);
    expect(sched(s)).toBe(printSchedule(target));
    const log = s.getState().log;
    expect(log.length).toBeGreaterThan(1);
    expect(log.every((e) => !e.action.startsWith('set:') && e.by === 'person')).toBe(true);
    for (let i = 0; i < log.length; i++) s.getState().undo();
    expect(sched(s)).toBe(start);
  });

  it('sets a schedule no short path reaches in one set: entry, which links and replays read back', () => {
    if (!conv) throw new Error('no conv preset');
    const s = createLooplabStore({ initial: { problemText: conv.text } });
    const target = parseSchedule(s.getState().problem, 'co oh ow ci kh kw co:4 oh:2 ow:4');
    expect(s.getState().setSchedule(target, 'agent')).toBe(true);
    expect(s.getState().log).toEqual([{ action: `set:${printSchedule(target)}`, by: 'agent' }]);
    const hash = stateToHash(urlState(s.getState()));
    const back = parseHash(hash);
    if (!back.ok || !back.value) throw new Error(`the link did not read back: ${hash}`);
    expect(printSchedule(back.value.states[back.value.position].schedule)).toBe(printSchedule(target));
  });

  it('refuses, with the reason, a set: entry whose schedule does not fit the problem', () => {
    const s = createLooplabStore();
    const r = applyLogAction(s.getState().problem, s.getState().current, 'set:m n q');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/unknown variable 'q'/);
  });
});
