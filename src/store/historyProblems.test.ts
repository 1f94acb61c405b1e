// A problem change is a step of the history: undo returns to the problem before it with its
// schedule, cursor and history; redo applies it again; typing a size is one step, not one per key.
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../core/problem.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import { createLooplabStore, type LooplabStore } from './createStore.ts';
import { exportJson, importJson } from './exchange.ts';
import { canRedo, canUndo } from './historySlice.ts';
import { memorySessions } from './sessions.ts';
import { parseHash, stateToHash, urlState } from './url.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const sized = (m: number) => `${MATMUL}\nm=${m}, n=256, k=256`;
const sched = (s: LooplabStore) => printSchedule(s.getState().current.schedule);

/** matmul 256 with some history: actions, a typed schedule, and the cursor moved after it. */
function worked() {
  const s = createLooplabStore();
  s.getState().act('split_4');
  s.getState().act('down');
  s.getState().setSchedule(parseSchedule(s.getState().problem, 'n m k m:4 n:8'));
  s.getState().act('down');
  const st = s.getState();
  return { s, before: { key: st.problemKey, log: st.log, position: st.position, current: st.current } };
}

function expectBack(s: LooplabStore, before: ReturnType<typeof worked>['before']) {
  const st = s.getState();
  expect(st.problemKey).toBe(before.key);
  expect(st.log).toEqual(before.log);
  expect(st.position).toBe(before.position);
  expect(st.current).toEqual(before.current);
}

describe('a problem change is a step of the history', () => {
  it('undo returns to the problem before with its schedule, cursor and history; redo applies the change again', () => {
    const { s, before } = worked();
    s.getState().setProblemText(sized(512));
    expect(s.getState().problemKey).toBe(sized(512));
    expect(s.getState().log).toEqual([]);
    expect(canUndo(s.getState())).toBe(true);
    s.getState().undo();
    expectBack(s, before);
    expect(s.getState().problemText).toBe(PRESETS.find((p) => p.id === 'matmul-256')?.text);
    expect(canRedo(s.getState())).toBe(true);
    s.getState().redo();
    expect(s.getState().problemKey).toBe(sized(512));
    expect(s.getState().problemText).toBe(sized(512));
    expect(sched(s)).toBe('m:512 n:256 k:256');
    s.getState().undo();
    expectBack(s, before);
  });

  it("undo walks the new problem's own history first, then crosses to the problem before", () => {
    const { s, before } = worked();
    s.getState().setProblemText(sized(512));
    s.getState().act('split_8');
    s.getState().undo();
    expect(s.getState().problemKey).toBe(sized(512));
    expect(sched(s)).toBe('m:512 n:256 k:256');
    s.getState().undo();
    expectBack(s, before);
    // Redo goes forward the same way: the problem, then its actions.
    s.getState().redo();
    s.getState().redo();
    expect(sched(s)).toBe('m:64 m:8 n:256 k:256');
    expect(canRedo(s.getState())).toBe(false);
  });

  it('typing 512 over 256 one key at a time is one step, and typing 256 back restores everything', () => {
    const { s, before } = worked();
    for (const m of [5, 51, 512]) s.getState().setProblemText(sized(m));
    expect(s.getState().problemKey).toBe(sized(512));
    s.getState().undo();
    expectBack(s, before);
    expect(canUndo(s.getState())).toBe(true); // its own history is still there to undo
    s.getState().redo();
    expect(s.getState().problemKey).toBe(sized(512));
  });

  it('typing 256 back over a typed 512 leaves no step: the history is as it was', () => {
    const { s, before } = worked();
    for (const m of [5, 51, 512, 51, 5, 2, 25, 256]) s.getState().setProblemText(sized(m));
    expectBack(s, before);
    expect(s.getState().earlier).toEqual([]);
  });

  it('a problem typed after working on the one before is a new step', () => {
    const { s } = worked();
    s.getState().setProblemText(sized(512));
    s.getState().act('split_2');
    s.getState().setProblemText(sized(128));
    s.getState().undo();
    expect(s.getState().problemKey).toBe(sized(512));
    expect(sched(s)).toBe('m:256 m:2 n:256 k:256');
  });

  it('a preset picked from the picker is undoable the same way', () => {
    const { s, before } = worked();
    s.getState().loadPreset('conv-3x3');
    s.getState().loadPreset('matmul-64');
    s.getState().undo();
    expect(s.getState().presetId).toBe('conv-3x3');
    s.getState().undo();
    expectBack(s, before);
    expect(s.getState().presetId).toBe('matmul-256');
  });

  it('an action after undoing a problem change drops that change from redo', () => {
    const { s } = worked();
    s.getState().setProblemText(sized(512));
    s.getState().undo();
    s.getState().act('split_2');
    expect(canRedo(s.getState())).toBe(false);
    s.getState().redo();
    expect(s.getState().problemKey).not.toBe(sized(512));
  });

  it('a problem changed from the middle of the history keeps the steps before that point', () => {
    const { s, before } = worked();
    s.getState().undo();
    const mid = s.getState().position;
    s.getState().setProblemText(sized(512));
    s.getState().undo();
    expect(s.getState().log).toEqual(before.log.slice(0, mid));
    expect(s.getState().position).toBe(mid);
  });
});

describe('links, sessions and files hold the problem steps', () => {
  /** Two problems: 256 with history, then 512 with one action; at the end, or back on 256. */
  const twoProblems = (back: boolean) => {
    const { s, before } = worked();
    s.getState().setProblemText(sized(512));
    s.getState().act('split_8');
    if (back) {
      s.getState().undo();
      s.getState().undo();
    }
    return { s, before };
  };

  for (const back of [false, true]) {
    it(`a link gives back every problem and where the page stood (${back ? 'on the first problem' : 'at the end'})`, () => {
      const { s, before } = twoProblems(back);
      const hash = stateToHash(urlState(s.getState()));
      expect(hash).toContain(',problem:C[m%2Cn]+%2B=+A[m%2Ck]+*+B[k%2Cn]%0Am=512%2C+n=256%2C+k=256,split_8');
      const r = parseHash(hash);
      if (!r.ok || !r.value) throw new Error(`the link did not read back: ${hash}`);
      const t = createLooplabStore();
      t.getState().restore(r.value);
      expect(stateToHash(urlState(t.getState()))).toBe(hash);
      if (!back) {
        expect(sched(t)).toBe('m:64 m:8 n:256 k:256');
        t.getState().undo();
        t.getState().undo();
      }
      expectBack(t, before);
      t.getState().redo();
      t.getState().redo();
      expect(sched(t)).toBe('m:64 m:8 n:256 k:256');
    });
  }

  it('old links (one problem, no problem entries) read as before', () => {
    const r = parseHash('#preset=matmul-256&a=split_4,down&at=1');
    if (!r.ok || !r.value) throw new Error('no state');
    expect(r.value.position).toBe(1);
    expect(r.value.earlier ?? []).toEqual([]);
    expect(r.value.later ?? []).toEqual([]);
  });

  it("a link's bad problem entry is worded, and the steps before it are kept", () => {
    const r = parseHash('#preset=matmul-256&a=split_4,problem:C[m%2Cn]+%2B=+A[m%2Ck]%0Am=4,down');
    if (!r.ok || !r.value) throw new Error('no state');
    expect(r.notice).toMatch(/history stops at action 2: its problem has an error: /);
    expect(r.value.log).toEqual([{ action: 'split_4', by: 'person' }]);
    expect(r.value.later ?? []).toEqual([]);
  });

  it('a saved session gives back every problem', async () => {
    const { s, before } = twoProblems(true);
    const persistence = memorySessions();
    const a = createLooplabStore({ persistence });
    a.getState().restore({ ...s.getState(), panels: undefined });
    await a.getState().saveSession('two problems');
    const b = createLooplabStore({ persistence });
    await b.getState().refreshSessions();
    expect(b.getState().sessions[0]).toMatchObject({ problemKey: before.key });
    await b.getState().openSession(b.getState().sessions[0].id);
    expectBack(b, before);
    b.getState().redo();
    expect(b.getState().problemKey).toBe(sized(512));
  });

  it('an exported file gives back every problem up to the schedule shown; a file of one problem reads as before', () => {
    const { s, before } = twoProblems(false);
    const file = JSON.parse(exportJson(s.getState()));
    expect(file).toMatchObject({ problem: sized(512), schedule: 'm:64 m:8 n:256 k:256' });
    expect(file.startProblem).toBe(before.key);
    expect(file.log.at(-2)).toEqual({ action: `problem:${sized(512)}`, by: 'person' });
    const r = importJson(JSON.stringify(file));
    if (!r.ok) throw new Error(r.error);
    const t = createLooplabStore();
    t.getState().restore(r.value);
    expect(sched(t)).toBe('m:64 m:8 n:256 k:256');
    t.getState().undo();
    t.getState().undo();
    expectBack(t, before);
    // The log must end on the file's problem.
    const { schedule: _, ...noSchedule } = file;
    const wrong = importJson(JSON.stringify({ ...noSchedule, problem: before.key, startProblem: undefined }));
    expect(wrong).toEqual({
      ok: false,
      error:
        'the file\'s log ends on another problem than its problem; give the problem it starts on as "startProblem"',
    });
  });
});
