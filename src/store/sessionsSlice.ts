// Saved sessions: save, list, open, rename, delete. Every action reports through notices and
// never rejects; without storage (tests), the list stays empty and saving says why.
import { printSchedule } from '../core/schedule.ts';
import { linearHistory } from './chapters.ts';
import { storedEntry } from './log.ts';
import { isDefaultBase } from './snapshot.ts';
import { checkSession, damagedMessage, newSessionId, sessionName, type SessionRecord } from './sessions.ts';
import type { SliceCreator } from './sliceCreator.ts';
import type { SessionsSlice } from './types.ts';
import { errorMessage } from '../core/errors.ts';

export const createSessionsSlice: SliceCreator<SessionsSlice> = (set, get, { persistence }) => {
  const unavailable = () => get().notify('error', 'saved sessions are not available in this page');
  const failed = (what: string, error: unknown) => get().notify('error', `${what}: ${errorMessage(error)}`);

  return {
    sessions: [],

    async refreshSessions() {
      if (!persistence) return;
      try {
        const rows = await persistence.list();
        const sessions = rows.map(({ id, value }) => checkSession(id, value).meta);
        sessions.sort((a, b) => b.savedAt - a.savedAt || a.name.localeCompare(b.name));
        set({ sessions });
      } catch (error) {
        failed('the saved sessions could not be read', error);
      }
    },

    async saveSession(rawName) {
      const name = rawName.trim();
      if (name === '') {
        get().notify('error', 'give the session a name to save it');
        return;
      }
      if (!persistence) return unavailable();
      const s = get();
      // Saving under an existing name updates that session.
      const same = s.sessions.find((m) => m.name === name && !m.damaged);
      const history = linearHistory(s);
      const record: SessionRecord = {
        id: same?.id ?? newSessionId(),
        name,
        savedAt: Date.now(),
        // The whole history from the first problem (text with an error is not saved).
        problemText: history.problemText,
        log: history.log.map(storedEntry),
        position: history.position,
        panels: { ...s.panels },
        threads: s.threadsChosen,
      };
      if (!isDefaultBase(history.first.problem, history.base)) record.base = printSchedule(history.base);
      try {
        await persistence.put(record);
        await get().refreshSessions();
        get().notify('info', `saved session '${name}'`);
      } catch (error) {
        failed(`session '${name}' could not be saved`, error);
      }
    },

    async openSession(id) {
      if (!persistence) return unavailable();
      try {
        const value = await persistence.get(id);
        if (value === undefined) {
          get().notify('error', `the session '${id}' no longer exists`);
          await get().refreshSessions();
          return;
        }
        const { meta, snapshot } = checkSession(id, value);
        if (!snapshot) {
          get().notify('error', damagedMessage(meta.name, meta.damaged ?? 'it can not be read'));
          return;
        }
        get().restore(snapshot);
        get().notify('info', `opened session '${meta.name}'`);
      } catch (error) {
        failed('the session could not be opened', error);
      }
    },

    async renameSession(id, rawName) {
      const name = rawName.trim();
      if (name === '') {
        get().notify('error', 'a session needs a name');
        return;
      }
      if (!persistence) return unavailable();
      try {
        const value = await persistence.get(id);
        if (value === undefined) {
          get().notify('error', `the session '${id}' no longer exists`);
          await get().refreshSessions();
          return;
        }
        const { meta } = checkSession(id, value);
        if (meta.damaged) {
          get().notify('error', damagedMessage(sessionName(id, value), meta.damaged));
          return;
        }
        await persistence.put({ ...(value as SessionRecord), name });
        await get().refreshSessions();
      } catch (error) {
        failed('the session could not be renamed', error);
      }
    },

    async deleteSession(id) {
      if (!persistence) return unavailable();
      try {
        await persistence.delete(id);
        await get().refreshSessions();
      } catch (error) {
        failed('the session could not be deleted', error);
      }
    },
  };
};
