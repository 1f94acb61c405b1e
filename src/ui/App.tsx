// The page: one store (made once: the worker measures, IndexedDB keeps sessions, the URL holds the
// state), the keyboard, and the panels in three columns readable at 1280x720 and on a projector.
// Each panel is a component without props that reads the store itself.
import { Component, Suspense, useEffect, useLayoutEffect, useRef, type CSSProperties, type ReactNode } from 'react';
import { LooplabProvider, useLooplab } from '../store/context.tsx';
import { createPageStore, type PageStore } from '../store/page.ts';
import { PANEL_BY_ID, PANEL_IDS, PANELS, type PanelColumn, type PanelId } from '../store/panels.ts';
import { Notices } from './Notices.tsx';
import { Panel } from './Panel.tsx';
import { PANEL_CONTENT, SIDE_CONTENT, type PanelPart } from './panelContent.tsx';
import { KeyboardProvider, useNestKeys } from './useKeyboard.tsx';
import { Handout } from './Handout.tsx';
import { PresentToggle, usePageModes } from './PresentMode.tsx';
import { EmbedBar } from './EmbedBar.tsx';
import { errorMessage } from '../core/errors.ts';
import { registerServiceWorker } from './serviceWorker.ts';

// One store per page load (StrictMode renders twice; a module-level store keeps one worker).
let page: PageStore | null = null;
function pageStore(): PageStore {
  page ??= createPageStore();
  return page;
}
if (import.meta.hot) {
  import.meta.hot.dispose(() => {
    page?.dispose();
    page = null;
  });
}

/** Keeps one failing panel from taking the page down; says what failed. */
class PanelBoundary extends Component<{ name: string; children: ReactNode }, { error: string | null }> {
  state = { error: null as string | null };
  static getDerivedStateFromError(error: unknown) {
    return { error: errorMessage(error) };
  }
  render() {
    if (this.state.error !== null) {
      return (
        <Panel title={this.props.name}>
          <p className="error" role="alert" data-testid="panel-error">
            this panel stopped working: {this.state.error}
          </p>
          <button type="button" onClick={() => this.setState({ error: null })}>
            try again
          </button>
        </Panel>
      );
    }
    return this.props.children;
  }
}

function PanelToggles() {
  const panels = useLooplab((s) => s.panels);
  const togglePanel = useLooplab((s) => s.togglePanel);
  const hidden = useLooplab((s) => s.teacher.hide);
  const { setHelpOpen } = useNestKeys();
  return (
    <nav className="panel-toggles" aria-label="panels">
      {PANELS.filter((p) => !hidden.includes(p.id)).map(({ id, label }) => (
        <button
          key={id}
          type="button"
          className="panel-toggle"
          aria-pressed={panels[id]}
          data-testid={`toggle-${id}`}
          onClick={() => togglePanel(id)}
          title={`${panels[id] ? 'hide' : 'show'} the ${label} panel`}
        >
          {label}
        </button>
      ))}
      <PresentToggle />
      <button
        type="button"
        className="keys-button"
        data-testid="keys-button"
        onClick={() => setHelpOpen(true)}
        title="every key (?)"
      >
        keys <kbd>?</kbd>
      </button>
    </nav>
  );
}

function Slot({ id, part, children }: { id: PanelId | 'side'; part: PanelPart; children: ReactNode }) {
  // A panel a teacher's link hides stays hidden, whatever the panels say.
  const shown = useLooplab((s) => (id === 'side' ? true : s.panels[id] && !s.teacher.hide.includes(id)));
  if (!shown) return null;
  return (
    <div className={`slot slot-${id}${part.slot ? ` slot-${part.slot}` : ''}`}>
      <PanelBoundary name={part.name}>{children}</PanelBoundary>
    </div>
  );
}

/** One part of a panel, or of the side content, in its slot. */
function PartSlot({ id, part }: { id: PanelId | 'side'; part: PanelPart }) {
  const content = part.loading ? (
    <Suspense fallback={<p>{part.loading}</p>}>
      <part.Component />
    </Suspense>
  ) : (
    <part.Component />
  );
  return (
    <Slot id={id} part={part}>
      {content}
    </Slot>
  );
}

// Grid tracks of each column from 1200 px wide (app.css places the columns on narrower screens).
// With a lesson the left column goes under the lesson, so the lesson, the loop nest and the GFLOPS
// figure share the first screen (1280x720 is a class projector's size).
const TRACKS: Record<'plain' | 'lesson', Partial<Record<PanelColumn, string>>> = {
  plain: { left: 'minmax(0, 0.8fr)', middle: 'minmax(0, 1fr)', right: 'minmax(0, 1.25fr)' },
  lesson: { lesson: 'minmax(0, 0.9fr)', middle: 'minmax(0, 1fr)', right: 'minmax(0, 1fr)' },
};
const COLUMNS: PanelColumn[] = ['lesson', 'left', 'middle', 'right'];
/** Each column's panels, in page order (panelContent.tsx). */
const COLUMN_PANELS = Object.fromEntries(
  COLUMNS.map((c) => [c, (Object.keys(PANEL_CONTENT) as PanelId[]).filter((id) => PANEL_BY_ID[id].column === c)]),
) as Record<PanelColumn, PanelId[]>;
/** The column that holds the side content (sessions, export and import): always shown. */
const SIDE_COLUMN: PanelColumn = 'left';

/**
 * Keeps `--layout-top` on <html> at where the panels start (under the header and any notices), so the
 * lesson column can fill the rest of the screen.
 */
function useLayoutTop() {
  const ref = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    const main = ref.current;
    const app = main?.parentElement;
    if (!main || !app) return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() => {
      root.style.setProperty('--layout-top', `${Math.ceil(main.getBoundingClientRect().top + window.scrollY)}px`);
    });
    // The header wrapping or a notice coming or going resizes the page's box above the panels.
    for (const el of app.children) if (el !== main) observer.observe(el);
    observer.observe(app);
    return () => observer.disconnect();
  }, []);
  return ref;
}

function Layout() {
  usePageModes();
  const handoutOpen = useLooplab((s) => s.handoutOpen);
  // Joined into a string so the layout renders again only when the set of shown panels changes.
  const shownKey = useLooplab((s) => PANEL_IDS.filter((id) => s.panels[id] && !s.teacher.hide.includes(id)).join(' '));
  const shown = new Set(shownKey.split(' '));
  const lessonShown = shown.has('lesson');
  // An embed (?embed=1, in a slide's iframe) has no header and no side content: only the link's panels.
  const embed = useLooplab((s) => s.teacher.embed === true);
  const shownColumns = COLUMNS.filter(
    (c) => (c === SIDE_COLUMN && !embed) || COLUMN_PANELS[c].some((id) => shown.has(id)),
  );
  const tracks = lessonShown ? TRACKS.lesson : TRACKS.plain;
  const columns = shownColumns
    .map((c) => tracks[c])
    .filter(Boolean)
    .join(' ');
  const mainRef = useLayoutTop();
  return (
    <div className="app">
      {embed ? (
        <EmbedBar />
      ) : (
        <header className="app-header">
          <div className="app-title">
            <h1>looplab</h1>
            <p className="tagline">reorder and split loops; WebAssembly SIMD kernels timed on your CPU</p>
          </div>
          <PanelToggles />
        </header>
      )}
      <Notices />
      {handoutOpen && <Handout />}
      <main
        ref={mainRef}
        className={lessonShown ? 'layout layout-with-lesson' : 'layout'}
        hidden={handoutOpen}
        style={{ '--columns': columns } as CSSProperties}
      >
        {shownColumns.map((c) => (
          <div key={c} className={`column column-${c}`}>
            {COLUMN_PANELS[c].flatMap((id) =>
              PANEL_CONTENT[id].map((part) => <PartSlot key={part.name} id={id} part={part} />),
            )}
            {c === SIDE_COLUMN &&
              !embed &&
              SIDE_CONTENT.map((part) => <PartSlot key={part.name} id="side" part={part} />)}
          </div>
        ))}
      </main>
    </div>
  );
}

export function App() {
  const { store } = pageStore();
  useEffect(() => {
    // Only a build has the service worker (the dev server serves the sources as they change).
    if (!import.meta.env.PROD) return;
    void registerServiceWorker(import.meta.env.BASE_URL, () =>
      store
        .getState()
        .notify(
          'error',
          'a new version of looplab is installed: reload the page to use it (this page is the older one)',
        ),
    );
  }, [store]);
  return (
    <LooplabProvider store={store}>
      <KeyboardProvider>
        <Layout />
      </KeyboardProvider>
    </LooplabProvider>
  );
}
