// The page: one store (made once: the worker measures, IndexedDB keeps sessions, the URL holds the
// state), the keyboard, and the panels in three columns readable at 1280x720 and on a projector.
// Each panel is a component without props that reads the store itself.
import { Component, lazy, Suspense, type CSSProperties, type ReactNode } from 'react';
import { LooplabProvider, useLooplab } from '../store/context.tsx';
import { createPageStore, type PageStore } from '../store/page.ts';
import { PANEL_IDS, type PanelId } from '../store/types.ts';
import { AgentPanel } from './AgentPanel.tsx';
import { ComparePanel } from './ComparePanel.tsx';
import { ExplainPanel } from './ExplainPanel.tsx';
import { ExchangeMenu } from './ExchangeMenu.tsx';
import { LoopNestPanel } from './LoopNestPanel.tsx';
import { Notices } from './Notices.tsx';
import { Panel } from './Panel.tsx';
import { PerformancePanel } from './PerformancePanel.tsx';
import { GraphPanel } from './GraphPanel.tsx';
import { CodePanel } from './CodePanel.tsx';
import { ProblemPanel } from './ProblemPanel.tsx';
import { SessionsPanel } from './SessionsPanel.tsx';
import { KeyboardProvider, useNestKeys } from './useKeyboard.tsx';
import { FixedProblemPanel } from './FixedProblemPanel.tsx';
import { Handout } from './Handout.tsx';
import { LessonPanel } from './LessonPanel.tsx';
import { PresentToggle, usePageModes } from './PresentMode.tsx';
import { errorMessage } from '../core/errors.ts';

// The access-pattern view is hidden at first: loaded when shown.
const AccessPanel = lazy(() => import('./AccessPanel.tsx').then((m) => ({ default: m.AccessPanel })));
// So is the agent lab.
const AgentLabPanel = lazy(() => import('./AgentLabPanel.tsx').then((m) => ({ default: m.AgentLabPanel })));

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

const PANEL_LABELS: Record<PanelId, string> = {
  problem: 'problem',
  nest: 'loop nest',
  graph: 'graph',
  code: 'code',
  perf: 'performance',
  compare: 'compare',
  agent: 'agent',
  lab: 'agent vs search',
  lesson: 'lesson',
  access: 'access pattern',
};
const TOGGLE_ORDER: PanelId[] = ['problem', 'nest', 'graph', 'code', 'perf', 'compare', 'agent', 'lab', 'lesson', 'access'];

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
      {TOGGLE_ORDER.filter((id) => !hidden.includes(id)).map((id) => (
        <button
          key={id}
          type="button"
          className="panel-toggle"
          aria-pressed={panels[id]}
          data-testid={`toggle-${id}`}
          onClick={() => togglePanel(id)}
          title={`${panels[id] ? 'hide' : 'show'} the ${PANEL_LABELS[id]} panel`}
        >
          {PANEL_LABELS[id]}
        </button>
      ))}
      <PresentToggle />
      <button type="button" className="keys-button" data-testid="keys-button" onClick={() => setHelpOpen(true)} title="every key (?)">
        keys <kbd>?</kbd>
      </button>
    </nav>
  );
}

function Slot({ id, name, children }: { id: PanelId | 'side'; name: string; children: ReactNode }) {
  // A panel a teacher's link hides stays hidden, whatever the panels say.
  const shown = useLooplab((s) => (id === 'side' ? true : s.panels[id] && !s.teacher.hide.includes(id)));
  if (!shown) return null;
  return (
    <div className={`slot slot-${id}`}>
      <PanelBoundary name={name}>{children}</PanelBoundary>
    </div>
  );
}

function ProblemSlotContent() {
  const fixed = useLooplab((s) => s.teacher.fixed.includes('problem'));
  return fixed ? <FixedProblemPanel /> : <ProblemPanel />;
}

// Grid tracks of each column (App.css falls back to one column on narrow screens). With a lesson
// the four columns fit 1200 px and up (1280x720 is a class projector's size).
const TRACKS = {
  plain: { left: 'minmax(300px, 0.8fr)', middle: 'minmax(380px, 1fr)', right: 'minmax(400px, 1.25fr)' },
  lesson: { lesson: 'minmax(260px, 0.85fr)', left: 'minmax(250px, 0.8fr)', middle: 'minmax(320px, 1fr)', right: 'minmax(300px, 1.1fr)' },
};
const MIDDLE: PanelId[] = ['nest', 'perf', 'lab'];
const RIGHT: PanelId[] = ['access', 'graph', 'code', 'compare'];

function Layout() {
  usePageModes();
  const handoutOpen = useLooplab((s) => s.handoutOpen);
  // Joined into a string so the layout renders again only when the set of shown panels changes.
  const shownKey = useLooplab((s) => PANEL_IDS.filter((id) => s.panels[id] && !s.teacher.hide.includes(id)).join(' '));
  const shown = new Set(shownKey.split(' '));
  const lessonShown = shown.has('lesson');
  const middleShown = MIDDLE.some((id) => shown.has(id));
  const rightShown = RIGHT.some((id) => shown.has(id));
  const tracks = lessonShown ? TRACKS.lesson : TRACKS.plain;
  const columns = [lessonShown && TRACKS.lesson.lesson, tracks.left, middleShown && tracks.middle, rightShown && tracks.right].filter(Boolean).join(' ');
  return (
    <div className="app">
      <header className="app-header">
        <h1>looplab</h1>
        <p className="tagline">reorder and split loops; WebAssembly SIMD kernels timed on your CPU</p>
        <PanelToggles />
      </header>
      {handoutOpen && <Handout />}
      <main
        className={lessonShown ? 'layout layout-with-lesson' : 'layout'}
        hidden={handoutOpen}
        style={{ '--columns': columns } as CSSProperties}
      >
        {lessonShown && (
          <div className="column column-lesson">
            <Slot id="lesson" name="Lesson">
              <LessonPanel />
            </Slot>
          </div>
        )}
        <div className="column column-left">
          <Slot id="problem" name="Problem">
            <ProblemSlotContent />
          </Slot>
          <Slot id="agent" name="Agent">
            <AgentPanel />
          </Slot>
          <Slot id="side" name="Sessions">
            <SessionsPanel />
          </Slot>
          <Slot id="side" name="Export and import">
            <ExchangeMenu />
          </Slot>
        </div>
        {middleShown && (
          <div className="column column-middle">
            <Slot id="nest" name="Loop nest">
              <LoopNestPanel />
            </Slot>
            <Slot id="nest" name="Why did that change?">
              <ExplainPanel />
            </Slot>
            <Slot id="perf" name="Performance">
              <PerformancePanel />
            </Slot>
            <Slot id="lab" name="Agent vs search">
              <Suspense fallback={<p>loading the agent lab…</p>}>
                <AgentLabPanel />
              </Suspense>
            </Slot>
          </div>
        )}
        {rightShown && (
          <div className="column column-right">
            <Slot id="access" name="Access pattern">
              <Suspense fallback={<p>loading the access-pattern view…</p>}>
                <AccessPanel />
              </Suspense>
            </Slot>
            <Slot id="graph" name="Graph">
              <GraphPanel />
            </Slot>
            <Slot id="code" name="Code">
              <CodePanel />
            </Slot>
            <Slot id="compare" name="Compare">
              <ComparePanel />
            </Slot>
          </div>
        )}
      </main>
      <Notices />
    </div>
  );
}

export function App() {
  const { store } = pageStore();
  return (
    <LooplabProvider store={store}>
      <KeyboardProvider>
        <Layout />
      </KeyboardProvider>
    </LooplabProvider>
  );
}
