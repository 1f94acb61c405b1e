// Undo follows what the person did: a typed schedule, an agent's schedule and an applied result
// are one step each, however many actions the log keeps inside them.
import { describe, expect, it } from 'vitest';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import { createLooplabStore, type LooplabStore } from './createStore.ts';
import { exportJson, importJson } from './exchange.ts';
import { entryFromValue, entryText, parseEntryText } from './log.ts';
import { memorySessions } from './sessions.ts';
import { parseHash, stateToHash, urlState } from './url.ts';

const sched = (s: LooplabStore) => printSchedule(s.getState().current.schedule);
const typed = (s: LooplabStore, text: string) => {
  expect(s.getState().setSchedule(parseSchedule(s.getState().problem, text))).toBe(true);
  return sched(s);
};

describe('a typed schedule is one step of the history', () => {
  it('one undo returns to the schedule before it, one redo comes back; the log keeps every action', () => {
    const s = createLooplabStore();
    s.getState().act('split_4');
    const before = sched(s);
    const after = typed(s, 'n m k m:4 n:8');
    const added = s.getState().log.slice(1);
    expect(added.length).toBeGreaterThan(1);
    expect(added.every((e) => !e.action.startsWith('set:'))).toBe(true);
    s.getState().undo();
    expect(sched(s)).toBe(before);
    expect(s.getState().position).toBe(1);
    s.getState().redo();
    expect(sched(s)).toBe(after);
    expect(s.getState().position).toBe(s.getState().log.length);
  });

  it('two typed schedules undo one at a time, never onto a schedule between them', () => {
    const s = createLooplabStore();
    const start = sched(s);
    const first = typed(s, 'm n k m:4 n:8');
    typed(s, 'n m k n:8 m:4 k:16');
    s.getState().undo();
    expect(sched(s)).toBe(first);
    s.getState().undo();
    expect(sched(s)).toBe(start);
    s.getState().redo();
    expect(sched(s)).toBe(first);
  });

  it('a single action after a typed schedule is still its own step', () => {
    const s = createLooplabStore();
    const first = typed(s, 'm n k m:4 n:8');
    s.getState().act('split_2');
    s.getState().undo();
    expect(sched(s)).toBe(first);
  });
});

describe('the steps survive links, sessions and files', () => {
  const build = () => {
    const s = createLooplabStore();
    s.getState().act('split_4');
    const before = sched(s);
    typed(s, 'n m k m:4 n:8');
    return { s, before };
  };

  it('writes the later actions of a step as joined (`~down`), reads them back, and reads old entries as their own steps', () => {
    expect(entryText({ action: 'down', by: 'person', joined: true })).toBe('~down');
    expect(entryText({ action: 'split_4', by: 'agent', joined: true })).toBe('~agent:split_4');
    expect(parseEntryText('~agent:split_4')).toEqual({ action: 'split_4', by: 'agent', joined: true });
    expect(parseEntryText('agent:split_4')).toEqual({ action: 'split_4', by: 'agent' });
    expect(entryFromValue({ action: 'down', by: 'person', joined: true })).toEqual({
      action: 'down',
      by: 'person',
      joined: true,
    });
    expect(entryFromValue({ action: 'down', by: 'person', joined: 'yes' })).toBeNull();
    expect(parseEntryText('~')).toBeNull();
  });

  it('a link keeps the step: undo after opening it returns to the schedule before the typed one', () => {
    const { s, before } = build();
    const hash = stateToHash(urlState(s.getState()));
    expect(hash).toMatch(/a=split_4,[a-z_0-9]+,~[a-z_]/);
    const r = parseHash(hash);
    if (!r.ok || !r.value) throw new Error('the link did not read back');
    const t = createLooplabStore();
    t.getState().restore(r.value);
    t.getState().undo();
    expect(sched(t)).toBe(before);
  });

  it('a saved session keeps the step', async () => {
    const { s, before } = build();
    const persistence = memorySessions();
    const a = createLooplabStore({ persistence });
    a.getState().restore({ ...s.getState(), panels: undefined });
    await a.getState().saveSession('typed');
    const b = createLooplabStore({ persistence });
    await b.getState().refreshSessions();
    await b.getState().openSession(b.getState().sessions[0].id);
    expect(b.getState().log).toEqual(s.getState().log);
    b.getState().undo();
    expect(sched(b)).toBe(before);
  });

  it('an exported file keeps the step', () => {
    const { s, before } = build();
    const r = importJson(exportJson(s.getState()));
    if (!r.ok) throw new Error(r.error);
    const t = createLooplabStore();
    t.getState().restore(r.value);
    t.getState().undo();
    expect(sched(t)).toBe(before);
  });
});
