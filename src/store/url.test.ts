import { describe, expect, it, vi } from 'vitest';
import { MAX_LOG_ACTIONS } from '../core/limits.ts';
import { printSchedule } from '../core/schedule.ts';
import { createLooplabStore, type LooplabStore } from './createStore.ts';
import { lessonById } from '../teach/lessons.ts';
import { lessonSnapshot } from './lessonSlice.ts';
import {
  parseHash,
  snapshotHash,
  stateToHash,
  syncLessonQuery,
  syncWithUrl,
  teacherLinkStart,
  type UrlWindow,
} from './url.ts';
import { PANEL_IDS } from './types.ts';

function essentials(store: LooplabStore) {
  const s = store.getState();
  return {
    problemText: s.problemText,
    problemKey: s.problemKey,
    base: printSchedule(s.base),
    log: s.log,
    position: s.position,
    schedule: printSchedule(s.current.schedule),
    cursor: s.current.cursor,
    panels: s.panels,
  };
}

function restoredFrom(hash: string): LooplabStore {
  const r = parseHash(hash);
  if (!r.ok) throw new Error(r.error);
  const store = createLooplabStore();
  if (r.value) store.getState().restore(r.value);
  return store;
}

describe('URL hash', () => {
  it('is readable: preset id, actions with agent entries marked, position, panels', () => {
    const store = createLooplabStore();
    const { act } = store.getState();
    act('down');
    act('swap_up');
    act('split_16', 'agent');
    act('split_2');
    store.getState().undo();
    store.getState().togglePanel('graph');
    expect(stateToHash(store.getState())).toBe(
      '#preset=matmul-256&a=down,swap_up,agent:split_16,split_2&at=3&panels=problem,nest,code,perf,agent',
    );
  });

  it("credits a search's or LoopTune's entries by name, and old agent: links still read", () => {
    const store = createLooplabStore();
    const { act } = store.getState();
    act('down');
    act('split_4', 'greedy2');
    act('swap_up', 'looptune');
    act('split_2', 'agent');
    const hash = stateToHash(store.getState());
    expect(hash).toBe('#preset=matmul-256&a=down,greedy2:split_4,looptune:swap_up,agent:split_2');
    expect(restoredFrom(hash).getState().log).toEqual([
      { action: 'down', by: 'person' },
      { action: 'split_4', by: 'greedy2' },
      { action: 'swap_up', by: 'looptune' },
      { action: 'split_2', by: 'agent' },
    ]);
    // An unknown prefix is not an actor: the entry is refused, not read as the person's.
    const bad = parseHash('#preset=matmul-256&a=down,nobody:split_4');
    expect(bad.ok && bad.notice).toMatch(/^the link's action 2 'nobody:split_4' is not an action/);
    expect(bad.ok && bad.value?.log).toEqual([{ action: 'down', by: 'person' }]);
  });

  it('the default state is a short link', () => {
    expect(stateToHash(createLooplabStore().getState())).toBe('#preset=matmul-256');
  });

  it('round trip: stateToHash then parseHash gives the same state (problem, log, position, cursor, panels)', () => {
    // A page opened on this problem (a problem typed over another is a step of the history, in `a=`).
    const store = createLooplabStore({
      initial: {
        problemText: 'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]\nco=16, ci=8, oh=7, ow=7, kh=3, kw=3',
      },
    });
    const { act } = store.getState();
    act('split_4');
    act('down');
    act('down');
    act('swap_up', 'agent');
    act('split_2');
    store.getState().jumpTo(4);
    store.getState().togglePanel('compare');
    store.getState().togglePanel('code');
    const hash = stateToHash(store.getState());
    expect(hash).toContain('p=O[co,oh,ow]+%2B=+I[ci,2*oh%2Bkh,2*ow%2Bkw]+*+W[co,ci,kh,kw]%0Aco=16,+ci=8');
    expect(essentials(restoredFrom(hash))).toEqual(essentials(store));
    expect(stateToHash(restoredFrom(hash).getState())).toBe(hash);
  });

  it('the thread count chosen in the page goes into the link and comes back from it', () => {
    const store = createLooplabStore();
    store.getState().act('parallel');
    expect(stateToHash(store.getState())).not.toContain('threads=');
    store.getState().setThreads(4);
    const hash = stateToHash(store.getState());
    expect(hash).toBe('#preset=matmul-256&a=parallel&threads=4');
    expect(restoredFrom(hash).getState().threadsChosen).toBe(4);
    // A link without threads means one per processor, whatever the page had chosen.
    const other = restoredFrom('#threads=2');
    other.getState().restore((parseHash('#preset=matmul-256') as { ok: true; value: never }).value);
    expect(other.getState().threadsChosen).toBe(null);
  });

  const absurdThreads: [string, string][] = [
    ['0', "the link's thread count 0 is not a whole number from 1 to 64"],
    ['500', "the link's thread count 500 is not a whole number from 1 to 64"],
    ['-2', "the link's thread count '-2' is not a whole number from 1 to 64"],
    ['four', "the link's thread count 'four' is not a whole number from 1 to 64"],
    ['1e3', "the link's thread count '1e3' is not a whole number from 1 to 64"],
  ];
  it.each(absurdThreads)(
    'threads=%s: a notice, one thread per processor, the rest of the link kept',
    (value, message) => {
      const r = parseHash(`#preset=matmul-64&a=parallel&threads=${value}`);
      expect(r.ok).toBe(true);
      if (!r.ok || !r.value) throw new Error('no state');
      expect(r.value.threads).toBe(null);
      expect(r.value.log.map((e) => e.action)).toEqual(['parallel']);
      expect(r.notice).toBe(
        `${message}; parallel loops run on one thread per processor instead (choose another count in the performance panel)`,
      );
    },
  );

  it('round trip of parallel loops: the action `parallel` in the log and `||` in a base schedule', () => {
    const store = createLooplabStore({
      initial: { problemText: 'C[m,n] += A[m,k]*B[k,n]\n m=100, n=60, k=30', base: '||m:4 n m:25 k' },
    });
    const { act } = store.getState();
    act('down');
    act('parallel');
    const hash = stateToHash(store.getState());
    expect(hash).toContain('a=down,parallel');
    expect(essentials(store).schedule).toBe('m:4 ||n:60 m:25 k:30');
    expect(essentials(restoredFrom(hash))).toEqual(essentials(store));
    expect(printSchedule(restoredFrom(hash).getState().base)).toBe('||m:4 n:60 m:25 k:30');
  });

  it('round trip with an imported base schedule and a problem text written by hand', () => {
    const store = createLooplabStore({
      initial: { problemText: 'C[m,n] += A[m,k]*B[k,n]\n m=100, n=60, k=30', base: 'm:4 n m:25 k' },
    });
    store.getState().act('down');
    const hash = stateToHash(store.getState());
    expect(hash).toContain('s=m:4+n:60+m:25+k:30');
    expect(essentials(restoredFrom(hash))).toEqual(essentials(store));
  });

  it('a link without the hash sign, or with the state encoded fully, reads the same', () => {
    const store = createLooplabStore();
    store.getState().act('split_8');
    const hash = stateToHash(store.getState());
    expect(essentials(restoredFrom(hash.slice(1)))).toEqual(essentials(store));
    const encoded =
      '#' +
      hash
        .slice(1)
        .split('&')
        .map((p) => {
          const [k, v] = p.split('=');
          return `${k}=${encodeURIComponent(v)}`;
        })
        .join('&');
    expect(essentials(restoredFrom(encoded))).toEqual(essentials(store));
  });

  it('an empty hash holds no state; one with no key of ours holds none either and says so', () => {
    expect(parseHash('')).toEqual({ ok: true, value: null });
    expect(parseHash('#')).toEqual({ ok: true, value: null });
    const garbage = parseHash('#top&foo=1');
    expect(garbage).toMatchObject({ ok: true, value: null });
    expect(garbage.ok && garbage.notice).toMatch(
      /^the link's '#top&foo=1' holds no playground state \(none of p=, preset=, s=, a=, at=, panels=, threads=\): it is ignored/,
    );
  });

  // Links cut short or with a bad action keep the problem and every valid action before it.
  const partial: [string, string, string[], string][] = [
    [
      '#preset=matmul-512&a=down,split_16,up,spl',
      'matmul-512',
      ['down', 'split_16', 'up'],
      "the link's action 4 'spl' is not an action (was the link cut short?); kept the problem and the 3 actions before it",
    ],
    [
      '#preset=matmul-256&a=down,swap_up,down,down,up,up,splt_4',
      'matmul-256',
      ['down', 'swap_up', 'down', 'down', 'up', 'up'],
      "the link's action 7 'splt_4' is not an action",
    ],
    ['#a=down,swap_u', 'matmul-256', ['down'], "the link's action 2 'swap_u' is not an action"],
    ['#a=split_16,split_1', 'matmul-256', ['split_16'], "the link's action 2 'split_1' is not an action"],
    [
      '#a=human:down',
      'matmul-256',
      [],
      "the link's action 1 'human:down' is not an action (was the link cut short?); kept the problem and none of its actions",
    ],
    ['#preset=matmul-64&a=down,agent%3Asp', 'matmul-64', ['down'], "the link's action 2 'agent:sp' is not an action"],
    ['#preset=matmul-64&a=down,split%2', 'matmul-64', ['down'], "the link's action 2 'split%2' is not an action"],
    [
      '#p=C[m,n]+%2B=+A[m,k]+*+B[k,n]%0Am=8,+n=8,+k=8&a=down,up,down,up,split_16',
      '',
      ['down', 'up', 'down', 'up'],
      "the link's history stops at action 5: can't split m:8 by 16: the loop only runs 8 times",
    ],
    [
      '#a=down&at=5',
      'matmul-256',
      ['down'],
      "the link's position 5 is past the end of its history (1 action); it is shown at the end",
    ],
    // Cut short after the problem: every part that still reads is kept, the broken one named.
    [
      '#preset=matmul-64&s=k+m',
      'matmul-64',
      [],
      "the link's schedule 'k m' has an error: col 5: loop over n missing; add 'n'; kept the problem with its default schedule",
    ],
    [
      '#preset=matmul-64&a=split_4,down&at=',
      'matmul-64',
      ['split_4', 'down'],
      "the link's position 'at=' is not a whole number; it is shown at the end of its history",
    ],
    [
      '#preset=matmul-64&panels=problem,ne',
      'matmul-64',
      [],
      "the link's panel 'ne' is not a panel (the panels are problem, nest, graph, code, perf, compare, agent, lab, lesson, access, memory); left out",
    ],
    [
      '#preset=matmul-64&a=down&threads',
      'matmul-64',
      ['down'],
      "the link's part 'threads' has no value (was the link cut short?); it is left out",
    ],
    [
      '#preset=matmul-64&a',
      'matmul-64',
      [],
      "the link's part 'a' has no value (was the link cut short?); it is left out",
    ],
    [
      '#preset=matmul-64&a=down&threads=2%',
      'matmul-64',
      ['down'],
      "the link is damaged: its part 'threads' has a broken %-escape (was the link cut short?); it is left out",
    ],
    // Hand edits of the parts after the problem are kept the same way.
    ['#a=down&at=x1', 'matmul-256', ['down'], "the link's position 'at=x1' is not a whole number"],
    [
      '#s=m:4+q&a=down',
      'matmul-256',
      [],
      "the link's schedule 'm:4 q' has an error: col 5: unknown variable 'q'; the variables are m, n, k; kept the problem with its default schedule and without its actions (they start from that schedule)",
    ],
    ['#a=down&panels=nest,grph,bogus', 'matmul-256', ['down'], "the link's panels 'grph', 'bogus' are not panels"],
  ];
  it.each(partial)('%s keeps %s and the valid actions', (hash, presetId, actions, notice) => {
    const r = parseHash(hash);
    expect(r.ok).toBe(true);
    if (!r.ok || !r.value) throw new Error('no state');
    if (presetId) expect(r.value.presetId).toBe(presetId);
    expect(r.value.log.map((e) => e.action)).toEqual(actions);
    expect(r.value.position).toBe(actions.length);
    expect(r.value.states).toHaveLength(actions.length + 1);
    expect(r.notice?.startsWith(notice)).toBe(true);
  });

  it('keeps the valid panels of a panel list cut short, and the threads after a bad part', () => {
    const r = parseHash('#preset=matmul-64&panels=problem,ne&threads=2');
    if (!r.ok || !r.value) throw new Error('no state');
    expect(Object.entries(r.value.panels ?? {}).filter(([, shown]) => shown)).toEqual([['problem', true]]);
    expect(r.value.threads).toBe(2);
    const cut = parseHash('#preset=matmul-64&a=split_4,down&at=1&panels=nest&thr');
    if (!cut.ok || !cut.value) throw new Error('no state');
    expect(cut.value.position).toBe(1);
    expect(cut.notice).toBeUndefined(); // an unknown key is not ours, as before
  });

  it('quotes at most a short excerpt of huge input and caps the action list', () => {
    const set = parseHash(`#preset=matmul-64&a=down,set:${'m'.repeat(100_000)}`);
    if (!set.ok) throw new Error(set.error);
    expect(set.value?.log).toHaveLength(1);
    expect(set.notice).toMatch(
      /^the link's history stops at action 2: the schedule 'm{40}\.\.\. \(100000 characters\)'/,
    );
    expect(set.notice?.length).toBeLessThan(400);

    const loops = parseHash(`#preset=matmul-64&s=${'m+'.repeat(4_990)}n+k`);
    if (!loops.ok) throw new Error(loops.error);
    expect(loops.notice).toMatch(
      /^the link's schedule 'm m m .*\.\.\. \(9983 characters\)' has an error: .*more than 10 loops/,
    );
    expect(loops.notice?.length).toBeLessThan(400);

    // A part far over every cap is left out before it is decoded (decoding 600,000 characters
    // would hold the page up longer than the cap's whole point).
    const huge = parseHash(`#preset=matmul-64&s=${'m+'.repeat(300_000)}&threads=2`);
    if (!huge.ok) throw new Error(huge.error);
    expect(huge.value?.presetId).toBe('matmul-64');
    expect(huge.value?.threads).toBe(2);
    expect(huge.notice).toBe(
      "the link's part 's' has 600000 characters, more than any the page writes (at most 90000); it is left out",
    );
    const hugeProblem = parseHash(`#p=${'C'.repeat(100_000)}`);
    expect(hugeProblem).toEqual({
      ok: false,
      error: "the link's part 'p' has 100000 characters, more than any the page writes (at most 90000)",
    });

    const many = parseHash(`#preset=matmul-64&a=${'down,'.repeat(MAX_LOG_ACTIONS)}up`);
    if (!many.ok) throw new Error(many.error);
    expect(many.value?.presetId).toBe('matmul-64');
    expect(many.value?.log).toEqual([]);
    expect(many.notice).toBe(
      `the link's history has more actions than the limit of ${MAX_LOG_ACTIONS}; kept the problem and none of its actions`,
    );
    // At the limit the actions are read.
    const atLimit = parseHash(`#preset=matmul-64&a=${'down,up,'.repeat(MAX_LOG_ACTIONS / 2 - 1)}down,up`);
    if (!atLimit.ok) throw new Error(atLimit.error);
    expect(atLimit.value?.log).toHaveLength(MAX_LOG_ACTIONS);
    expect(atLimit.notice).toBeUndefined();
  });

  const bad: [string, string][] = [
    ['#p=C[m,n]+%2B=+A[m', "the link's problem has an error: line 1, col "],
    ['#p=C[m,n]+%2B=+A[m,k]+*+B[k,n]%0Am=8,+n=8', "the link's problem has an error: "],
    ['#preset=matmul-999', "the link's preset 'matmul-999' is not a preset; the presets are matmul-64,"],
    ['#preset=matmul-256&p=x', "the link gives both 'preset' and 'p'; keep one"],
    ['#p=C[m,n]%2', "the link is damaged: its part 'p' has a broken %-escape (was the link cut short?)"],
    ['#a=down&a=up', "the link gives 'a' twice; keep one"],
    ['#preset', "the link's part 'preset' has no value; write it as preset=..."],
  ];
  it.each(bad)('%s is refused: %s', (hash, message) => {
    const r = parseHash(hash);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.startsWith(message)).toBe(true);
  });
});

function fakeWindow(hash: string) {
  const listeners = new Map<string, () => void>();
  const replaced: string[] = [];
  const win = {
    location: { hash },
    history: {
      state: null,
      replaceState(_s: unknown, _t: string, url: string) {
        replaced.push(url);
        win.location.hash = url;
      },
    },
    addEventListener: (type: string, fn: () => void) => listeners.set(type, fn),
    removeEventListener: (type: string) => listeners.delete(type),
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms) as unknown as number,
    clearTimeout: (id: number) => clearTimeout(id),
  };
  return { win: win as unknown as UrlWindow, location: win.location, replaced, listeners };
}

describe('syncWithUrl', () => {
  it('restores the hash at start and writes every change after a short pause', async () => {
    vi.useFakeTimers();
    try {
      const f = fakeWindow('#preset=matmul-64&a=split_4,down&at=1&panels=nest');
      const store = createLooplabStore();
      const stop = syncWithUrl(store, f.win);
      expect(store.getState().presetId).toBe('matmul-64');
      expect(store.getState().position).toBe(1);
      expect(store.getState().log).toHaveLength(2);
      expect(store.getState().panels).toEqual(Object.fromEntries(PANEL_IDS.map((id) => [id, id === 'nest'])));
      expect(f.replaced).toEqual([]);
      store.getState().redo();
      store.getState().act('split_2');
      expect(f.replaced).toEqual([]);
      vi.advanceTimersByTime(150);
      expect(f.replaced).toEqual(['#preset=matmul-64&a=split_4,down,split_2&panels=nest']);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('an invalid hash keeps the default state, says why, and stays until the person acts', async () => {
    vi.useFakeTimers();
    try {
      const f = fakeWindow('#preset=matmul-999&a=down');
      const store = createLooplabStore();
      const stop = syncWithUrl(store, f.win);
      expect(store.getState().log).toEqual([]);
      expect(store.getState().notices).toEqual([
        {
          id: expect.any(Number),
          kind: 'error',
          text: expect.stringMatching(
            /^the link's preset 'matmul-999' is not a preset; .*; the page shows its default instead$/,
          ),
        },
      ]);
      vi.advanceTimersByTime(500);
      expect(f.location.hash).toBe('#preset=matmul-999&a=down');
      store.getState().act('down');
      vi.advanceTimersByTime(150);
      expect(f.location.hash).toBe('#preset=matmul-256&a=down');
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a hand edit of the hash (hashchange) restores it, or says why not', () => {
    const f = fakeWindow('');
    const store = createLooplabStore();
    const stop = syncWithUrl(store, f.win);
    f.location.hash = '#a=split_2';
    f.listeners.get('hashchange')?.();
    expect(store.getState().log).toEqual([{ action: 'split_2', by: 'person' }]);
    f.location.hash = '#a=split_2,bogus';
    f.listeners.get('hashchange')?.();
    expect(store.getState().log).toEqual([{ action: 'split_2', by: 'person' }]);
    expect(store.getState().notices.at(-1)?.text).toBe(
      "the link's action 2 'bogus' is not an action (was the link cut short?); kept the problem and the action before it",
    );
    f.location.hash = '#preset=matmul-64&a=down,split_16,up,spl';
    f.listeners.get('hashchange')?.();
    expect(store.getState().presetId).toBe('matmul-64');
    expect(store.getState().log.map((e) => e.action)).toEqual(['down', 'split_16', 'up']);
    f.location.hash = '#nothing-here';
    f.listeners.get('hashchange')?.();
    expect(store.getState().presetId).toBe('matmul-64');
    expect(store.getState().notices.at(-1)?.text).toMatch(/^the link's '#nothing-here' holds no playground state/);
    stop();
    expect(f.listeners.has('hashchange')).toBe(false);
  });
});

describe("where a teacher's link starts", () => {
  it("starts from the lesson's start, or keeps the hash's state on the lesson's problem", () => {
    const fresh = teacherLinkStart('?lesson=tiling', '');
    expect(fresh.errors).toEqual([]);
    expect(fresh.replaceHash).toBe(true);
    expect(printSchedule(fresh.snapshot!.base)).toBe('m:256 n:32 k:512 m:2 n:16');
    expect(fresh.snapshot!.panels?.lesson).toBe(true);
    // The hash written for it reads back as the same state.
    const back = parseHash(snapshotHash(fresh.snapshot!));
    expect(back.ok && back.value && printSchedule(back.value.base)).toBe('m:256 n:32 k:512 m:2 n:16');

    const kept = teacherLinkStart('?lesson=loop-order', '#preset=matmul-256&a=down,swap_down');
    expect(kept.snapshot!.log.map((e) => e.action)).toEqual(['down', 'swap_down']);
    const other = teacherLinkStart('?lesson=loop-order', '#preset=matmul-64&a=down');
    expect(other.snapshot!.problemKey).toBe(lessonSnapshot(lessonById('loop-order')!).problemKey);
    expect(other.snapshot!.log).toEqual([]);
    const broken = teacherLinkStart('?lesson=loop-order', '#preset=nope');
    expect(broken.errors[0]).toMatch(/preset 'nope' is not a preset.*the lesson starts from its own start/);
  });

  it('without a lesson the hash decides', () => {
    const r = teacherLinkStart('?present=1', '#preset=matmul-64');
    expect(r.replaceHash).toBe(false);
    expect(r.teacher.present).toBe(true);
    expect(r.snapshot?.presetId).toBe('matmul-64');
  });
});

describe('the lesson in the query', () => {
  it('follows the open lesson, present mode and the handout, keeping other keys and the hash', () => {
    const url = { pathname: '/', search: '?kernel-time-limit-ms=500', hash: '#preset=matmul-256' };
    const win = {
      location: url,
      history: {
        state: null,
        replaceState(_state: unknown, _title: string, next: string) {
          const m = /^([^?#]*)(\?[^#]*)?(#.*)?$/.exec(next)!;
          url.pathname = m[1];
          url.search = m[2] ?? '';
          url.hash = m[3] ?? '';
        },
      },
    } as unknown as Pick<Window, 'location' | 'history'>;
    const s = createLooplabStore();
    const stop = syncLessonQuery(s, win);
    s.getState().openLesson('tiling');
    expect(url.search).toBe('?lesson=tiling&kernel-time-limit-ms=500');
    s.getState().setPresent(true);
    s.getState().setHandoutOpen(true);
    expect(url.search).toBe('?lesson=tiling&present=1&handout=1&kernel-time-limit-ms=500');
    expect(url.hash).toBe('#preset=matmul-256');
    s.getState().closeLesson();
    expect(url.search).toBe('?present=1&kernel-time-limit-ms=500');
    stop();
    s.getState().setPresent(false);
    expect(url.search).toBe('?present=1&kernel-time-limit-ms=500');
  });
});
