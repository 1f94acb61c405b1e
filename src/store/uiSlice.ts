// Which panels are shown, and the notices for the person (errors and information). An error is
// about the problem and schedule it was raised on: once either changes it no longer applies and
// goes (`dropStaleNotices`); information times out in the page.
import { printSchedule } from '../core/schedule.ts';
import type { SliceCreator } from './sliceCreator.ts';
import { PANELS, type PanelId } from './panels.ts';
import type { LooplabState, UiSlice } from './types.ts';

/** Shown on a first visit (store/panels.ts's `shownAtFirst`). */
export const DEFAULT_PANELS: Record<PanelId, boolean> = Object.fromEntries(
  PANELS.map((p) => [p.id, p.shownAtFirst]),
) as Record<PanelId, boolean>;

/** The most notices kept; older ones go first. */
export const MAX_NOTICES = 8;

/** What an error notice is about: the problem and the schedule (not the cursor). */
function noticeSubject(s: Pick<LooplabState, 'problemKey' | 'current'>): string {
  return `${s.problemKey}\n${printSchedule(s.current.schedule)}`;
}

export const createUiSlice: SliceCreator<UiSlice> = (set, get, { initial }) => {
  let nextId = 1;
  /** Per error notice id, what it was about when raised. */
  const about = new Map<number, string>();
  return {
    panels: { ...DEFAULT_PANELS, ...initial.panels },
    togglePanel(id) {
      if (get().teacher?.hide.includes(id)) {
        get().notify('error', `this lesson hides the ${id} panel`);
        return;
      }
      set({ panels: { ...get().panels, [id]: !get().panels[id] } });
    },
    notices: [],
    notify(kind, text) {
      const notices = get().notices;
      // The same message twice (e.g. two failed measurements) shows once.
      if (notices.some((n) => n.kind === kind && n.text === text)) return;
      const id = nextId++;
      if (kind === 'error') about.set(id, noticeSubject(get()));
      const kept = [...notices, { id, kind, text }].slice(-MAX_NOTICES);
      for (const n of notices) if (!kept.includes(n)) about.delete(n.id);
      set({ notices: kept });
    },
    dismissNotice(id) {
      about.delete(id);
      set({ notices: get().notices.filter((n) => n.id !== id) });
    },
    dropStaleNotices() {
      if (about.size === 0) return;
      const subject = noticeSubject(get());
      const stale = new Set([...about].filter(([, s]) => s !== subject).map(([id]) => id));
      if (stale.size === 0) return;
      for (const id of stale) about.delete(id);
      set({ notices: get().notices.filter((n) => !stale.has(n.id)) });
    },
  };
};
