// The generated code, three ways: the schedule as C (with tails), the wasm text of the kernel the
// kernel worker generated and measured for it (its bytes disassembled by wabt in the page), and
// what the generator decided (its report, from the same measurement).
import { useEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { scheduleToC } from '../core/pseudoC.ts';
import { loopsText, printSchedule } from '../core/schedule.ts';
import type { Problem } from '../core/types.ts';
import { useLooplab, useMeasurement } from '../store/context.tsx';
import type { KernelReport, ReportLoop, VectorAccess } from '../store/types.ts';
import { variableColor } from './colors.ts';
import { Panel } from './Panel.tsx';
import { instructionCounts, wasmToText } from './wasmText.ts';
import { errorMessage } from '../core/errors.ts';

type Tab = 'c' | 'wasm' | 'report';
const TABS: { id: Tab; label: string; title: string }[] = [
  { id: 'c', label: 'C', title: 'the schedule as C, with tails' },
  { id: 'wasm', label: 'wasm', title: 'the WebAssembly text of the generated kernel' },
  { id: 'report', label: 'decisions', title: 'what the code generator decided' },
];

/** Lines of wasm text shown before "show all". */
const WASM_PREVIEW_LINES = 300;

/** Problem variable an identifier of the C text stands for (`m`, `m0`, `m_1`, `int_`), or null. */
function variableOf(problem: Problem, ident: string): string | null {
  for (const v of [...problem.variables].sort((a, b) => b.length - a.length)) {
    if (ident === v) return v;
    if (ident.startsWith(v) && /^_?\d*_*$/.test(ident.slice(v.length))) return v;
  }
  return null;
}

const C_KEYWORDS = new Set(['for', 'int', 'void', 'float', 'const']);

/**
 * The C text with comments muted, keywords marked and loop variables in their colours. Each line
 * is a block that wraps rather than runs off the panel (a loop's trailing comment is the longest
 * part), continuing indented under its own code.
 */
function CCode({ problem, text }: { problem: Problem; text: string }) {
  const lines: ReactNode[] = [];
  let key = 0;
  for (const line of text.split('\n')) {
    const out: ReactNode[] = [];
    const at = line.indexOf('//');
    const code = at < 0 ? line : line.slice(0, at);
    const re = /[A-Za-z_][A-Za-z0-9_]*/g;
    let last = 0;
    for (let m = re.exec(code); m; m = re.exec(code)) {
      const word = m[0];
      const isTensor = code[m.index + word.length] === '[';
      const v = isTensor ? null : variableOf(problem, word);
      if (!v && !C_KEYWORDS.has(word)) continue;
      if (m.index > last) out.push(code.slice(last, m.index));
      out.push(
        v ? (
          <span key={key++} className="c-var" style={{ color: variableColor(problem, v) }}>
            {word}
          </span>
        ) : (
          <span key={key++} className="c-kw">
            {word}
          </span>
        ),
      );
      last = m.index + word.length;
    }
    if (last < code.length) out.push(code.slice(last));
    if (at >= 0)
      out.push(
        <span key={key++} className="c-comment">
          {line.slice(at)}
        </span>,
      );
    out.push('\n');
    const indent = line.length - line.trimStart().length;
    lines.push(
      <span key={key++} className="c-line" style={{ '--c-indent': `${indent + 4}ch` } as CSSProperties}>
        {out}
      </span>,
    );
  }
  return <>{lines}</>;
}

/** One wasm text line with SIMD instructions and control flow marked. */
function watLine(line: string, key: number): ReactNode {
  const m = /^(\s*)([a-z0-9_]+(?:\.[a-z0-9_]+)?)(.*)$/.exec(line);
  if (!m) return `${line}\n`;
  const [, indent, op, rest] = m;
  const cls = /^(v128|f32x4|i32x4)\./.test(op)
    ? 'wat-simd'
    : /^(loop|block|br|br_if|end|if|else)$/.test(op)
      ? 'wat-ctrl'
      : /\.(load|store)/.test(op)
        ? 'wat-mem'
        : null;
  if (!cls) return `${line}\n`;
  return (
    <span key={key}>
      {indent}
      <span className={cls}>{op}</span>
      {rest}
      {'\n'}
    </span>
  );
}

/**
 * What `load` gave for a key. While a new key loads, the previous result stays on screen
 * (`stale`), so stepping through actions does not make the view flicker.
 */
type Loaded<T> = ({ state: 'loading' } | { state: 'done'; value: T } | { state: 'error'; message: string }) & {
  key: string;
  stale?: boolean;
};

/** Runs `load` for `key` when `enabled`; the latest key wins. */
function useLoaded<T>(key: string, enabled: boolean, load: () => Promise<T>): Loaded<T> | null {
  const [result, setResult] = useState<Loaded<T> | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    load().then(
      (value) => live && setResult({ key, state: 'done', value }),
      (error: unknown) => live && setResult({ key, state: 'error', message: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
    // `load` is recreated each render; `key` names what it loads.
  }, [key, enabled]);
  if (!result) return null;
  if (result.key === key) return result;
  return result.state === 'done' ? { ...result, stale: true } : { key, state: 'loading' };
}

/** The kernel of a schedule as the kernel worker generated and measured it. */
interface MeasuredKernel {
  report: KernelReport;
  bytes: Uint8Array;
}

/**
 * The measured kernel of a schedule from the store: loading while it is measured (the last kernel
 * shown stays on screen, stale), an error when the measurement failed without one.
 */
function useMeasuredKernel(scheduleText: string): Loaded<MeasuredKernel> {
  const m = useMeasurement(scheduleText);
  const key = m?.key ?? scheduleText;
  const last = useRef<{ key: string; value: MeasuredKernel } | null>(null);
  if (m?.report && m.kernelBytes) {
    const value = last.current?.key === key ? last.current.value : { report: m.report, bytes: m.kernelBytes };
    last.current = { key, value };
    return { key, state: 'done', value };
  }
  if (m?.status === 'error') return { key, state: 'error', message: m.error ?? 'the kernel could not be measured' };
  return last.current
    ? { key: last.current.key, state: 'done', value: last.current.value, stale: true }
    : { key, state: 'loading' };
}

/** Wasm text per kernel (disassembling is done once per kernel bytes). */
const wasmTexts = new WeakMap<Uint8Array, Promise<string>>();

function wasmTextOf(bytes: Uint8Array): Promise<string> {
  let text = wasmTexts.get(bytes);
  if (!text) {
    text = wasmToText(bytes);
    text.catch(() => wasmTexts.delete(bytes));
    wasmTexts.set(bytes, text);
  }
  return text;
}

/** The wasm text of the measured kernel, while the wasm tab shows. */
function useWasmText(kernel: Loaded<MeasuredKernel>, enabled: boolean): Loaded<string> | null {
  const bytes = kernel.state === 'done' ? kernel.value.bytes : null;
  const text = useLoaded(kernel.key, enabled && bytes !== null, () => wasmTextOf(bytes!));
  if (kernel.state !== 'done') return kernel;
  if (!text) return { key: kernel.key, state: 'loading' };
  return kernel.stale && text.state === 'done' ? { ...text, stale: true } : text;
}

function WasmView({ loaded }: { loaded: Loaded<string> | null }) {
  const [showAll, setShowAll] = useState(false);
  const text = loaded?.state === 'done' ? loaded.value : '';
  const lines = useMemo(() => (text ? text.split('\n') : []), [text]);
  const counts = useMemo(() => instructionCounts(text).slice(0, 8), [text]);
  useEffect(() => setShowAll(false), [text]);
  if (!loaded || loaded.state === 'loading') {
    return (
      <p className="status" data-testid="code-wasm-status">
        generating the kernel and disassembling it…
      </p>
    );
  }
  if (loaded.state === 'error') {
    return (
      <p className="error" role="alert" data-testid="code-wasm-error">
        can&apos;t show the wasm text: {loaded.message}
      </p>
    );
  }
  const head = lines.slice(0, WASM_PREVIEW_LINES);
  const restCount = lines.length - head.length;
  return (
    <>
      <p className="code-summary" data-testid="code-wasm-counts">
        {lines.length} lines;{' '}
        {counts.map((c, i) => (
          <span key={c.op}>
            {i > 0 && ' · '}
            <code>{c.op}</code> ×{c.count}
          </span>
        ))}
      </p>
      <pre
        className={loaded.stale ? 'code code-view code-wasm stale' : 'code code-view code-wasm'}
        data-testid="code-wasm"
        aria-busy={loaded.stale || undefined}
      >
        {head.map((line, i) => watLine(line, i))}
        {showAll && restCount > 0 && lines.slice(WASM_PREVIEW_LINES).join('\n')}
      </pre>
      {restCount > 0 && !showAll && (
        <button type="button" className="code-more" data-testid="code-wasm-show-all" onClick={() => setShowAll(true)}>
          show all {lines.length} lines ({restCount} more)
        </button>
      )}
    </>
  );
}

const ACCESS_WORDS: Record<VectorAccess, string> = {
  vector: 'one v128 load/store of 4 neighbours',
  gather: '4 separate floats gathered into the lanes (strided)',
  splat: 'one value broadcast to all 4 lanes',
};

function Var({ problem, v }: { problem: Problem; v: string }) {
  return (
    <b className="c-var" style={{ color: variableColor(problem, v) }}>
      {v}
    </b>
  );
}

/** Loops of the report in schedule notation (`m:2 n:16`), each in its variable's colour. */
function LoopsText({ problem, loops }: { problem: Problem; loops: ReportLoop[] }) {
  if (loops.length === 0) return <span className="muted">none</span>;
  return (
    <code>
      {loops.map((loop, i) => (
        <span key={loop.index}>
          {i > 0 && ' '}
          <span style={{ color: variableColor(problem, loop.variable), fontWeight: 600 }}>{loopsText([loop])}</span>
        </span>
      ))}
    </code>
  );
}

function ReportView({ problem, loaded }: { problem: Problem; loaded: Loaded<MeasuredKernel> }) {
  if (loaded.state === 'loading') {
    return (
      <p className="status" data-testid="code-report-status">
        asking the generator…
      </p>
    );
  }
  if (loaded.state === 'error') {
    return (
      <p className="error" role="alert" data-testid="code-report-error">
        no report for this schedule: {loaded.message}
      </p>
    );
  }
  const r: KernelReport = loaded.value.report;
  const v = r.vectorizedVariable;
  const tensors = [problem.output.name, problem.inputs[0].name, problem.inputs[1].name];
  const accs = r.vectorAccumulators + r.scalarAccumulators;
  // No whole vector in the innermost loop: the generator emits scalar code only.
  const scalar = r.lanes.vectors === 0;
  return (
    <div
      className={loaded.stale ? 'code-report stale' : 'code-report'}
      data-testid="code-report"
      data-vectorized={v}
      data-relaxed={String(r.relaxedFma)}
      aria-busy={loaded.stale || undefined}
    >
      <dl className="report-list">
        <dt>vectorized</dt>
        {scalar ? (
          <dd data-testid="code-report-vectorized">
            no: the innermost loop <Var problem={problem} v={v} /> covers {r.lanes.extent} value
            {r.lanes.extent === 1 ? '' : 's'}, fewer than the 4 lanes of an <code>f32x4</code>, so it runs as scalar
            code: every read is one <code>f32.load</code>
          </dd>
        ) : (
          <dd data-testid="code-report-vectorized">
            along <Var problem={problem} v={v} />, the innermost loop: 4 floats per <code>f32x4</code> instruction; one
            pass is {r.lanes.vectors} vector{r.lanes.vectors === 1 ? '' : 's'}
            {r.lanes.scalarRest > 0
              ? ` + ${r.lanes.scalarRest} scalar value${r.lanes.scalarRest === 1 ? '' : 's'}`
              : ''}
          </dd>
        )}
        {!scalar && (
          <>
            <dt>
              access along <Var problem={problem} v={v} />
            </dt>
            <dd>
              <ul className="report-access">
                {tensors.map((name) => (
                  <li key={name} data-testid="code-report-access" data-tensor={name} data-access={r.access[name]}>
                    <b>{name}</b>{' '}
                    {name === problem.output.name && r.horizontalSum ? (
                      <>
                        <span className="access-tag access-sum">sum</span> has no {v}: the 4 lanes hold partial sums,
                        added horizontally when stored
                      </>
                    ) : (
                      <>
                        <span className={`access-tag access-${r.access[name]}`}>{r.access[name]}</span>{' '}
                        {ACCESS_WORDS[r.access[name]]}
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        <dt>register tile</dt>
        <dd>
          {accs} accumulator{accs === 1 ? '' : 's'} ({r.vectorAccumulators} <code>f32x4</code>
          {r.scalarAccumulators > 0 ? ` + ${r.scalarAccumulators} scalar` : ''})
          {r.heldAcross.length > 0 ? (
            <>
              {' '}
              held in registers across <LoopsText problem={problem} loops={r.heldAcross} />
            </>
          ) : (
            ' loaded and stored around each tile'
          )}
        </dd>
        <dt>unrolled</dt>
        <dd>
          {r.innermostUnroll > 0 ? (
            <>the innermost loop is too long to unroll whole: each iteration handles {r.innermostUnroll} vectors</>
          ) : (
            <>
              <LoopsText problem={problem} loops={r.tileLoops} /> fully, {r.unrolledMultiplyAdds} multiply-add
              {r.unrolledMultiplyAdds === 1 ? '' : 's'} per pass
            </>
          )}
        </dd>
        <dt>multiply-add</dt>
        <dd data-testid="code-report-fma">
          {scalar ? (
            <>
              <code>f32.mul</code> + <code>f32.add</code> (scalar code)
            </>
          ) : r.relaxedFma ? (
            <>
              <code>f32x4.relaxed_madd</code> (fused, relaxed SIMD: this browser supports it)
            </>
          ) : (
            <>
              <code>f32x4.mul</code> + <code>f32x4.add</code> (this browser has no relaxed SIMD)
            </>
          )}
        </dd>
        <dt>tails</dt>
        <dd>
          {r.tailPaths > 1
            ? `${r.tailPaths - 1} extra cop${r.tailPaths === 2 ? 'y' : 'ies'} of loop bodies for partial iterations`
            : 'none: every loop divides evenly'}
        </dd>
        <dt>size</dt>
        <dd>
          {r.instructions} instructions, {r.bytes} bytes
        </dd>
      </dl>
      <p className="notes-title">in the generator&apos;s words</p>
      <ul className="notes" data-testid="code-report-notes">
        {r.notes.map((note, i) => (
          <li key={i}>{note}</li>
        ))}
      </ul>
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle');
  useEffect(() => setCopied('idle'), [text]);
  const copy = () => {
    if (!navigator.clipboard) {
      setCopied('failed');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setCopied('done'),
      () => setCopied('failed'),
    );
  };
  return (
    <button type="button" className="code-copy" data-testid="code-copy" onClick={copy}>
      {copied === 'done' ? 'copied' : copied === 'failed' ? "can't copy here" : 'copy'}
    </button>
  );
}

export function CodePanel() {
  const problem = useLooplab((s) => s.problem);
  const schedule = useLooplab((s) => s.current.schedule);
  const [tab, setTab] = useState<Tab>('c');
  const scheduleText = printSchedule(schedule);

  const cText = useMemo(() => {
    try {
      return { ok: true as const, text: scheduleToC(problem, schedule) };
    } catch (error) {
      return { ok: false as const, message: errorMessage(error) };
    }
  }, [problem, schedule]);
  const kernel = useMeasuredKernel(scheduleText);
  const wasm = useWasmText(kernel, tab === 'wasm');

  return (
    <Panel title="Code" testId="code-panel">
      <div className="code-tabs" role="tablist" aria-label="code views">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`code-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`code-view-${t.id}`}
            className="code-tab"
            data-testid={`code-tab-${t.id}`}
            title={t.title}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
        {tab === 'c' && cText.ok && <CopyButton text={cText.text} />}
      </div>
      <div role="tabpanel" id={`code-view-${tab}`} aria-labelledby={`code-tab-${tab}`} className="code-tabpanel">
        {tab === 'c' &&
          (cText.ok ? (
            <pre className="code code-view code-c" data-testid="code-c">
              <CCode problem={problem} text={cText.text} />
            </pre>
          ) : (
            <p className="error" role="alert">
              can&apos;t write C for this schedule: {cText.message}
            </p>
          ))}
        {tab === 'wasm' && <WasmView loaded={wasm} />}
        {tab === 'report' && <ReportView problem={problem} loaded={kernel} />}
      </div>
    </Panel>
  );
}
