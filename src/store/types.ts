// The playground's state: one zustand store made of slices. UI components read it with
// `useLooplab(selector)` (context.tsx) and call its actions; nothing else holds state.
import type { Action } from '../core/actions.ts';
import type { ThreadSupport } from '../runtime/threadSupport.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';
import type {
  KernelFigure,
  KernelRefineOptions,
  KernelRefinement,
  KernelWorkerApi,
} from '../workers/kernel/protocol.ts';
import type { CacheFigures } from '../core/cache/figures.ts';

export type { ReportLoop } from '../core/explain.ts';
export type { KernelReport, VectorAccess } from '../codegen/types.ts';
import type { ResolvedSnapshot } from './snapshot.ts';
import type { LessonProgress } from '../teach/progress.ts';
import type { TeacherOptions } from '../teach/teacherLink.ts';
import type { AgentLabSlice } from './agentLabTypes.ts';
import type { AgentClient } from '../workers/agent/client.ts';
import type { AgentMethod, AgentSearchResult, AgentStepView } from '../workers/agent/protocol.ts';
import type { ModelFiles } from '../agent/policy.ts';
import type { PanelId } from './panels.ts';

export type {
  AgentActionValue,
  AgentMethod,
  AgentSearchResult,
  AgentStepView,
  AgentValueKind,
  SearchCandidateView,
  SearchStepView,
} from '../workers/agent/protocol.ts';

export { PANEL_IDS, type PanelId } from './panels.ts';

export type { Actor, HistoryChapter, HistoryEntry, LogAction } from './historyTypes.ts';
import type { Actor, HistoryChapter, HistoryEntry, LogAction } from './historyTypes.ts';

/** A message for the person: refused input, restored state, worker restarts, saved sessions. */
export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

// ---------------------------------------------------------------- problem

export interface ProblemSlice {
  /** The DSL text as typed (op line, then sizes lines). */
  problemText: string;
  /** The last valid problem; the page keeps working with it while the text has an error. */
  problem: Problem;
  /** Canonical text of `problem` (problemText(problem)): the key of measurements and URLs. */
  problemKey: string;
  /** Error of `problemText`, placed for inline markers (1-based line and column). */
  problemError: { message: string; line: number; col: number } | null;
  /** Preset the problem came from, if it is unchanged. */
  presetId: string | null;
  /**
   * Parses the text; a valid new problem is a step of the history (undo returns to the problem
   * before, with its history), starting from its default schedule. Typing again before doing
   * anything with it replaces that step (one step for one edit, not one per key); typing the
   * problem before back removes it.
   */
  setProblemText(text: string): void;
  /** A preset's problem, as a step of the history like a typed one. */
  loadPreset(id: string): void;
}

// ---------------------------------------------------------------- history

export interface HistorySlice {
  /** The schedule the log starts from (cursor on loop 0): the problem's default, or an imported schedule. */
  base: Schedule;
  /** Actions applied from the default schedule with the cursor on loop 0, oldest first. */
  log: HistoryEntry[];
  /** How many entries of the log are applied (undo moves it back, redo forward). */
  position: number;
  /** states[i] is the nest after the first i entries; states.length === log.length + 1. */
  states: NestState[];
  /** states[position]. */
  current: NestState;
  /** The last refused action and the core's reason (cleared by the next accepted action). */
  refusal: { action: LogAction; reason: string } | null;
  /** The position the last act, undo, redo or jump moved from (null: a new or restored history). */
  cameFrom: number | null;
  /** The problems before this one, oldest first, each as it was left (at the end of its log): undo goes back to them. */
  earlier: HistoryChapter[];
  /** Problems undone, the next first (each from its start): redo goes on to them. A new action drops them. */
  later: HistoryChapter[];
  /** The current problem was typed over the one before and nothing was done with it yet: the next typed problem replaces it. */
  problemTyped: boolean;
  /** Applies an action at the current position (dropping any redo tail). Returns whether it was legal. */
  act(action: Action, by?: Actor): boolean;
  /**
   * Goes to `schedule` from the current state: by the shortest action path when one is found
   * (core/actionPath.ts; each action its own entry), else in one `set:` entry. Returns false (with
   * a refusal) when the schedule doesn't fit the problem.
   */
  setSchedule(schedule: Schedule, by?: Actor): boolean;
  undo(): void;
  redo(): void;
  /** Moves to any position of the log (rollout scrubbing, undo and redo). */
  jumpTo(position: number): void;
  /** A person's jump in the history (a click on the GFLOPS chart): refused, with a notice, when a teacher's link hides undo. */
  visit(position: number): void;
  /** Replaces problem, base, log, position (and panels, when given) by a checked snapshot (links, sessions, imports). */
  restore(snapshot: ResolvedSnapshot): void;
}

// ---------------------------------------------------------------- measurement

export type MeasureStatus = 'queued' | 'measuring' | 'done' | 'error';

/**
 * One schedule's measurement: its state, then (once done) the kernel's figure as the worker gave
 * it (KernelFigure: GFLOPS, correctness, report, bytes, threads), then the refinement's fields.
 */
export interface ScheduleMeasurement extends Partial<KernelFigure> {
  /** measurementKey(problemKey, schedule, threads). */
  key: string;
  status: MeasureStatus;
  /** Why it failed or is incorrect, in words. */
  error?: string;
  /** Refined with the long run (more samples). */
  long?: boolean;
  /**
   * `quick`: `gflops` is the first, provisional figure; `refined`: `gflops` is the median over
   * samples interleaved with the reference kernel, `interval` its spread (absent before a figure).
   */
  stage?: 'quick' | 'refined';
  /** The quick figure, kept after refinement. */
  quickGflops?: number | null;
  /** The refined figure's 95% confidence interval of the median, GFLOPS. */
  interval?: { low: number; high: number };
  /** Kernel samples behind the refined figure. */
  samples?: number;
  /** When the refined figure was completed (ms since the epoch). */
  refinedAt?: number;
  /** A refinement under way: samples so far of the kernel relative to the reference, and how many it takes. */
  refining?: { relative: number[]; referenceSeconds: number[]; target: number; long: boolean };
  /** Why refining failed (it is not tried again until a long run asks). */
  refineError?: string;
  /** What the refined figure was computed from: kept so that a new peak rescales it. */
  basis?: { relative: number[]; flops: number; referenceFlops: number; referenceSeconds: number };
}

/** The refine samples' source: one call of the worker (see src/workers/kernel/protocol.ts). */
export type RefineSamples = KernelRefinement;

/** The machine's SIMD peak as kept per device (IndexedDB in the page). */
export interface PeakRecord {
  /** `peak-1t`: the peak on one thread (the page measures no other). */
  id: string;
  gflops: number;
  /** When it was measured (ms since the epoch). */
  measuredAt: number;
}

/** Where the peak is kept (src/store/recordStorage.ts: IndexedDB in the page, memory in tests). Reads return raw values. */
export interface PeakStorage {
  get(id: string): Promise<unknown>;
  put(record: PeakRecord): Promise<void>;
}

/**
 * What the store needs from the runtime (the worker client in the page, a fake in tests): the
 * kernel worker's calls (protocol.ts KernelWorkerApi), with the quick figure's options fixed by
 * the measurer and XNNPACK reduced to its GFLOPS.
 */
export interface Measurer {
  /** The quick figure of a schedule on `threads` (1 unless it has a parallel loop). */
  measure(
    problemText: string,
    scheduleText: string,
    options?: { threads?: number; full?: boolean },
  ): Promise<KernelFigure>;
  peak: KernelWorkerApi['peak'];
  /**
   * The whole kernel's quick figure (not a slice's) apart from `measure`'s queue, in a worker of
   * its own, so that the figures of the schedules a person moves on to are not held up by a run
   * that may take seconds; without it `measureWhole` asks `measure` with `full`.
   */
  measureWhole?(problemText: string, scheduleText: string, options?: { threads?: number }): Promise<KernelFigure>;
  /** Samples interleaved with the reference kernel (`pairs` of them a round); without it figures stay quick. */
  refine?(
    problemText: string,
    scheduleText: string,
    options: KernelRefineOptions & { pairs: number },
  ): ReturnType<KernelWorkerApi['refine']>;
  /**
   * Measures the memory bandwidth once per page (the store asks after the peak); the measurer
   * publishes it itself, and its failure only leaves the roofline's memory line out.
   */
  bandwidth?: KernelWorkerApi['bandwidth'];
  /** XNNPACK (tfjs-backend-wasm) GFLOPS for matmul-shaped problems, null otherwise. */
  xnnpack?(problemText: string): Promise<number | null>;
  /**
   * Whether `xnnpack` runs in a worker of its own: then the queue does not wait for it (on a large
   * problem it takes seconds), and the next schedule's figure comes meanwhile.
   */
  xnnpackApart?: boolean;
  /**
   * The simulated caches of a machine (core/cache/machines.ts, by id) on the schedule's kernel;
   * without it the memory panel says the page cannot simulate. `simulateMs`: the simulation's own
   * time where the simulator says it.
   */
  simulateCache?(
    problemText: string,
    scheduleText: string,
    machineId: string,
  ): Promise<CacheFigures & { simulateMs?: number }>;
  /**
   * simulateCache with every access simulated, however long the kernel (seconds on a large
   * problem), in a worker of its own so that the page's other simulations go on meanwhile.
   */
  simulateExactly?(
    problemText: string,
    scheduleText: string,
    machineId: string,
  ): Promise<CacheFigures & { simulateMs?: number }>;
  /**
   * Readies the cache simulator before the page asks for its first simulation (loads it and runs
   * a small simulation, so that the first figures a person sees come from a warm simulator).
   * Asked at most once, when the first GFLOPS figure is in and no simulation is wanted yet; a
   * simulation asked meanwhile waits for it.
   */
  warmCache?(): void;
  /** Whether its kernels can run on threads (default: no shared memory, one processor). */
  threadSupport?: ThreadSupport;
}

/** A schedule whose refined figure something (a lesson's comparison) waits for. */
export interface RefineNeed {
  scheduleText: string;
  /** Its refined figure must be at least this recent (ms since the epoch). */
  after: number;
}

export interface MeasureSlice {
  measurements: Record<string, ScheduleMeasurement>;
  /**
   * The machine's one-thread SIMD peak: kept per device (`stored`, with the time it was measured)
   * or measured now; `loading` while the stored one is read.
   */
  peak: { status: MeasureStatus | 'loading'; gflops?: number; error?: string; measuredAt?: number; stored?: boolean };
  /**
   * The peak on N threads (the peak kernel on every thread at once), by N: measured once per page
   * after the first figure of a parallel schedule on N threads; % of peak and the roofline of a
   * figure on N threads use it.
   */
  peaksOnThreads: Record<number, { status: MeasureStatus; gflops?: number; error?: string }>;
  /**
   * How noisy the machine is now: the spread of the reference kernel's recent samples (0.03 = ±3%),
   * or null before any refinement.
   */
  machineNoise: { spread: number; samples: number } | null;
  /** Per problemKey. */
  xnnpack: Record<string, { status: MeasureStatus; gflops?: number | null; error?: string }>;
  /** Progress of the long run of the current schedule, 0..1, or null when none runs. */
  longRun: { key: string; progress: number } | null;
  /** Threads chosen in the performance panel, or null for one per processor. */
  threadsChosen: number | null;
  /** What the measurer's page offers (cross-origin isolation, processors). */
  threadSupport: ThreadSupport;
  /** Chooses the threads of parallel loops (null: one per processor) and measures the current schedule on them. */
  setThreads(threads: number | null): void;
  /** Measures the current schedule if it has no measurement (the store calls it on every change). */
  measureCurrent(): void;
  /** Refines the current schedule again with more samples, for a steadier figure. */
  startLongRun(): void;
  /** Measures the peak again and keeps the new figure for this device. */
  remeasurePeak(): void;
  /** Schedules (of the current problem) to refine after the current one, e.g. a lesson's comparisons. */
  wantRefined(needs: RefineNeed[]): void;
  /**
   * Figures of whole runs of kernels whose figure is a slice's, by measurement key: asked for
   * with `measureWhole` (a full run of a big kernel can take seconds).
   */
  wholeRuns: Record<string, { status: MeasureStatus; gflops?: number | null; error?: string }>;
  /** Checks and times the current schedule's whole kernel, not a slice of it. */
  measureWhole(): void;
}

// ---------------------------------------------------------------- ui, sessions, compare

export interface UiSlice {
  panels: Record<PanelId, boolean>;
  togglePanel(id: PanelId): void;
  notices: Notice[];
  notify(kind: Notice['kind'], text: string): void;
  dismissNotice(id: number): void;
  /** Drops the errors raised on another problem or schedule than the current one (they no longer apply). */
  dropStaleNotices(): void;
}

export interface SessionMeta {
  id: string;
  name: string;
  savedAt: number;
  problemKey: string;
  schedule: string;
  /** Why the saved record can't be opened (it still lists, and is never deleted by the page). */
  damaged?: string;
}

export interface SessionsSlice {
  sessions: SessionMeta[];
  refreshSessions(): Promise<void>;
  /** Saves the whole state (problem, log, position, panels) under a name. */
  saveSession(name: string): Promise<void>;
  openSession(id: string): Promise<void>;
  renameSession(id: string, name: string): Promise<void>;
  deleteSession(id: string): Promise<void>;
}

export interface CompareSlice {
  /** A schedule pinned to compare with the current one (same problem). */
  pinned: { problemKey: string; schedule: Schedule; label: string } | null;
  pinCurrent(label?: string): void;
  unpin(): void;
}

// ---------------------------------------------------------------- agent

/** What the store needs of the agent (the agent worker's client in the page, a fake in tests). */
export type AgentDriver = Pick<AgentClient, 'loadPolicy' | 'tune' | 'search' | 'loadCostModel'>;

export interface AgentRun {
  /** Which agent ran: the cost model's search ('agent') or LoopTune's PPO rollout ('looptune'). */
  method: AgentMethod;
  /** The problem the agent tuned; the run is dropped when the problem changes. */
  problemKey: string;
  /** History position the rollout starts at; its entries follow it (by 'agent'). */
  startPosition: number;
  /** LoopTune's rollout: its steps (streamed while it runs). */
  steps: AgentStepView[];
  /** The agent's search: its path, what it considered at each step, what it measured. */
  search?: AgentSearchResult;
  status: 'running' | 'done' | 'error';
  /** GFLOPS of the start schedule (the agent worker's quick timing, or the page's figure). */
  startGflops?: number;
  /** The rollout's time: policy or cost model, generating, compiling and timing kernels (ms). */
  tuningMs?: number;
  error?: string;
  /** Once done: the history position of each step's schedule (positions[0] = startPosition). */
  positions: number[];
  /** Once done: the log entries the run wrote from startPosition (a step may take several). */
  entries: HistoryEntry[];
  /** The step with the fastest schedule (0: the start); the player ends there. */
  bestIndex: number;
  /** The person took over at this step: the history was cut there. */
  takenOverAt?: number;
}

export interface AgentSlice {
  agentPolicy: { status: 'loading' | 'ready' | 'error'; label: string; error?: string };
  /** The policy's files; null = the shipped policy. */
  agentPolicyFiles: ModelFiles | null;
  /** Uses another policy for the next rollouts (e.g. a fine-tuned one); null = the shipped one. */
  setAgentPolicy(files: ModelFiles | null, label: string): void;
  /**
   * Loads what the chosen agent needs in the agent's worker if nothing has asked for it yet (the
   * panel calls it when idle): LoopTune's policy, or the cost model (the worker loads the policy
   * as it starts).
   */
  prepareAgent(): void;
  /** The agent "let the agent drive" runs (default 'agent', the cost model's search). */
  agentMethod: AgentMethod;
  setAgentMethod(method: AgentMethod): void;
  agentRun: AgentRun | null;
  /**
   * The agent (`method`, default agentMethod) tunes from the CURRENT schedule: LoopTune's rollout
   * takes 10 actions from it and the cursor; the search measures a person's schedule and continues
   * from its nearest tile spec (never answering slower). Its steps enter the history as the
   * agent's; then the player rewinds to the start and plays them, ending on the best step.
   */
  driveAgent(method?: AgentMethod): void;
  /** Replays the rollout: index = steps of the rollout applied (history position positions[index]). */
  player: { index: number; playing: boolean; speed: number };
  /** One step back or forward (pauses). */
  playerStep(delta: 1 | -1): void;
  playerSeek(index: number): void;
  /** Goes to the rollout's best step (pauses). */
  playerBest(): void;
  /** Plays from the current step (from the start when at the end) at `speed` steps per second, ending on the best step. */
  playerPlay(): void;
  playerPause(): void;
  setPlayerSpeed(stepsPerSecond: number): void;
  /**
   * The person continues by hand from the rollout's step `index` (default: the player's): the
   * history is cut after that step's schedule, which stays the agent's.
   */
  takeOver(index?: number): void;
}

// ---------------------------------------------------------------- lessons

export interface LessonSlice {
  /** The open lesson (src/teach/lessons.ts), or null. */
  lessonId: string | null;
  /** When the lesson was opened (ms since the epoch): only figures refined since count for its tasks. */
  lessonOpenedAt: number;
  /** The schedules visited since the lesson was opened: only their figures count for its tasks. */
  lessonVisited: string[];
  /** The teacher's link options: what is fixed, hidden or presented (src/teach/teacherLink.ts). */
  teacher: TeacherOptions;
  /** Large type and a high-contrast theme. */
  present: boolean;
  /** The printable handout of the open lesson is shown. */
  handoutOpen: boolean;
  /**
   * The handout as filled in, to hand in (ticked tasks, this session's figures); otherwise, by
   * default, a blank worksheet to hand out (nothing measured or ticked on it).
   */
  handoutFilled: boolean;
  /** Done tasks per lesson id (kept in IndexedDB). */
  lessonProgress: Record<string, LessonProgress>;
  /** Why saved progress was (partly) ignored. */
  progressProblems: string[];
  /** The learner's predictions of the agent's actions (step = player index it was made at). */
  predictions: { step: number; predicted: string; actual: string }[];
  /** Opens a lesson at its start (problem, schedule, empty history). */
  openLesson(id: string): void;
  closeLesson(): void;
  setPresent(on: boolean): void;
  setHandoutOpen(open: boolean): void;
  setHandoutFilled(filled: boolean): void;
  /** Records a prediction of the rollout's next action, then steps the player. */
  predictNext(action: string): void;
  refreshProgress(): Promise<void>;
  resetLessonProgress(id: string): Promise<void>;
}

// ---------------------------------------------------------------- memory (simulated caches)

export interface MemoryEntry {
  status: 'running' | 'done' | 'error';
  figures?: CacheFigures;
  error?: string;
}

export interface MemorySlice {
  /** The machine whose caches the memory panel simulates (an id of core/cache/machines.ts). */
  memoryMachine: string;
  /** A teacher's link fixed the machine: it can't be changed. */
  memoryMachineFixed: boolean;
  /** Simulations by memoryKey(problemKey, schedule text, machine). */
  memory: Record<string, MemoryEntry>;
  /**
   * Simulations of every access asked for (simulateExactly), by memoryKey: a check of sampled
   * figures that only the memory panel shows (the other panels and the lessons keep the figures
   * every student gets without asking).
   */
  exactRuns: Record<string, MemoryEntry>;
  /** Simulates every access of the current schedule's kernel on the chosen machine. */
  simulateExactly(): void;
  setMemoryMachine(id: string): void;
  /** Simulates what the page shows (memorySlice.ts memoryWanted) on the chosen machine, once per schedule, one at a time. */
  simulateMemory(): void;
  /**
   * Simulates these schedules of the current problem on `machineId` (the open lesson's machine),
   * each once, after the memory panel's own; replaces what the lesson asked before.
   */
  simulateForLesson(machineId: string, scheduleTexts: string[]): void;
}

export type LooplabState = ProblemSlice &
  MemorySlice &
  HistorySlice &
  MeasureSlice &
  UiSlice &
  SessionsSlice &
  CompareSlice &
  AgentSlice &
  AgentLabSlice &
  LessonSlice;
