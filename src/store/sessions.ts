// Named sessions in IndexedDB (database `looplab`, store `sessions`, key `id`). Records are read
// back as unknown values and checked: a damaged record still lists, is reported when opened, and
// is never changed or deleted by the page.
import { printSchedule } from '../core/schedule.ts';
import { indexedDbRecords, memoryRecords, type RecordStorage } from './recordStorage.ts';
import { resolveSnapshot, type ResolvedSnapshot } from './snapshot.ts';
import type { HistoryEntry, PanelId, SessionMeta } from './types.ts';

/** What a saved session holds. */
export interface SessionRecord {
  id: string;
  name: string;
  savedAt: number;
  problemText: string;
  /** Schedule text the log starts from, when it is not the problem's default. */
  base?: string;
  log: HistoryEntry[];
  position: number;
  panels: Record<PanelId, boolean>;
  /** The thread count chosen for parallel loops (null: one per processor); older records lack it. */
  threads?: number | null;
}

/** Where sessions are kept: IndexedDB in the page, a Map in tests. Reads return raw values. */
export type SessionStorage = RecordStorage<SessionRecord>;

export const SESSIONS_DB = 'looplab';
export const SESSIONS_STORE = 'sessions';

/** Sessions in IndexedDB; the database opens on first use. */
export function indexedDbSessions(dbName = SESSIONS_DB): SessionStorage {
  return indexedDbRecords<SessionRecord>(dbName, SESSIONS_STORE, 'id');
}

/** Sessions in memory (tests, or a page without IndexedDB). */
export function memorySessions(): SessionStorage & { records: Map<string, unknown> } {
  return memoryRecords<SessionRecord>('id');
}

export type CheckedSession = { meta: SessionMeta; snapshot: ResolvedSnapshot | null };

/** The name to show for a record, even a damaged one. */
export function sessionName(id: string, value: unknown): string {
  const name = value && typeof value === 'object' ? (value as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name.trim() !== '' ? name : id;
}

/** Checks a stored value; `snapshot` is null (and `meta.damaged` says why) when it can't be opened. */
export function checkSession(id: string, value: unknown): CheckedSession {
  const name = sessionName(id, value);
  const damaged = (why: string): CheckedSession => ({
    meta: { id, name, savedAt: savedAtOf(value), problemKey: '', schedule: '', damaged: why },
    snapshot: null,
  });
  if (!value || typeof value !== 'object' || Array.isArray(value)) return damaged('it is not a session record');
  const r = value as Partial<Record<keyof SessionRecord, unknown>>;
  if (typeof r.name !== 'string') return damaged('it has no name');
  if (typeof r.problemText !== 'string') return damaged('it has no problem text');
  if (!Array.isArray(r.log)) return damaged('its history is not a list of actions');
  if (r.base !== undefined && typeof r.base !== 'string') return damaged('its schedule is not schedule text');
  if (r.position !== undefined && typeof r.position !== 'number')
    return damaged(`its position ${JSON.stringify(r.position)} is not a number`);
  if (r.panels !== undefined && (typeof r.panels !== 'object' || r.panels === null))
    return damaged('its panels are not a set of panels');
  const resolved = resolveSnapshot(
    {
      problemText: r.problemText,
      base: r.base as string | undefined,
      log: r.log,
      position: r.position as number | undefined,
      panels: r.panels as Partial<Record<PanelId, boolean>> | undefined,
      threads: r.threads,
    },
    'its',
  );
  if (!resolved.ok) return damaged(resolved.error);
  const s = resolved.value;
  return {
    meta: {
      id,
      name,
      savedAt: savedAtOf(value),
      problemKey: s.problemKey,
      schedule: printSchedule(s.states[s.position].schedule),
    },
    snapshot: s,
  };
}

function savedAtOf(value: unknown): number {
  const t = value && typeof value === 'object' ? (value as { savedAt?: unknown }).savedAt : undefined;
  return typeof t === 'number' && Number.isFinite(t) ? t : 0;
}

/** The message when a damaged session is opened. */
export function damagedMessage(name: string, why: string): string {
  return `session '${name}' is damaged: ${why}; it was left as it is`;
}

/** A fresh session id. */
export function newSessionId(): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `s-${Date.now().toString(36)}-${random}`;
}
