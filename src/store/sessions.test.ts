import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { printSchedule } from '../core/schedule.ts';
import { createLooplabStore } from './createStore.ts';
import { indexedDbSessions, memorySessions, SESSIONS_STORE, type SessionStorage } from './sessions.ts';

let dbCount = 0;
const freshDb = () => `looplab-test-${++dbCount}`;

async function settle(store: ReturnType<typeof createLooplabStore>) {
  await store.getState().refreshSessions();
}

describe('sessions in IndexedDB', () => {
  it('save, list, open, rename, delete; sessions survive a new store (a reload)', async () => {
    const name = freshDb();
    const a = createLooplabStore({ persistence: indexedDbSessions(name) });
    a.getState().loadPreset('matmul-64');
    a.getState().act('split_4');
    a.getState().act('down', 'agent');
    a.getState().act('down');
    expect(a.getState().act('swap_up')).toBe(true);
    a.getState().undo();
    a.getState().togglePanel('graph');
    await a.getState().saveSession('  tiles ');
    expect(a.getState().sessions).toHaveLength(1);
    expect(a.getState().sessions[0]).toMatchObject({
      name: 'tiles',
      schedule: 'm:16 m:4 n:64 k:64',
      problemKey: a.getState().problemKey,
    });
    expect(a.getState().notices.at(-1)?.text).toBe("saved session 'tiles'");

    // A reload: a new store on the same database.
    const b = createLooplabStore({ persistence: indexedDbSessions(name) });
    await settle(b);
    expect(b.getState().sessions.map((s) => s.name)).toEqual(['tiles']);
    await b.getState().openSession(b.getState().sessions[0].id);
    const sa = a.getState();
    const sb = b.getState();
    expect(sb.problemKey).toBe(sa.problemKey);
    expect(sb.log).toEqual(sa.log);
    expect(sb.position).toBe(3);
    expect(sb.current).toEqual(sa.current);
    expect(sb.panels).toEqual(sa.panels);
    expect(sb.notices.at(-1)?.text).toBe("opened session 'tiles'");

    // Saving under the same name updates it; another name adds one.
    b.getState().act('split_2');
    await b.getState().saveSession('tiles');
    await b.getState().saveSession('other');
    expect(
      b
        .getState()
        .sessions.map((s) => s.name)
        .sort(),
    ).toEqual(['other', 'tiles']);
    const tiles = b.getState().sessions.find((s) => s.name === 'tiles')!;
    expect(tiles.schedule).toBe(printSchedule(b.getState().current.schedule));

    await b.getState().renameSession(tiles.id, 'tiles v2');
    expect(
      b
        .getState()
        .sessions.map((s) => s.name)
        .sort(),
    ).toEqual(['other', 'tiles v2']);
    await b.getState().deleteSession(tiles.id);
    expect(b.getState().sessions.map((s) => s.name)).toEqual(['other']);
  });

  it('keeps an imported base schedule', async () => {
    const persistence = memorySessions();
    const a = createLooplabStore({ persistence, initial: { base: 'm:16 n k m:16' } });
    a.getState().act('down');
    await a.getState().saveSession('based');
    const b = createLooplabStore({ persistence });
    await settle(b);
    await b.getState().openSession(b.getState().sessions[0].id);
    expect(printSchedule(b.getState().base)).toBe('m:16 n:256 k:256 m:16');
    expect(b.getState().current).toEqual(a.getState().current);
  });

  it('keeps the thread count chosen in the page, and restores it (an old record keeps the current one)', async () => {
    const persistence = memorySessions();
    const a = createLooplabStore({ persistence });
    a.getState().setThreads(3);
    await a.getState().saveSession('three threads');
    a.getState().setThreads(null);
    await a.getState().saveSession('per processor');
    const b = createLooplabStore({ persistence });
    await settle(b);
    const id = (name: string) => b.getState().sessions.find((m) => m.name === name)!.id;
    await b.getState().openSession(id('three threads'));
    expect(b.getState().threadsChosen).toBe(3);
    await b.getState().openSession(id('per processor'));
    expect(b.getState().threadsChosen).toBe(null);
    // A record saved before threads were kept: the page's choice stays.
    b.getState().setThreads(2);
    const old = { ...(persistence.records.get(id('three threads')) as object), id: 'old', name: 'old' };
    delete (old as { threads?: unknown }).threads;
    persistence.records.set('old', old);
    await b.getState().openSession('old');
    expect(b.getState().threadsChosen).toBe(2);
    // An absurd count opens the rest, as a link does, with one thread per processor and a notice.
    persistence.records.set('absurd', { ...old, id: 'absurd', name: 'absurd', threads: 500 });
    await b.getState().openSession('absurd');
    expect(b.getState().notices.at(-1)?.text).toBe(
      "session 'absurd': its thread count 500 is not a whole number from 1 to 64; parallel loops run on one thread per processor instead (choose another count in the performance panel)",
    );
    expect(b.getState().threadsChosen).toBe(null);
    expect(b.getState().sessions.find((m) => m.id === 'absurd')?.damaged).toBeUndefined();
  });

  it('a damaged record lists, is reported when opened, and is left as it is; others still open', async () => {
    const name = freshDb();
    const persistence = indexedDbSessions(name);
    const a = createLooplabStore({ persistence });
    a.getState().act('split_8');
    await a.getState().saveSession('good');

    const db = await openDB(name, 1);
    const broken: Record<string, unknown> = {
      unknownAction: {
        id: 'x1',
        name: 'x',
        savedAt: 1,
        problemText: a.getState().problemText,
        log: [{ action: 'splt_4', by: 'person' }],
        position: 1,
        panels: {},
      },
      badProblem: {
        id: 'x2',
        name: 'bad problem',
        savedAt: 2,
        problemText: 'C[m,n] += A[m',
        log: [],
        position: 0,
        panels: {},
      },
      badShape: { id: 'x3', name: 'shape', savedAt: 3, log: 'nope' },
      notObject: { id: 'x4' },
      badHistory: {
        id: 'x5',
        name: 'hist',
        savedAt: 5,
        problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=8, n=8, k=8',
        log: ['split_16'],
        position: 1,
        panels: {},
      },
      badPosition: {
        id: 'x6',
        name: 'pos',
        savedAt: 6,
        problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=8, n=8, k=8',
        log: [],
        position: 3,
        panels: {},
      },
    };
    for (const value of Object.values(broken)) await db.put(SESSIONS_STORE, value);
    const raw = await db.getAll(SESSIONS_STORE);
    db.close();

    const b = createLooplabStore({ persistence });
    await settle(b);
    const byId = Object.fromEntries(b.getState().sessions.map((s) => [s.id, s]));
    expect(Object.keys(byId)).toHaveLength(7);
    expect(byId.x1.damaged).toBe("its action 1 'splt_4' is not an action");
    expect(byId.x2.damaged).toMatch(/^its problem has an error: line 1, col \d+: /);
    expect(byId.x3.damaged).toBe('it has no problem text');
    expect(byId.x4.damaged).toBe('it has no name');
    expect(byId.x4.name).toBe('x4');
    expect(byId.x5.damaged).toBe("its history stops at action 1: can't split m:8 by 16: the loop only runs 8 times");
    expect(byId.x6.damaged).toBe('its position 3 is past the end of its history (0 actions)');

    const before = b.getState();
    await b.getState().openSession('x1');
    expect(b.getState().notices.at(-1)).toMatchObject({
      kind: 'error',
      text: "session 'x' is damaged: its action 1 'splt_4' is not an action; it was left as it is",
    });
    expect(b.getState().log).toBe(before.log);
    await b.getState().openSession('x2');
    expect(b.getState().notices.at(-1)?.text).toMatch(
      /^session 'bad problem' is damaged: its problem has an error: line 1, col \d+: .*; it was left as it is$/,
    );
    await b.getState().renameSession('x3', 'fixed?');
    expect(b.getState().notices.at(-1)?.text).toBe(
      "session 'shape' is damaged: it has no problem text; it was left as it is",
    );

    // Nothing was changed or deleted.
    const db2 = await openDB(name, 1);
    expect(await db2.getAll(SESSIONS_STORE)).toEqual(raw);
    db2.close();

    const good = b.getState().sessions.find((s) => s.name === 'good')!;
    await b.getState().openSession(good.id);
    expect(b.getState().log).toEqual([{ action: 'split_8', by: 'person' }]);
  });

  it('storage failures become notices, never rejections', async () => {
    const failing: SessionStorage = {
      list: () => Promise.reject(new Error('QuotaExceededError')),
      get: () => Promise.reject(new Error('blocked')),
      put: () => Promise.reject(new Error('disk full')),
      delete: () => Promise.reject(new Error('nope')),
    };
    const s = createLooplabStore({ persistence: failing });
    await settle(s);
    await s.getState().saveSession('x');
    await s.getState().openSession('x');
    await s.getState().renameSession('x', 'y');
    await s.getState().deleteSession('x');
    await s.getState().saveSession('   ');
    expect(s.getState().notices.map((n) => n.text)).toEqual([
      'the saved sessions could not be read: QuotaExceededError',
      "session 'x' could not be saved: disk full",
      'the session could not be opened: blocked',
      'the session could not be renamed: blocked',
      'the session could not be deleted: nope',
      'give the session a name to save it',
    ]);
  });

  it('opening a session that no longer exists says so', async () => {
    const s = createLooplabStore({ persistence: memorySessions() });
    await s.getState().openSession('gone');
    expect(s.getState().notices.at(-1)?.text).toBe("the session 'gone' no longer exists");
  });

  it('without storage the list stays empty and saving says why', async () => {
    const s = createLooplabStore();
    await s.getState().refreshSessions();
    await s.getState().saveSession('x');
    expect(s.getState().sessions).toEqual([]);
    expect(s.getState().notices.at(-1)?.text).toBe('saved sessions are not available in this page');
  });
});
