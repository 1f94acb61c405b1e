// Which panels are shown, and the notices for the person (errors and information).
import type { SliceCreator } from './sliceCreator.ts';
import { PANELS, type PanelId } from './panels.ts';
import type { UiSlice } from './types.ts';

/** Shown on a first visit (store/panels.ts's `shownAtFirst`). */
export const DEFAULT_PANELS: Record<PanelId, boolean> = Object.fromEntries(
  PANELS.map((p) => [p.id, p.shownAtFirst]),
) as Record<PanelId, boolean>;

/** The most notices kept; older ones go first. */
export const MAX_NOTICES = 8;

export const createUiSlice: SliceCreator<UiSlice> = (set, get, { initial }) => {
  let nextId = 1;
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
      set({ notices: [...notices, { id: nextId++, kind, text }].slice(-MAX_NOTICES) });
    },
    dismissNotice(id) {
      set({ notices: get().notices.filter((n) => n.id !== id) });
    },
  };
};
