// The page's panels, one entry each, in the order of the header's toggles. Everything else derives
// from this list: the ids that links, sessions and a teacher's `hide=` accept, the panels shown on
// a first visit, the toggles' labels and the page's columns. What each panel renders is the page's
// (ui/panelContent.tsx, a record over these ids that the typecheck keeps complete).

/** The page's columns, left to right; the lesson column is there only while a lesson is open. */
export type PanelColumn = 'lesson' | 'left' | 'middle' | 'right';

export interface PanelInfo {
  id: string;
  /** On its toggle. */
  label: string;
  column: PanelColumn;
  /** Shown on a first visit (a link's or a session's `panels` decide otherwise). */
  shownAtFirst: boolean;
}

export const PANELS = [
  { id: 'problem', label: 'problem', column: 'left', shownAtFirst: true },
  { id: 'nest', label: 'loop nest', column: 'middle', shownAtFirst: true },
  { id: 'graph', label: 'graph', column: 'right', shownAtFirst: true },
  { id: 'code', label: 'code', column: 'right', shownAtFirst: true },
  { id: 'perf', label: 'performance', column: 'middle', shownAtFirst: true },
  // Opens when a schedule is pinned.
  { id: 'compare', label: 'compare', column: 'right', shownAtFirst: false },
  { id: 'agent', label: 'agent', column: 'left', shownAtFirst: true },
  { id: 'lab', label: 'agent vs search', column: 'middle', shownAtFirst: false },
  // Opens with a lesson.
  { id: 'lesson', label: 'lesson', column: 'lesson', shownAtFirst: false },
  { id: 'access', label: 'access pattern', column: 'right', shownAtFirst: false },
  { id: 'memory', label: 'memory', column: 'right', shownAtFirst: false },
] as const satisfies readonly PanelInfo[];

export type PanelId = (typeof PANELS)[number]['id'];

/** In toggle order. */
export const PANEL_IDS: PanelId[] = PANELS.map((p) => p.id);

export const PANEL_BY_ID = Object.fromEntries(PANELS.map((p) => [p.id, p])) as Record<
  PanelId,
  PanelInfo & { id: PanelId }
>;
