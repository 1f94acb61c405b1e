// The agent lab, read from the store: the agent against the searches on the current problem (best
// GFLOPS against tuning time, a table, apply a method's best schedule), fine-tuning the agent's
// policy on the current problem (a live reward curve, before/after, keep or discard), and the
// shipped policy's learning curve. Everything heavy runs in the lab's worker, loaded on first use.
import { useEffect, useMemo, useRef, useState } from 'react';
import { SEARCH_SLICING_NOTE, SHIPPED_POLICY_LABEL } from '../store/agentSlice.ts';
import {
  BUDGETED_RACE_METHODS,
  DEFAULT_RACE_METHODS,
  FINE_TUNE_BUDGETS_SEC,
  RACE_BUDGETS_MS,
} from '../store/agentLabSlice.ts';
import type { LabFineTune, LabRace, RaceMethod } from '../store/agentLabTypes.ts';
import { useLooplab, useLooplabStore } from '../store/context.tsx';
import { formatGflops } from '../core/format.ts';
import './agentLab.css';
import { Panel } from './Panel.tsx';
import { createRaceChart, formatMs, raceRows, raceSeries, type RaceModel } from './raceChart.ts';
import { createLineChart, curveModel, rewardModel, type LineModel } from './rewardChart.ts';

/** A d3 view in React: made once, updated with every new model. */
function ChartView<M>({
  make,
  model,
  testId,
  label,
}: {
  make: (svg: SVGSVGElement) => { update(m: M): void; destroy(): void };
  model: M;
  testId: string;
  label: string;
}) {
  const ref = useRef<SVGSVGElement>(null);
  const chart = useRef<{ update(m: M): void; destroy(): void } | null>(null);
  const makeRef = useRef(make);
  useEffect(() => {
    const c = makeRef.current(ref.current!);
    chart.current = c;
    return () => {
      c.destroy();
      chart.current = null;
    };
  }, []);
  useEffect(() => chart.current?.update(model), [model]);
  return <svg ref={ref} data-testid={testId} aria-label={label} />;
}

const makeRace = (svg: SVGSVGElement) => createRaceChart(svg);
const makeReward = (svg: SVGSVGElement) => createLineChart(svg, { x: 'episode', y: 'return (÷ peak)' });
const makeCurve = (svg: SVGSVGElement) => createLineChart(svg, { x: 'training time (min)', y: 'speedup (geomean)' });

function raceStatus(race: LabRace): string {
  const running = race.methods.find((m) => m.status === 'running');
  const done = race.methods.filter((m) => m.status === 'done').length;
  switch (race.status) {
    case 'running':
      return running
        ? `tuning with ${running.method} (${done + 1} of ${race.methods.length})…`
        : 'loading the policy and measuring the default schedule…';
    case 'done':
      return `done: each search had ${formatMs(race.budgetMs)}; LoopTune used ${race.policyLabel}`;
    case 'cancelled':
      return 'cancelled: the lines show what each method had found';
    case 'error':
      return `failed: ${race.error ?? 'unknown error'}`;
  }
}

function RaceSection() {
  const race = useLooplab((s) => s.labRace);
  const problemKey = useLooplab((s) => s.problemKey);
  const policyLabel = useLooplab((s) => s.agentPolicy.label);
  const tuning = useLooplab((s) => s.labFineTune?.status === 'running');
  const store = useLooplabStore();
  const [budget, setBudget] = useState(10_000);
  const running = race?.status === 'running';
  const model = useMemo<RaceModel>(
    () => ({ series: raceSeries(race?.methods ?? []), defaultGflops: race?.defaultGflops ?? null }),
    [race],
  );
  const rows = useMemo(() => raceRows(race?.methods ?? [], race?.defaultGflops ?? null), [race]);
  const sameProblem = race?.problemKey === problemKey;
  return (
    <section className="lab-section" aria-label="agent vs search">
      <h3>Agent vs search on this problem</h3>
      <p className="lab-hint">
        The agent (cost model + search, within 1 s), LoopTune's agent ({policyLabel}), the expert's grid of hand-written
        register tiles (the reference) and the searches{' '}
        {DEFAULT_RACE_METHODS.filter((m) => BUDGETED_RACE_METHODS.includes(m)).join(', ')} tune the problem one after
        another, each from scratch; each search gets the time budget (so the race takes up to about{' '}
        {Math.round((budget * DEFAULT_RACE_METHODS.filter((m) => BUDGETED_RACE_METHODS.includes(m)).length) / 1000) + 3}{' '}
        s). Tuning time counts choosing and measuring schedules (not loading the models); other work in the page at the
        same time slows the kernels down. Every figure here is a quick timing: {SEARCH_SLICING_NOTE}. Applying a
        method's best adds it to your history, credited to the method: undo returns to your schedule.
      </p>
      <div className="lab-controls">
        <label>
          budget per search{' '}
          <select
            data-testid="race-budget"
            value={String(budget)}
            disabled={running}
            onChange={(e) => setBudget(Number(e.target.value))}
          >
            {RACE_BUDGETS_MS.map((ms) => (
              <option key={ms} value={ms}>
                {formatMs(ms)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          data-testid="race-start"
          disabled={running || tuning}
          onClick={() => store.getState().startRace(budget)}
        >
          race
        </button>
        <button
          type="button"
          data-testid="race-cancel"
          disabled={!running}
          onClick={() => store.getState().cancelLab()}
        >
          cancel
        </button>
      </div>
      {race && (
        <>
          <p className="lab-status" data-testid="race-status" data-status={race.status} role="status">
            {raceStatus(race)}
          </p>
          <ChartView
            make={makeRace}
            model={model}
            testId="race-chart"
            label="best GFLOPS against tuning time, one line per method"
          />
          <div className="lab-table-wrap">
            <table className="facts lab-table" data-testid="race-table">
              <thead>
                <tr>
                  <th>method</th>
                  <th title="best GFLOPS found">GFLOPS</th>
                  <th title="over the default schedule">speedup</th>
                  <th title="tuning time when it found its best">best at</th>
                  <th title="tuning time in all">ran</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr
                    key={r.method}
                    data-testid="race-row"
                    data-method={r.method}
                    data-best={r.best ?? ''}
                    data-schedule={r.schedule ?? ''}
                    data-status={r.status}
                  >
                    <td>
                      <span className="lab-swatch" style={{ background: r.color }} /> {r.method}
                    </td>
                    <td>{r.best !== null ? formatGflops(r.best) : '–'}</td>
                    <td>{r.speedup !== null ? `${r.speedup.toFixed(2)}x` : '–'}</td>
                    <td>{r.timeToBestMs !== null ? formatMs(Math.max(1, r.timeToBestMs)) : '–'}</td>
                    <td title={r.status}>{r.status === 'waiting' ? 'waiting' : formatMs(Math.max(1, r.totalMs))}</td>
                    <td>
                      <button
                        type="button"
                        data-testid={`race-apply-${r.method}`}
                        disabled={r.schedule === null || !sameProblem || running}
                        title={
                          r.schedule
                            ? `make ${r.schedule} the playground's schedule (added to the history as ${r.method}'s, one step: undo returns to yours)`
                            : 'nothing found yet'
                        }
                        onClick={() => store.getState().applyRaceBest(r.method as RaceMethod)}
                      >
                        apply
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows
            .filter((r) => r.error)
            .map((r) => (
              <p key={r.method} className="error" data-testid="race-error">
                {r.method} failed: {r.error}
              </p>
            ))}
          {!sameProblem && <p className="lab-hint">This race was run on another problem.</p>}
        </>
      )}
    </section>
  );
}

function fineTuneStatus(t: LabFineTune): string {
  const episodes = `${t.returns.length} episode${t.returns.length === 1 ? '' : 's'}`;
  switch (t.status) {
    case 'running':
      return t.phase === 'before'
        ? `rolling out ${t.fromLabel} before training (and loading the trainer)…`
        : `training: ${episodes}, ${t.elapsedSec.toFixed(1)} s of ${t.budgetSec} s`;
    case 'done':
      return `done: ${episodes} in ${t.elapsedSec.toFixed(1)} s; keep the fine-tuned policy or discard it`;
    case 'kept':
      return `kept: the agent now uses the fine-tuned policy (${episodes})`;
    case 'discarded':
      return 'discarded: the agent keeps its policy';
    case 'cancelled':
      return `cancelled after ${episodes}; the policy is unchanged`;
    case 'error':
      return `failed: ${t.error ?? 'unknown error'}`;
  }
}

/** A ratio as a signed percentage: +3.2%, -0.4%, +0%. */
function formatChange(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  const pct = (ratio - 1) * 100;
  return `${pct < 0 ? '−' : '+'}${Math.abs(pct).toFixed(Math.abs(pct) < 10 ? 1 : 0)}%`;
}

function FineTuneSection() {
  const tune = useLooplab((s) => s.labFineTune);
  const policyLabel = useLooplab((s) => s.agentPolicy.label);
  const raceRunning = useLooplab((s) => s.labRace?.status === 'running');
  const store = useLooplabStore();
  const [budget, setBudget] = useState(30);
  const running = tune?.status === 'running';
  const model = useMemo<LineModel>(() => rewardModel(tune?.returns ?? []), [tune?.returns]);
  const result = tune?.result;
  return (
    <section className="lab-section" aria-label="fine-tune">
      <h3>Fine-tune the policy on this problem</h3>
      <p className="lab-hint">
        Training goes on from the current policy (<span data-testid="lab-policy-label">{policyLabel}</span>) on this
        problem only, with the algorithm it was trained with (PPO for the shipped policy, DQN for a DQN one). Each dot
        is an episode's return (GFLOPS gained over the default schedule ÷ the machine's peak); the line is their running
        mean.
      </p>
      <div className="lab-controls">
        <label>
          budget{' '}
          <select
            data-testid="finetune-budget"
            value={String(budget)}
            disabled={running}
            onChange={(e) => setBudget(Number(e.target.value))}
          >
            {FINE_TUNE_BUDGETS_SEC.map((sec) => (
              <option key={sec} value={sec}>
                {sec} s
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          data-testid="finetune-start"
          disabled={running || raceRunning}
          onClick={() => store.getState().startFineTune(budget)}
        >
          fine-tune
        </button>
        <button
          type="button"
          data-testid="finetune-cancel"
          disabled={!running}
          onClick={() => store.getState().cancelLab()}
        >
          cancel
        </button>
      </div>
      {tune && (
        <>
          <p
            className="lab-status"
            data-testid="finetune-status"
            data-status={tune.status}
            data-episodes={tune.returns.length}
            role="status"
          >
            {fineTuneStatus(tune)}
          </p>
          <ChartView
            make={makeReward}
            model={model}
            testId="reward-chart"
            label="return of each fine-tuning episode, with the running mean"
          />
          {result && tune.status !== 'cancelled' && (
            <p className="lab-result" data-testid="finetune-result">
              greedy rollout on this problem:{' '}
              <strong data-testid="finetune-before" data-value={result.before.gflops}>
                {formatGflops(result.before.gflops)}
              </strong>{' '}
              GFLOPS before,{' '}
              <strong data-testid="finetune-after" data-value={result.after.gflops}>
                {formatGflops(result.after.gflops)}
              </strong>{' '}
              GFLOPS after ({formatChange(result.after.gflops / result.before.gflops)}; default{' '}
              {formatGflops(result.before.defaultGflops)})
              {!result.improved && '; no checkpoint beat the starting policy here, so the result is that policy'}
            </p>
          )}
          {tune.status === 'done' && (
            <div className="lab-controls">
              <button type="button" data-testid="finetune-keep" onClick={() => store.getState().keepFineTune()}>
                keep
              </button>
              <button type="button" data-testid="finetune-discard" onClick={() => store.getState().discardFineTune()}>
                discard
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function PoliciesSection() {
  const saved = useLooplab((s) => s.savedPolicies);
  const label = useLooplab((s) => s.agentPolicy.label);
  const custom = useLooplab((s) => s.agentPolicyFiles !== null);
  const store = useLooplabStore();
  useEffect(() => void store.getState().refreshSavedPolicies(), [store]);
  return (
    <section className="lab-section" aria-label="saved policies">
      <h3>Policies in this browser</h3>
      <div className="lab-controls">
        <span>
          the agent uses <strong data-testid="lab-current-policy">{label}</strong>
        </span>
        <button
          type="button"
          data-testid="policy-save"
          disabled={!custom}
          title={custom ? 'keep it for later visits' : 'the shipped policy is always there'}
          onClick={() => void store.getState().saveAgentPolicy()}
        >
          save
        </button>
        <button
          type="button"
          data-testid="policy-shipped"
          disabled={!custom}
          onClick={() => store.getState().setAgentPolicy(null, SHIPPED_POLICY_LABEL)}
        >
          back to the shipped policy
        </button>
      </div>
      {saved.length > 0 && (
        <ul className="lab-saved" data-testid="saved-policies">
          {saved.map((p) => (
            <li key={p.id} data-testid="saved-policy" data-label={p.label}>
              <span title={p.damaged}>
                {p.label} <span className="lab-hint">({new Date(p.savedAt).toLocaleString()})</span>
                {p.damaged && <span className="badge badge-bad"> damaged</span>}
              </span>{' '}
              <button
                type="button"
                data-testid="saved-policy-use"
                disabled={!!p.damaged}
                onClick={() => void store.getState().useSavedPolicy(p.id)}
              >
                use
              </button>
              <button
                type="button"
                data-testid="saved-policy-delete"
                onClick={() => void store.getState().deleteSavedPolicy(p.id)}
              >
                delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CurveSection() {
  const curve = useLooplab((s) => s.labCurve);
  const store = useLooplabStore();
  useEffect(() => store.getState().loadLearningCurve(), [store]);
  const model = useMemo<LineModel>(() => curveModel(curve?.rows ?? []), [curve]);
  return (
    <section className="lab-section" aria-label="learning curve">
      <h3>How the shipped policy learned</h3>
      {curve?.status === 'error' ? (
        <p className="error" data-testid="curve-error">
          {curve.error}
        </p>
      ) : (
        <>
          <p className="lab-hint">
            Training in Node (PPO, 40 minutes on 2 cores): the greedy policy's geomean speedup over the default on the
            validation problems.
          </p>
          <ChartView
            make={makeCurve}
            model={model}
            testId="curve-chart"
            label="validation speedup against training time"
          />
        </>
      )}
    </section>
  );
}

export function AgentLabPanel() {
  return (
    <Panel title="Agent vs search" testId="lab-panel">
      <RaceSection />
      <FineTuneSection />
      <PoliciesSection />
      <CurveSection />
    </Panel>
  );
}
