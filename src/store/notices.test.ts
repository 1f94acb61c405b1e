// Error notices that no longer apply go away: one raised on a problem and schedule is dropped
// once either changes; moving the cursor or dismissing keeps the rule simple.
import { describe, expect, it } from 'vitest';
import { createLooplabStore } from './createStore.ts';

const texts = (store: ReturnType<typeof createLooplabStore>) => store.getState().notices.map((n) => n.text);

describe('notices that no longer apply', () => {
  it('an error goes once the schedule it was raised on changes; a cursor move keeps it', () => {
    const store = createLooplabStore();
    store.getState().notify('error', 'the kernel failed');
    store.getState().act('down');
    expect(texts(store)).toEqual(['the kernel failed']);
    store.getState().act('split_4');
    expect(texts(store)).toEqual([]);
  });

  it('an error raised after the change stays, and so does information (it times out in the page)', () => {
    const store = createLooplabStore();
    store.getState().notify('info', 'copied the schedule');
    store.getState().act('split_4');
    store.getState().notify('error', 'could not copy');
    expect(texts(store)).toEqual(['copied the schedule', 'could not copy']);
  });

  it('an error goes once the problem changes', () => {
    const store = createLooplabStore();
    store.getState().notify('error', 'the agent could not tune this problem: out of memory');
    store.getState().loadPreset('matmul-64');
    expect(texts(store)).toEqual([]);
  });

  it('restoring the same state again (a link read twice) keeps it', () => {
    const store = createLooplabStore();
    store.getState().act('split_4');
    store.getState().notify('error', "the link's action 2 'dow' is not an action");
    const { current } = store.getState();
    store.setState({ current: { ...current, schedule: { loops: current.schedule.loops.map((l) => ({ ...l })) } } });
    expect(texts(store)).toEqual(["the link's action 2 'dow' is not an action"]);
  });
});
