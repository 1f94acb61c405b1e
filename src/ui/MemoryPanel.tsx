// Memory view: the simulated caches of a chosen machine on the current schedule's kernel (the same
// figures on every laptop). Per level, per tensor: bars of misses and of bytes moved to and from
// the next level, with the numbers in words, and which loop's reuse each level keeps.
import { type CacheFigures, type LevelFigures, reuseSentences } from '../core/cache/figures.ts';
import { MACHINES, sizeText, waysText } from '../core/cache/machines.ts';
import { formatBytes, formatCount } from '../core/format.ts';
import { printSchedule } from '../core/schedule.ts';
import { useLooplab } from '../store/context.tsx';
import { currentMemoryKey } from '../store/memorySlice.ts';
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
    <div data-testid="memory-figures" data-schedule={schedule} data-machine={figures.machine.id}>
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

export function MemoryPanel() {
  const machineId = useLooplab((s) => s.memoryMachine);
  const setMachine = useLooplab((s) => s.setMemoryMachine);
  const fixed = useLooplab((s) => s.memoryMachineFixed);
  const entry = useLooplab((s) => s.memory[currentMemoryKey(s)]);
  const schedule = useLooplab((s) => printSchedule(s.current.schedule));
  const machine = MACHINES.find((m) => m.id === machineId) ?? MACHINES[0];
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
      {!entry || entry.status === 'running' ? (
        <p className="memory-status">simulating…</p>
      ) : entry.status === 'error' ? (
        <p className="memory-status memory-error">Not simulated: {entry.error}</p>
      ) : entry.figures ? (
        <Figures figures={entry.figures} schedule={schedule} />
      ) : null}
    </Panel>
  );
}
