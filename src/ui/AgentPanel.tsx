// The agent: "let the agent drive" (a rollout of the policy in its worker), the rollout player
// (step, play/pause, speed, a timeline to scrub; every step moves the history, so the nest, the
// graph and the GFLOPS chart follow), and at every step the value of every action as bars.
import { useEffect } from 'react';
import type { Problem } from '../core/types.ts';
import { useLooplab, useLooplabStore } from '../store/context.tsx';
import { PLAYER_SPEEDS } from '../store/agentSlice.ts';
import type { AgentRun, AgentStepView } from '../store/types.ts';
import { actionBars, bestOfRollout } from './actionValues.ts';
import { formatGflops } from '../core/format.ts';
import { Panel } from './Panel.tsx';
import { ScheduleText } from './ScheduleText.tsx';
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

function Summary({ run }: { run: AgentRun }) {
  const best = bestOfRollout(run.startGflops, run.steps);
  if (run.status === 'running') {
    return (
      <p className="agent-summary" data-testid="agent-summary" role="status">
        tuning in the agent's worker… {run.steps.length} step{run.steps.length === 1 ? '' : 's'} measured
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
  const speedup = best && run.startGflops ? best.gflops / run.startGflops : null;
  return (
    <p
      className="agent-summary"
      data-testid="agent-summary"
      data-tuning-ms={run.tuningMs?.toFixed(0)}
      data-best-index={best?.index}
    >
      tuned in{' '}
      <strong data-testid="agent-tuning-ms">
        {run.tuningMs !== undefined ? `${run.tuningMs.toFixed(0)} ms` : '–'}
      </strong>
      {best && run.startGflops !== undefined && (
        <>
          {': '}
          {formatGflops(run.startGflops)} → best {formatGflops(best.gflops)} GFLOPS
          {speedup !== null && ` (${speedup.toFixed(1)}×, step ${best.index})`}
        </>
      )}
      <span className="ll-muted"> · the agent's quick timings; the performance panel measures each step again</span>
    </p>
  );
}

function Player({ run }: { run: AgentRun }) {
  const player = useLooplab((s) => s.player);
  const store = useLooplabStore();
  const n = run.steps.length;
  const ready = run.status === 'done' && n > 0;
  const s = store.getState;
  return (
    <div className="agent-player" role="group" aria-label="rollout player">
      <div className="agent-player-buttons">
        <button
          type="button"
          disabled={!ready || player.index === 0}
          onClick={() => {
            s().playerPause();
            s().playerSeek(0);
          }}
          aria-label="to the start"
          title="to the start"
        >
          |◀
        </button>
        <button
          type="button"
          data-testid="agent-step-back"
          disabled={!ready || player.index === 0}
          onClick={() => s().playerStep(-1)}
          aria-label="step back"
          title="step back"
        >
          ◀
        </button>
        {player.playing ? (
          <button
            type="button"
            data-testid="agent-pause"
            disabled={!ready}
            onClick={() => s().playerPause()}
            aria-label="pause"
            title="pause"
          >
            pause
          </button>
        ) : (
          <button
            type="button"
            data-testid="agent-play"
            disabled={!ready}
            onClick={() => s().playerPlay()}
            aria-label="play"
            title="play"
          >
            play
          </button>
        )}
        <button
          type="button"
          data-testid="agent-step-forward"
          disabled={!ready || player.index >= n}
          onClick={() => s().playerStep(1)}
          aria-label="step forward"
          title="step forward"
        >
          ▶
        </button>
        <button
          type="button"
          disabled={!ready || player.index >= n}
          onClick={() => {
            s().playerPause();
            s().playerSeek(n);
          }}
          aria-label="to the end"
          title="to the end"
        >
          ▶|
        </button>
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
  const index = useLooplab((s) => s.player.index);
  const seek = useLooplab((s) => s.playerSeek);
  const ready = run.status === 'done';
  const rows: { label: string; gflops?: number; schedule?: string; elapsedMs?: number }[] = [
    { label: 'start', gflops: run.startGflops },
    ...run.steps.map((st) => ({
      label: st.action,
      gflops: st.gflops,
      schedule: st.scheduleText,
      elapsedMs: st.elapsedMs,
    })),
  ];
  return (
    <ol className="agent-steps" data-testid="agent-steps" start={0}>
      {rows.map((row, i) => (
        <li
          key={i}
          className={ready && i === index ? 'agent-step agent-step-current' : 'agent-step'}
          aria-current={ready && i === index ? 'step' : undefined}
        >
          <button
            type="button"
            disabled={!ready}
            onClick={() => seek(i)}
            data-testid={`agent-step-${i}`}
            data-elapsed-ms={row.elapsedMs?.toFixed(0)}
            title={row.schedule ? `after ${row.label}: ${row.schedule}` : 'the schedule the agent started from'}
          >
            <span className="agent-step-action">{row.label}</span>
            <span className="agent-step-gflops" data-testid="agent-step-gflops">
              {row.gflops !== undefined ? `${formatGflops(row.gflops)} GFLOPS` : '…'}
            </span>
          </button>
          {row.schedule && i === index && (
            <ScheduleText problem={problem} text={row.schedule} className="agent-schedule" />
          )}
        </li>
      ))}
    </ol>
  );
}

/** The decision the agent makes in the state at the player's position (the last one at the end). */
function ActionValues({ run }: { run: AgentRun }) {
  const index = useLooplab((s) => s.player.index);
  const n = run.steps.length;
  if (n === 0) return null;
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

export function AgentPanel() {
  const run = useLooplab((s) => s.agentRun);
  const problem = useLooplab((s) => s.problem);
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
      <PolicyStatus />
      <div className="agent-drive-row">
        <button
          type="button"
          className="agent-drive"
          data-testid="agent-drive"
          disabled={running || policyError}
          onClick={() => store.getState().driveAgent()}
        >
          {running ? 'the agent is driving…' : 'Let the agent drive'}
        </button>
      </div>
      <p className="ll-muted agent-note">
        The agent takes 10 actions from the <em>current</em> schedule and cursor (on a new problem that is the default
        schedule, where LoopTune's agent starts), choosing at each step the legal action its policy rates highest. Its
        actions join the history as the agent's: undo, links and sessions keep them.
      </p>
      {run && (
        <div className="agent-run" data-testid="agent-run" data-status={run.status}>
          <Summary run={run} />
          {run.status !== 'error' && (
            <>
              <Player run={run} />
              <ActionValues run={run} />
              <StepList run={run} problem={problem} />
            </>
          )}
        </div>
      )}
    </Panel>
  );
}
