// The agent: which agent drives (the cost model's search, or LoopTune's PPO policy), "let the
// agent drive" / "continue from here" (from the current schedule, in the agent's worker), the
// rollout player (step, play/pause, go to the best step, speed, a timeline to scrub, its keys;
// every step moves the history, so the nest, the graph and the GFLOPS chart follow), "take over
// here", and at every step what the agent considered: the search's options with predicted and
// measured GFLOPS, or the policy's probability of every action. While the agent lesson asks for a
// prediction, the panel shows nothing of the answer.
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { chordText, command, commandForKey, COMMANDS, type CommandId } from '../core/commands.ts';
import { defaultSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem } from '../core/types.ts';
import { useLooplab, useLooplabStore } from '../store/context.tsx';
import { PLAYER_SPEEDS, SEARCH_SLICING_NOTE } from '../store/agentSlice.ts';
import { agentAnswerHidden, runLength, runSteps } from '../store/agentRun.ts';
import { chosenMissesSentence, shownSearchStep, simulatedMisses } from '../store/candidateMisses.ts';
import { memoryEntryOf } from '../store/memorySlice.ts';
import type { CacheFigures } from '../core/cache/figures.ts';
import type { AgentMethod, AgentRun, AgentStepView, SearchCandidateView } from '../store/types.ts';
import { actionBars } from './actionValues.ts';
import { formatGflops } from '../core/format.ts';
import { Panel } from './Panel.tsx';
import { ScheduleText } from './ScheduleText.tsx';
import { isTypingTarget } from './keyboard.ts';
import './agentPanel.css';

/** How long after the panel shows the policy starts loading (the first measurements go first). */
const PREPARE_DELAY_MS = 1500;

function PolicyStatus() {
  const policy = useLooplab((s) => s.agentPolicy);
  const text =
    policy.status === 'ready'
      ? 'ready'
      : policy.status === 'loading'
        ? 'loads on first use'
        : `not available: ${policy.error ?? ''}`;
  return (
    <p className="agent-policy" data-testid="agent-policy" data-status={policy.status}>
      policy: <strong>{policy.label}</strong>{' '}
      <span className={policy.status === 'error' ? 'll-error' : 'll-muted'}>({text})</span>
    </p>
  );
}

/** The player's step and whether the agent lesson is waiting for a prediction of the next one (the answer stays hidden). */
function usePlayerView(run: AgentRun) {
  const index = useLooplab((s) => s.player.index);
  const n = runLength(run);
  const asking = useLooplab(agentAnswerHidden);
  return { index, n, asking };
}

function Summary({ run }: { run: AgentRun }) {
  const { asking } = usePlayerView(run);
  if (run.status === 'running') {
    return (
      <p className="agent-summary" data-testid="agent-summary" role="status">
        {run.method === 'agent'
          ? "searching in the agent's worker…"
          : `tuning in the agent's worker… ${run.steps.length} step${run.steps.length === 1 ? '' : 's'} measured`}
      </p>
    );
  }
  if (run.status === 'error') {
    return (
      <p className="agent-summary ll-error" data-testid="agent-summary" role="alert">
        the agent could not tune this problem: {run.error}
      </p>
    );
  }
  const steps = runSteps(run);
  const best = run.bestIndex === 0 ? run.startGflops : steps[run.bestIndex - 1]?.gflops;
  const speedup = best !== undefined && run.startGflops ? best / run.startGflops : null;
  const search = run.search;
  return (
    <div
      className="agent-summary"
      data-testid="agent-summary"
      data-tuning-ms={run.tuningMs?.toFixed(0)}
      data-best-index={asking ? undefined : run.bestIndex}
      data-outcome={search?.outcome}
      data-start-gflops={run.startGflops?.toFixed(3)}
      data-best-gflops={asking ? undefined : best?.toFixed(3)}
      data-from={search?.from}
    >
      <p>
        {run.method === 'agent' ? 'searched' : 'tuned'} in{' '}
        <strong data-testid="agent-tuning-ms">
          {run.tuningMs !== undefined ? `${run.tuningMs.toFixed(0)} ms` : '–'}
        </strong>
        {search && (
          <>
            {' '}
            (scored {search.scored} schedules with the cost model, measured {search.measured.length})
          </>
        )}
        {!asking && best !== undefined && (
          <>
            {': '}
            {run.startGflops !== undefined ? `${formatGflops(run.startGflops)} → ` : ''}best {formatGflops(best)} GFLOPS
            {speedup !== null && ` (${speedup.toFixed(1)}×, step ${run.bestIndex})`}
          </>
        )}
        <span className="ll-muted" data-testid="agent-timings-note">
          {' '}
          · the agent's quick timings: {SEARCH_SLICING_NOTE}; the performance panel measures each step again
        </span>
      </p>
      {search?.from === 'nearest' && (
        <p data-testid="agent-outcome">
          {search.outcome === 'kept-start'
            ? `It measured your schedule (${formatGflops(search.startGflops ?? 0)} GFLOPS) with its candidates and none was faster: your schedule stays.`
            : `It measured your schedule (${formatGflops(search.startGflops ?? 0)} GFLOPS), went to the nearest tile spec and searched from there; its answer is faster than yours.`}
        </p>
      )}
      {run.takenOverAt !== undefined && (
        <p data-testid="agent-taken-over">
          You took over at step {run.takenOverAt}: the history was cut there, and you go on by hand.
        </p>
      )}
    </div>
  );
}

/** A player command's button text and its tooltip (its help, with its key). */
function playerButton(id: CommandId): { label: string; title: string } {
  const c = command(id);
  return { label: c.label ?? id, title: c.keys[0] ? `${c.help} (${chordText(c.keys[0])})` : c.help };
}

/** The player's keys for its label, from the command table: `← step back, Space play or pause the rollout, …`. */
const PLAYER_KEYS = COMMANDS.filter((c) => c.scope === 'player' && c.keys.length > 0)
  .map((c) => `${chordText(c.keys[0])} ${c.help}`)
  .join(', ');

function Player({ run }: { run: AgentRun }) {
  const player = useLooplab((s) => s.player);
  const store = useLooplabStore();
  const n = runLength(run);
  const ready = run.status === 'done' && n > 0;
  const s = store.getState;
  const playerRef = useRef<HTMLDivElement>(null);
  const perform = (id: CommandId) => {
    const st = s();
    switch (id) {
      case 'player_start':
        st.playerPause();
        st.playerSeek(0);
        return;
      case 'player_back':
        st.playerStep(-1);
        return;
      case 'player_play':
        if (st.player.playing) st.playerPause();
        else st.playerPlay();
        return;
      case 'player_forward':
        st.playerStep(1);
        return;
      case 'player_end':
        st.playerPause();
        st.playerSeek(n);
        return;
      case 'player_best':
        st.playerBest();
        return;
      case 'take_over':
        st.takeOver();
        // The person goes on by hand: the focus leaves the player, so every key is the page's again.
        if (document.activeElement instanceof HTMLElement && playerRef.current?.contains(document.activeElement))
          document.activeElement.blur();
        return;
    }
  };
  // The player's own keys while it has the focus; every other key goes on to the page, so the
  // nest's keys work right after a click on a player button (the timeline and the speed menu keep
  // their arrows).
  const onKeyDown = (e: KeyboardEvent) => {
    if (!ready) return;
    if (isTypingTarget(e.target, e.key)) return;
    const c = commandForKey(e, 'player');
    if (!c) return;
    e.preventDefault();
    perform(c.id);
  };
  const button = (id: CommandId, testId: string | undefined, disabled: boolean) => {
    const { label, title } = playerButton(id);
    return (
      <button
        type="button"
        data-testid={testId}
        disabled={disabled}
        onClick={() => perform(id)}
        aria-label={/\w/.test(label) ? undefined : command(id).help}
        title={title}
      >
        {label}
      </button>
    );
  };
  return (
    <div
      ref={playerRef}
      className="agent-player"
      role="group"
      aria-label={`rollout player (keys: ${PLAYER_KEYS})`}
      data-testid="agent-player"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the player group takes its keys when focused
      tabIndex={0}
      onKeyDown={onKeyDown}
      onKeyUp={(e) => {
        // A focused button would click on the space's keyup; the space is play/pause here.
        if (e.key === ' ') e.preventDefault();
      }}
    >
      <div className="agent-player-buttons">
        {button('player_start', undefined, !ready || player.index === 0)}
        {button('player_back', 'agent-step-back', !ready || player.index === 0)}
        {player.playing ? (
          <button
            type="button"
            data-testid="agent-pause"
            disabled={!ready}
            onClick={() => perform('player_play')}
            aria-label="pause"
            title={playerButton('player_play').title}
          >
            pause
          </button>
        ) : (
          button('player_play', 'agent-play', !ready)
        )}
        {button('player_forward', 'agent-step-forward', !ready || player.index >= n)}
        {button('player_end', undefined, !ready || player.index >= n)}
        {button('player_best', 'agent-best', !ready || player.index === run.bestIndex)}
        {button('take_over', 'agent-take-over', run.status !== 'done')}
        <label className="agent-speed">
          speed{' '}
          <select
            data-testid="agent-speed"
            value={String(player.speed)}
            onChange={(e) => s().setPlayerSpeed(Number(e.target.value))}
          >
            {(PLAYER_SPEEDS.includes(player.speed)
              ? PLAYER_SPEEDS
              : [...PLAYER_SPEEDS, player.speed].sort((a, b) => a - b)
            ).map((v) => (
              <option key={v} value={String(v)}>
                {v} steps/s
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="agent-timeline">
        <span data-testid="agent-step-label">
          step {ready ? player.index : n} of {n}
        </span>
        <input
          type="range"
          data-testid="agent-timeline"
          aria-label="rollout timeline"
          min={0}
          max={Math.max(n, 1)}
          step={1}
          value={ready ? player.index : n}
          disabled={!ready}
          onChange={(e) => s().playerSeek(Number(e.target.value))}
        />
      </label>
    </div>
  );
}

function StepList({ run, problem }: { run: AgentRun; problem: Problem }) {
  const { index, asking } = usePlayerView(run);
  const seek = useLooplab((s) => s.playerSeek);
  const ready = run.status === 'done';
  const rows: { label: string; gflops?: number; predicted?: number; schedule?: string; elapsedMs?: number }[] = [
    { label: 'start', gflops: run.startGflops },
    ...runSteps(run).map((st) => ({
      label: st.label,
      gflops: st.gflops,
      predicted: st.predictedGflops,
      schedule: st.scheduleText,
      elapsedMs: st.elapsedMs,
    })),
  ];
  return (
    <ol className="agent-steps" data-testid="agent-steps" start={0}>
      {rows.map((row, i) => {
        // While the lesson asks, the steps ahead stay hidden.
        const hidden = asking && i > index;
        return (
          <li
            key={i}
            className={ready && i === index ? 'agent-step agent-step-current' : 'agent-step'}
            aria-current={ready && i === index ? 'step' : undefined}
          >
            <button
              type="button"
              disabled={!ready || hidden}
              onClick={() => seek(i)}
              data-testid={`agent-step-${i}`}
              data-elapsed-ms={row.elapsedMs?.toFixed(0)}
              title={
                hidden
                  ? 'predict the next step in the lesson first'
                  : row.schedule
                    ? `after ${row.label}: ${row.schedule}`
                    : 'the schedule the agent started from'
              }
            >
              <span className="agent-step-action">{hidden ? '?' : row.label}</span>
              <span className="agent-step-gflops" data-testid="agent-step-gflops">
                {hidden
                  ? ''
                  : row.gflops !== undefined
                    ? `${formatGflops(row.gflops)} GFLOPS`
                    : row.predicted !== undefined
                      ? `predicted ${formatGflops(row.predicted)}`
                      : '…'}
              </span>
            </button>
            {row.schedule && i === index && (
              <ScheduleText problem={problem} text={row.schedule} className="agent-schedule" />
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** How many of the search's options the panel lists (the chosen one is always listed). */
const SHOWN_CANDIDATES = 10;

/** A misses-per-1k figure in two significant digits (0.031, 2.4, 125). */
function formatMisses(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(2);
}

/**
 * A candidate's misses per 1,000 multiply-adds: simulated once the cache worker has counted them
 * (with the chosen one's largest change from the state's schedule), the cost model's estimate before.
 */
function CandidateMisses({
  candidate: c,
  figures,
  sentence,
}: {
  candidate: SearchCandidateView;
  figures: CacheFigures | undefined;
  sentence: string | null;
}) {
  if (figures) {
    const sim = simulatedMisses(figures);
    return (
      <span
        className="agent-candidate-misses agent-candidate-simulated"
        data-testid="agent-candidate-simulated"
        data-sampled={String(sim.sampled)}
        title={`cache misses per 1,000 multiply-adds counted by the cache simulator on ${sim.machine}${sim.sampled ? ' (sampled: some loops ran a share of their iterations, the rest extrapolated)' : ''}`}
      >
        simulated misses/1k FMA {sim.levels.map((l) => `${l.name} ${formatMisses(l.perKFma)}`).join(' · ')}
        {sim.sampled ? ' · sampled' : ''}
        {sentence && (
          <span className="agent-candidate-change" data-testid="agent-candidate-change">
            {sentence}
          </span>
        )}
      </span>
    );
  }
  if (!c.missesPerKFma) return null;
  return (
    <span
      className="agent-candidate-misses"
      data-testid="agent-candidate-misses"
      title="estimated cache misses per 1,000 multiply-adds (the reuse estimate the cost model reads), and the largest change from the state's schedule"
    >
      misses/1k FMA L1 {formatMisses(c.missesPerKFma[0])} · L2 {formatMisses(c.missesPerKFma[1])}
      {c.missesChange ? ` · ${c.missesChange}` : ''}
    </span>
  );
}

/** What the search considered in the state at the player's position: its options, predicted and measured. */
function Candidates({ run }: { run: AgentRun }) {
  const { index, n, asking } = usePlayerView(run);
  // The simulated figures arrive one by one after the rollout (store/candidateMisses.ts).
  const memory = useLooplab((s) => s.memory);
  const problemKey = useLooplab((s) => s.problemKey);
  const memoryMachine = useLooplab((s) => s.memoryMachine);
  const search = run.search;
  const shownStep = search && shownSearchStep(search, index);
  if (!search || !shownStep || n === 0 || asking) return null;
  const { step, at, before } = shownStep;
  const simulated = (text: string) => {
    const entry = memoryEntryOf({ memory, problemKey, memoryMachine }, text);
    return entry?.status === 'done' ? entry.figures : undefined;
  };
  const chosen = step.candidates.find((c) => c.chosen);
  const sentence = chosen ? chosenMissesSentence(simulated(before), simulated(chosen.scheduleText)) : null;
  const simulatedRows = step.candidates.filter((c) => simulated(c.scheduleText) !== undefined);
  const machineName = simulatedRows.length > 0 ? simulated(simulatedRows[0].scheduleText)?.machine.name : undefined;
  const shown = step.candidates.filter((c, i) => i < SHOWN_CANDIDATES || c.chosen);
  const measured = step.candidates.filter((c) => c.measured !== undefined).length;
  return (
    <figure className="agent-candidates" data-testid="agent-candidates" data-step={at}>
      <figcaption>
        {step.candidates.length === 0
          ? `step ${at + 1}: from your schedule to its nearest tile spec (${step.scheduleText}), where the search starts`
          : `${index >= n ? `its last decision (step ${n})` : `at step ${at}`}: ${step.candidates.length} options, ${measured} of them measured; it takes ${step.action}`}
      </figcaption>
      {step.candidates.length > 0 && (
        <table className="agent-candidate-table">
          <colgroup>
            <col />
            <col className="agent-col-figure" />
            <col className="agent-col-figure" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">action → schedule</th>
              <th scope="col">predicted GFLOPS</th>
              <th scope="col" title={`GFLOPS, a quick timing: ${SEARCH_SLICING_NOTE}`}>
                measured GFLOPS
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr
                key={c.action}
                data-testid="agent-candidate"
                data-action={c.action}
                data-chosen={String(c.chosen)}
                data-predicted={c.predictedGflops.toFixed(2)}
                data-measured={c.measured?.toFixed(2)}
                className={c.chosen ? 'agent-candidate-chosen' : undefined}
              >
                <td>
                  {c.action}
                  {c.chosen && <span className="agent-bar-mark"> ← chosen</span>}
                  <span className="agent-candidate-schedule">{c.scheduleText}</span>
                  <CandidateMisses
                    candidate={c}
                    figures={simulated(c.scheduleText)}
                    sentence={c.chosen ? sentence : null}
                  />
                </td>
                <td>
                  <span className="agent-candidate-bar" aria-hidden="true">
                    <span style={{ width: `${Math.min(100, (100 * c.predictedGflops) / search.scaleGflops)}%` }} />
                  </span>
                  {formatGflops(c.predictedGflops)}
                </td>
                <td>{c.measured !== undefined ? formatGflops(c.measured) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="ll-muted agent-values-note">
        The cost model (a small network trained on measurements) predicts each schedule's share of this problem's best
        schedule without running it; the panel shows that share as GFLOPS: predicted share × the fastest schedule the
        search measured ({formatGflops(search.scaleGflops)} GFLOPS). The search keeps the 5 best predicted per round, 6
        rounds, then measures the best few within 1 s and answers with the fastest measured. Misses per 1,000
        multiply-adds are the estimate the cost model reads (what stays in a level between reuses) until the cache
        simulator's count arrives for the measured options and the chosen one
        {machineName && (
          <span data-testid="agent-candidates-machine">
            {' '}
            (simulated on {machineName}, the memory view's machine; "sampled": some loops ran a share of their
            iterations, the rest extrapolated)
          </span>
        )}
        .
        {step.candidates.length > shown.length &&
          ` The ${step.candidates.length - shown.length} options predicted slowest are not listed.`}
      </p>
    </figure>
  );
}

/** The decision the agent makes in the state at the player's position (the last one at the end). */
function ActionValues({ run }: { run: AgentRun }) {
  const { index, asking } = usePlayerView(run);
  const n = run.steps.length;
  if (n === 0 || run.method !== 'looptune') return null;
  // While the lesson asks, the decision in this state is the answer: show none.
  if (asking)
    return (
      <p className="ll-muted" data-testid="agent-values-hidden">
        What the agent does next stays hidden until you predict it in the lesson.
      </p>
    );
  const at = run.status === 'done' ? Math.min(index, n - 1) : n - 1;
  const step: AgentStepView = run.steps[at];
  const probability = step.valueKind === 'probability';
  const { bars, zero } = actionBars(step.values, step.action, step.valueKind);
  const caption =
    run.status === 'done' && index >= n
      ? `its last decision (step ${n}): ${step.action}`
      : probability
        ? `at step ${at}, the agent's policy gives every legal action a probability and takes the most likely: ${step.action}`
        : `at step ${at}, the agent values every action and takes the best legal one: ${step.action}`;
  return (
    <figure className="agent-values" data-testid="agent-values" data-step={at} data-kind={step.valueKind}>
      <figcaption>{caption}</figcaption>
      <ul className="agent-bars">
        {bars.map((b) => (
          <li
            key={b.action}
            className={`agent-bar-row${b.chosen ? ' agent-bar-chosen' : ''}${b.legal ? '' : ' agent-bar-illegal'}`}
            data-testid="action-bar"
            data-action={b.action}
            data-chosen={String(b.chosen)}
            data-legal={String(b.legal)}
            title={
              b.legal
                ? `${b.action}: ${probability ? `probability ${b.label} (logit ${b.output.toFixed(2)})` : `value ${b.label}`}`
                : `${b.action} is not possible here: ${b.reason}`
            }
          >
            <span className="agent-bar-name">{b.action}</span>
            <span className="agent-bar-track" aria-hidden="true">
              <span className="agent-bar-zero" style={{ left: `${zero * 100}%` }} />
              <span
                className="agent-bar"
                style={{ left: `${b.left * 100}%`, width: `${Math.max(b.width * 100, 0.5)}%` }}
              />
            </span>
            <span className="agent-bar-value">
              {b.label}
              {b.chosen && <span className="agent-bar-mark"> ← chosen</span>}
            </span>
            {!b.legal && (
              <span className="agent-bar-reason" data-testid="action-reason">
                illegal: {b.reason}
              </span>
            )}
          </li>
        ))}
      </ul>
      <p className="ll-muted agent-values-note">
        {probability
          ? 'A bar is the probability the policy (trained with PPO) gives the action in this state; illegal actions get none. Training samples from these probabilities, tuning takes the most likely.'
          : "A value is the gain in GFLOPS the policy expects from that action to the end of the episode (discounted), as a fraction of the machine's peak."}
      </p>
    </figure>
  );
}

const METHOD_LABELS: Record<AgentMethod, string> = {
  agent: 'agent (cost model + search)',
  looptune: 'LoopTune (PPO policy)',
};

function MethodChooser({ disabled }: { disabled: boolean }) {
  const method = useLooplab((s) => s.agentMethod);
  const setMethod = useLooplab((s) => s.setAgentMethod);
  return (
    <label className="agent-method">
      agent:{' '}
      <select
        data-testid="agent-method"
        value={method}
        disabled={disabled}
        onChange={(e) => setMethod(e.target.value as AgentMethod)}
      >
        {(Object.keys(METHOD_LABELS) as AgentMethod[]).map((m) => (
          <option key={m} value={m}>
            {METHOD_LABELS[m]}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AgentPanel() {
  const run = useLooplab((s) => s.agentRun);
  const problem = useLooplab((s) => s.problem);
  const method = useLooplab((s) => s.agentMethod);
  const fromDefault = useLooplab(
    (s) => printSchedule(s.current.schedule) === printSchedule(defaultSchedule(s.problem)),
  );
  const policyError = useLooplab(
    (s) => s.agentPolicy.status === 'error' && s.agentPolicy.error === 'the agent is not available in this page',
  );
  const store = useLooplabStore();

  useEffect(() => {
    const timer = setTimeout(() => store.getState().prepareAgent(), PREPARE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [store]);

  const running = run?.status === 'running';
  return (
    <Panel title="Agent" testId="agent-panel">
      <MethodChooser disabled={running} />
      {method === 'looptune' ? (
        <PolicyStatus />
      ) : (
        <p className="agent-policy" data-testid="agent-cost-model">
          cost model: <strong>shipped cost model</strong> <span className="ll-muted">(loads on first use)</span>
        </p>
      )}
      <div className="agent-drive-row">
        <button
          type="button"
          className="agent-drive"
          data-testid="agent-drive"
          data-from={fromDefault ? 'default' : 'current'}
          disabled={running || policyError}
          onClick={() => store.getState().driveAgent()}
        >
          {running ? 'the agent is driving…' : fromDefault ? 'Let the agent drive' : 'Continue from here'}
        </button>
      </div>
      <p className="ll-muted agent-note">
        {method === 'agent'
          ? 'The agent decides what a person decides: a register tile (a factor per output variable) and a split of the reduction. Its cost model ranks about a hundred such schedules without running them; it measures only the best few. From your own schedule it measures yours too and starts from the nearest tile spec: its answer is never slower than yours.'
          : "LoopTune's agent takes 10 actions from the current schedule and cursor (on a new problem that is the default schedule, where LoopTune's agent starts), choosing at each step the legal action its policy rates highest."}{' '}
        Its steps join the history as the agent's: undo, links and sessions keep them. "Take over here" cuts the history
        at the player's step, and you go on by hand.
      </p>
      {run && (
        <div className="agent-run" data-testid="agent-run" data-status={run.status} data-method={run.method}>
          <Summary run={run} />
          {run.status !== 'error' && (
            <>
              <Player run={run} />
              <ActionValues run={run} />
              <Candidates run={run} />
              <StepList run={run} problem={problem} />
            </>
          )}
        </div>
      )}
    </Panel>
  );
}
