// What each panel of store/panels.ts renders, in page order: a column lists its panels in the
// order they appear here (the toggles follow store/panels.ts). A panel may have more than one
// part (the loop nest has the explanation under it); each part is a component without props.
import { lazy, type ComponentType } from 'react';
import { useLooplab } from '../store/context.tsx';
import type { PanelId } from '../store/panels.ts';
import { AgentPanel } from './AgentPanel.tsx';
import { CodePanel } from './CodePanel.tsx';
import { ComparePanel } from './ComparePanel.tsx';
import { ExchangeMenu } from './ExchangeMenu.tsx';
import { ExplainPanel } from './ExplainPanel.tsx';
import { FixedProblemPanel } from './FixedProblemPanel.tsx';
import { GraphPanel } from './GraphPanel.tsx';
import { LessonPanel } from './LessonPanel.tsx';
import { LoopNestPanel } from './LoopNestPanel.tsx';
import { PerformanceCharts, PerformancePanel } from './PerformancePanel.tsx';
import { ProblemPanel } from './ProblemPanel.tsx';
import { SessionsPanel } from './SessionsPanel.tsx';

// The access-pattern view is hidden at first: loaded when shown.
const AccessPanel = lazy(() => import('./AccessPanel.tsx').then((m) => ({ default: m.AccessPanel })));
// So is the memory view.
const MemoryPanel = lazy(() => import('./MemoryPanel.tsx').then((m) => ({ default: m.MemoryPanel })));
// So is the agent lab.
const AgentLabPanel = lazy(() => import('./AgentLabPanel.tsx').then((m) => ({ default: m.AgentLabPanel })));

export interface PanelPart {
  /** The part's title when it fails ("this panel stopped working"). */
  name: string;
  Component: ComponentType;
  /** For a part loaded when first shown: what shows while it loads. */
  loading?: string;
  /** Names the part's slot (`slot-<name>`) when the page's CSS places it apart from its panel's other parts. */
  slot?: string;
}

function ProblemPart() {
  const fixed = useLooplab((s) => s.teacher.fixed.includes('problem'));
  return fixed ? <FixedProblemPanel /> : <ProblemPanel />;
}

export const PANEL_CONTENT: Record<PanelId, PanelPart[]> = {
  lesson: [{ name: 'Lesson', Component: LessonPanel }],
  problem: [{ name: 'Problem', Component: ProblemPart }],
  agent: [{ name: 'Agent', Component: AgentPanel }],
  nest: [
    { name: 'Loop nest', Component: LoopNestPanel },
    { name: 'Why did that change?', Component: ExplainPanel, slot: 'explain' },
  ],
  perf: [
    { name: 'Performance', Component: PerformancePanel },
    { name: 'Performance charts', Component: PerformanceCharts, slot: 'perf-charts' },
  ],
  lab: [{ name: 'Agent vs search', Component: AgentLabPanel, loading: 'loading the agent lab…' }],
  access: [{ name: 'Access pattern', Component: AccessPanel, loading: 'loading the access-pattern view…' }],
  memory: [{ name: 'Memory', Component: MemoryPanel, loading: 'loading the memory view…' }],
  graph: [{ name: 'Graph', Component: GraphPanel }],
  code: [{ name: 'Code', Component: CodePanel }],
  compare: [{ name: 'Compare', Component: ComparePanel }],
};

/** Always shown, under the left column's panels; no toggle. */
export const SIDE_CONTENT: PanelPart[] = [
  { name: 'Sessions', Component: SessionsPanel },
  { name: 'Export and import', Component: ExchangeMenu },
];
