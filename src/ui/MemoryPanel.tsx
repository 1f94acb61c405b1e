// Memory view: the simulated caches of a chosen machine on the current schedule's kernel (the same
// figures on every laptop). Per level, per tensor: bars of misses and of bytes moved to and from
// the next level, with the numbers in words, and which loop's reuse each level keeps; the loop nest
// with each loop's working set against the machine's L1 and L2 and a mark on the loop whose
// iterations a level keeps a tensor's lines across.
import { useMemo } from 'react';
import {
  type CacheFigures,
  EXACT_ON_REQUEST_UP_TO,
  exactDurationText,
  type LevelFigures,
  methodSentence,
  reuseSentences,
  samplingGap,
  samplingGapSentence,
} from '../core/cache/figures.ts';
import { type Machine, MACHINES, sizeText, waysText } from '../core/cache/machines.ts';
import { nestMarks } from '../core/cache/nestMarks.ts';
import { cacheOfMachine } from '../core/facts.ts';
import { formatBytes, formatCount } from '../core/format.ts';
import { printSchedule } from '../core/schedule.ts';
import { useLooplab } from '../store/context.tsx';
import { currentMemoryKey } from '../store/memorySlice.ts';
import type { MemoryEntry } from '../store/types.ts';
import { Panel } from './Panel.tsx';

function Bar({ value, max, label, kind }: { value: number; max: number; label: string; kind: 'misses' | 'bytes' }) {
  const width = max > 0 ? Math.max(value > 0 ? 1 : 0, (100 * value) / max) : 0;
  return (
    <div className={`memory-bar memory-bar-${kind}`}>
      <span className="memory-bar-fill" style={{ width: `${width}%` }} />
      <span className="memory-bar-label">{label}</span>
    </div>
  );
}

function LevelView({ level }: { level: LevelFigures }) {
  const maxMisses = Math.max(...level.tensors.map((t) => t.misses));
  const maxBytes = Math.max(...level.tensors.map((t) => t.bytes));
  return (
    <div className="memory-level" data-testid={`memory-level-${level.name}`}>
      <h3>
        {level.name} ({sizeText(level.bytes)}, {waysText(level.ways)}): misses, and bytes to and from {level.next}
      </h3>
      {level.tensors.map((t) => (
        <div className="memory-row" key={t.tensor}>
          <span className="memory-tensor">{t.tensor}</span>
          <span
            data-testid={`memory-misses-${level.name}-${t.tensor}`}
            data-value={t.misses}
            title={`${t.accesses.toLocaleString('en-US')} accesses; misses: ${t.compulsory.toLocaleString('en-US')} compulsory (first touch), ${t.capacity.toLocaleString('en-US')} capacity, ${t.conflict.toLocaleString('en-US')} conflict`}
          >
            <Bar
              kind="misses"
              value={t.misses}
              max={maxMisses}
              label={`${formatCount(t.misses)} misses (${t.missesPer1000Fma.toFixed(1)} per 1000 FMAs)`}
            />
          </span>
          <span data-testid={`memory-bytes-${level.name}-${t.tensor}`} data-value={t.bytes}>
            <Bar kind="bytes" value={t.bytes} max={maxBytes} label={formatBytes(t.bytes)} />
          </span>
        </div>
      ))}
    </div>
  );
}

function Figures({ figures, schedule }: { figures: CacheFigures; schedule: string }) {
  const names = figures.levels.map((l) => l.name);
  return (
    <div
      data-testid="memory-figures"
      data-schedule={schedule}
      data-machine={figures.machine.id}
      data-method={figures.method ?? 'exact'}
    >
      <p className="memory-method" data-testid="memory-method">
        {methodSentence(figures)}
      </p>
      {figures.levels.map((level) => (
        <LevelView key={level.name} level={level} />
      ))}
      {figures.reuse && (
        <ul className="memory-reuse" data-testid="memory-reuse">
          {reuseSentences(figures.reuse, names).map((sentence) => (
            <li key={sentence}>{sentence}</li>
          ))}
        </ul>
      )}
      <p className="memory-note">
        {formatCount(figures.instructions)} memory instructions for {formatCount(figures.fmas)} multiply-adds (FMAs).
        Simulated: LRU, write-back, write-allocate, the kernel as generated for Chromium with relaxed SIMD.
      </p>
    </div>
  );
}

function kib(bytes: number): string {
  const k = bytes / 1024;
  return `${k < 10 ? k.toFixed(1) : Math.round(k)} KiB`;
}

/** The nest with each loop's working set and the reuse marks of the simulated figures (when in). */
function AnnotatedNest({ machine, figures }: { machine: Machine; figures?: CacheFigures }) {
  const problem = useLooplab((s) => s.problem);
  const schedule = useLooplab((s) => s.current.schedule);
  const rows = useMemo(() => {
    try {
      const names = figures?.levels.map((l) => l.name) ?? [];
      return nestMarks(problem, schedule, cacheOfMachine(machine), figures?.reuse, names);
    } catch {
      return null;
    }
  }, [problem, schedule, machine, figures]);
  if (!rows) return null;
  const [l1, l2] = machine.levels;
  const fitsText = (fits: 'L1' | 'L2' | null) =>
    fits === 'L1' ? `fits ${l1.name}` : fits === 'L2' ? `fits ${l2?.name ?? 'L2'}` : `over ${(l2 ?? l1).name}`;
  return (
    <div className="memory-nest-box">
      <ol className="memory-nest" data-testid="memory-nest">
        {rows.map((r, i) => (
          <li
            key={i}
            className={`memory-nest-loop memory-fits-${r.fits ?? 'none'}`}
            data-testid="memory-nest-loop"
            data-loop={i}
            data-working-set={r.workingSet}
            data-fits={r.fits ?? 'none'}
            style={{ paddingLeft: `${i * 0.8}em` }}
          >
            <code>for {r.text}</code>
            <span
              className="memory-nest-ws"
              title={`the loops from ${r.text} inward touch ${formatBytes(r.workingSet)} of cache lines in one run`}
            >
              {kib(r.workingSet)} · {fitsText(r.fits)}
            </span>
            {r.marks.map((m) => (
              <span
                key={`${m.tensor}-${m.level}`}
                className={`memory-mark memory-mark-${m.level === 'memory' ? 'memory' : 'kept'}`}
                data-testid="memory-mark"
                data-tensor={m.tensor}
                data-level={m.level}
                title={
                  m.level === 'memory'
                    ? `the reuse of ${m.tensor} this loop carries comes from memory`
                    : `${m.level} keeps ${m.tensor}'s lines across the iterations of ${r.text}`
                }
              >
                {m.tensor} {m.level === 'memory' ? 'from memory' : `in ${m.level}`}
              </span>
            ))}
          </li>
        ))}
      </ol>
      <p className="memory-note">
        Beside each loop: the cache lines the loops from it inward touch in one run, against {l1.name}{' '}
        {sizeText(l1.bytes)}
        {l2 ? ` and ${l2.name} ${sizeText(l2.bytes)}` : ''}. A mark “B in {l1.name}”: {l1.name} keeps B's lines across
        that loop's iterations (simulated); “from memory”: the reuse that loop carries is fetched from memory again.
      </p>
    </div>
  );
}

/**
 * For sampled figures: a button that simulates every access (in a worker of its own), then what
 * the sampled figures were off by. Only this panel shows the exact figures: the other panels and
 * the lessons keep the sampled ones, the same for every student.
 */
function ExactCheck({ sampled, exact }: { sampled: CacheFigures; exact: MemoryEntry | undefined }) {
  const simulateExactly = useLooplab((s) => s.simulateExactly);
  const count = formatCount(sampled.instructions);
  if (sampled.instructions > EXACT_ON_REQUEST_UP_TO)
    return (
      <p className="memory-exact" data-testid="memory-exact-too-long">
        {count} accesses are too many to simulate each in the page; <code>npm run cache -- --exact</code> does (
        {exactDurationText(sampled.instructions)}).
      </p>
    );
  if (!exact)
    return (
      <p className="memory-exact">
        <button
          type="button"
          className="lesson-small-btn"
          data-testid="memory-exact"
          onClick={() => simulateExactly()}
          title="Simulate all of the kernel's accesses in a worker of its own, to check the sampled figures; the other figures go on meanwhile"
        >
          simulate all {count} accesses ({exactDurationText(sampled.instructions)})
        </button>
      </p>
    );
  if (exact.status === 'running')
    return (
      <p className="memory-exact" data-testid="memory-exact-running">
        simulating all {count} accesses ({exactDurationText(sampled.instructions)})…
      </p>
    );
  if (exact.status === 'error' || !exact.figures)
    return (
      <p className="memory-exact memory-error" data-testid="memory-exact-error">
        Not every access could be simulated: {exact.error}
      </p>
    );
  const gap = samplingGap(sampled, exact.figures);
  return (
    <p className="memory-exact" data-testid="memory-exact-gap" data-value={gap?.relative}>
      Every access simulated, on request: {gap ? samplingGapSentence(gap) : 'the sampled figures are of other levels'}.
      The other panels and the lessons use the sampled figures, the same on every computer.
    </p>
  );
}

export function MemoryPanel() {
  const machineId = useLooplab((s) => s.memoryMachine);
  const setMachine = useLooplab((s) => s.setMemoryMachine);
  const fixed = useLooplab((s) => s.memoryMachineFixed);
  const entry = useLooplab((s) => s.memory[currentMemoryKey(s)]);
  const exact = useLooplab((s) => s.exactRuns[currentMemoryKey(s)]);
  const schedule = useLooplab((s) => printSchedule(s.current.schedule));
  const machine = MACHINES.find((m) => m.id === machineId) ?? MACHINES[0];
  // Every access simulated, once asked for and in; else the figures every panel reads.
  const shown =
    exact?.status === 'done' && exact.figures ? exact.figures : entry?.status === 'done' ? entry.figures : undefined;
  const levels = machine.levels.map((l) => `${l.name} ${sizeText(l.bytes)} ${waysText(l.ways)}`).join(', ');
  return (
    <Panel title="Memory (simulated caches)" testId="memory-panel">
      <label className="memory-machine">
        machine{' '}
        <select
          value={machineId}
          onChange={(e) => setMachine(e.target.value)}
          disabled={fixed}
          title={fixed ? "fixed by the teacher's link" : undefined}
          data-testid="memory-machine"
        >
          {MACHINES.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <p className="memory-for" data-testid="memory-for" title={machine.source}>
        Figures for {machine.name}: {levels}, {machine.lineBytes}-byte lines. The same on every computer.
      </p>
      <AnnotatedNest machine={machine} figures={shown} />
      {!entry || entry.status === 'running' ? (
        <p className="memory-status">simulating…</p>
      ) : entry.status === 'error' ? (
        <p className="memory-status memory-error">Not simulated: {entry.error}</p>
      ) : entry.figures && shown ? (
        <>
          <Figures figures={shown} schedule={schedule} />
          {entry.figures.method === 'sampled' && <ExactCheck sampled={entry.figures} exact={exact} />}
        </>
      ) : null}
    </Panel>
  );
}
