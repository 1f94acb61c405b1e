// The schedule as indented loops around the statement, with the cursor; every action as a button
// (a disabled one says why), the split prompt, and the reason of a refused key or click.
import {
  Fragment,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactNode,
  type RefObject,
} from 'react';
import { applyAction, legalActions, type Action } from '../core/actions.ts';
import { loopExtents, loopSteps, loopText } from '../core/schedule.ts';
import type { Problem } from '../core/types.ts';
import { useLooplab, useLooplabStore } from '../store/context.tsx';
import { variableColor, variableTint } from './colors.ts';
import { buttonKeys, parseSplitFactor, QUICK_SPLIT_FACTORS } from './keyboard.ts';
import { Panel } from './Panel.tsx';
import { ScheduleLine } from './ScheduleLine.tsx';
import { placeBelowOrAbove } from './popoverPlacement.ts';
import { createPortal } from 'react-dom';
import { useNestKeys } from './useKeyboard.tsx';
import { COMMANDS, HIDE_GROUPS, type Command, type CommandId } from '../core/commands.ts';
import { canRedo, canUndo } from '../store/historySlice.ts';

/** Text with every problem variable in its colour (tensor names and numbers stay plain). */
export function VarText({ problem, text }: { problem: Problem; text: string }) {
  const parts: ReactNode[] = [];
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = m[0];
    const isTensor = text
      .slice(m.index + name.length)
      .trimStart()
      .startsWith('[');
    if (isTensor || !problem.variables.includes(name)) continue;
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(
      <span key={m.index} className="var" style={{ color: variableColor(problem, name) }}>
        {name}
      </span>,
    );
    last = m.index + name.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}

interface ButtonSpec {
  id: CommandId;
  label: string;
  keys: string;
  group: string;
  /** Why it can't be used now, or null. */
  reason: string | null;
}

/** The commands the nest's toolbar has a button for (the page's commands with a label). */
const NEST_BUTTONS: readonly Command[] = COMMANDS.filter((c) => c.scope === 'page' && c.label);

function ActionButton({ spec, onRun }: { spec: ButtonSpec; onRun(spec: ButtonSpec): void }) {
  const disabled = spec.reason !== null;
  const tipId = `nest-tip-${spec.id}`;
  return (
    <span className="nest-btn-wrap">
      <button
        type="button"
        className="nest-btn"
        data-testid={`nest-btn-${spec.id}`}
        aria-disabled={disabled || undefined}
        aria-describedby={disabled ? tipId : undefined}
        title={spec.reason ?? `${spec.label} (${spec.keys})`}
        onClick={() => onRun(spec)}
      >
        {spec.label} <kbd>{spec.keys}</kbd>
      </button>
      {disabled && (
        <span className="nest-tip" role="tooltip" id={tipId}>
          {spec.reason}
        </span>
      )}
    </span>
  );
}

/** Asks the split factor: digits, or ←/→ over the quick factors; Enter splits, Escape cancels. */
function SplitPrompt({ problem }: { problem: Problem }) {
  const current = useLooplab((s) => s.current);
  const { split, closeSplit } = useNestKeys();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const anchorRef = useRef<HTMLSpanElement>(null);
  const legality = useMemo(
    () =>
      QUICK_SPLIT_FACTORS.map((f) => {
        const r = applyAction(problem, current, `split_${f}`);
        return { factor: f, reason: r.ok ? null : r.reason };
      }),
    [problem, current],
  );
  const firstLegal = legality.find((l) => l.factor === 4 && !l.reason) ?? legality.find((l) => !l.reason);
  const [pick, setPick] = useState<number>(firstLegal?.factor ?? 2);
  const position = useAnchoredPosition(anchorRef, boxRef);
  // Focus once placed: a box still hidden (not yet measured) can't take focus.
  const placed = position !== null;
  useEffect(() => {
    if (placed) inputRef.current?.focus();
  }, [placed]);

  const loop = current.schedule.loops[current.cursor];
  const submit = () => {
    if (text.trim() === '') {
      split(pick);
      return;
    }
    const r = parseSplitFactor(text);
    if (!r.ok) setError(r.reason);
    else split(r.factor);
  };
  const onKeyDown = (e: ReactKeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      closeSplit();
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      const i = QUICK_SPLIT_FACTORS.indexOf(pick as (typeof QUICK_SPLIT_FACTORS)[number]);
      const forward = e.key === 'ArrowRight' || e.key === 'ArrowDown';
      const next = Math.max(0, Math.min(QUICK_SPLIT_FACTORS.length - 1, i + (forward ? 1 : -1)));
      setPick(QUICK_SPLIT_FACTORS[next]);
      setText('');
      setError(null);
    }
  };

  // In the page's top layer (a portal, fixed position), so that the nest's scroll box never clips it.
  const prompt = (
    <div
      ref={boxRef}
      className="split-prompt"
      style={position ?? { visibility: 'hidden' }}
      data-testid="split-prompt"
      data-keys="own"
      role="dialog"
      aria-label={`split ${loopText(loop)}`}
      onClick={(e) => e.stopPropagation()}
      onBlur={(e) => {
        if (!boxRef.current?.contains(e.relatedTarget as Node | null)) closeSplit();
      }}
    >
      <label className="split-label">
        split <code>{loopText(loop)}</code> by
        <input
          ref={inputRef}
          className="split-input"
          data-testid="split-input"
          inputMode="numeric"
          autoComplete="off"
          placeholder={String(pick)}
          size={4}
          value={text}
          onChange={(e) => {
            setText(e.target.value.replace(/[^\d]/g, ''));
            setError(null);
          }}
          onKeyDown={onKeyDown}
        />
      </label>
      <div className="split-quick" role="group" aria-label="quick factors">
        {legality.map(({ factor, reason }) => (
          <button
            key={factor}
            type="button"
            className={factor === pick && text === '' ? 'split-factor picked' : 'split-factor'}
            data-testid={`split-factor-${factor}`}
            aria-disabled={reason ? true : undefined}
            title={reason ?? `split by ${factor}`}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => split(factor)}
          >
            {factor}
          </button>
        ))}
      </div>
      <p className="split-hint">
        {error ? (
          <span className="split-error" data-testid="split-error">
            {error}
          </span>
        ) : (
          <>
            <kbd>Enter</kbd> splits · <kbd>←</kbd>/<kbd>→</kbd> pick · <kbd>Esc</kbd> cancels
          </>
        )}
      </p>
    </div>
  );
  return (
    <>
      <span ref={anchorRef} hidden />
      {createPortal(prompt, document.body)}
    </>
  );
}

/**
 * Fixed-position coordinates for `box` under (or above) the row holding `anchor`, indented like
 * the row's code, inside the viewport; kept up to date when the page scrolls or resizes.
 */
function useAnchoredPosition(
  anchor: RefObject<HTMLElement | null>,
  box: RefObject<HTMLElement | null>,
): { left: number; top: number } | null {
  const [position, setPosition] = useState<{ left: number; top: number } | null>(null);
  useLayoutEffect(() => {
    const place = () => {
      const row = anchor.current?.parentElement;
      const el = box.current;
      if (!row || !el) return;
      const rect = row.getBoundingClientRect();
      const indent = Number.parseFloat(getComputedStyle(row).paddingLeft) || 0;
      const next = placeBelowOrAbove(
        { left: rect.left, top: rect.top, width: rect.width, height: rect.height },
        indent,
        { width: el.offsetWidth, height: el.offsetHeight },
        { width: document.documentElement.clientWidth, height: window.innerHeight },
      );
      setPosition((p) => (p && p.left === next.left && p.top === next.top ? p : next));
    };
    place();
    window.addEventListener('scroll', place, true);
    window.addEventListener('resize', place);
    return () => {
      window.removeEventListener('scroll', place, true);
      window.removeEventListener('resize', place);
    };
  }, [anchor, box]);
  return position;
}

export function LoopNestPanel() {
  const store = useLooplabStore();
  const problem = useLooplab((s) => s.problem);
  const current = useLooplab((s) => s.current);
  const undoable = useLooplab(canUndo);
  const redoable = useLooplab(canRedo);
  const refusal = useLooplab((s) => s.refusal);
  const keys = useNestKeys();
  const { schedule, cursor } = current;

  const steps = useMemo(() => loopSteps(problem, schedule), [problem, schedule]);
  const extents = useMemo(() => loopExtents(problem, schedule), [problem, schedule]);

  // Flash the status line on every new refusal, even the same one twice.
  const [flash, setFlash] = useState(0);
  useEffect(() => {
    if (refusal || keys.note) setFlash((n) => n + 1);
  }, [refusal, keys.note]);

  const buttons = useMemo<ButtonSpec[]>(() => {
    const legal = new Map<string, string | null>(
      legalActions(problem, current, [
        'up',
        'down',
        'swap_up',
        'swap_down',
        'merge',
        'parallel',
        'split_2',
        'pack_in0',
        'pack_in1',
      ]).map((l) => [l.action, l.reason ?? null]),
    );
    const reason = (c: Command): string | null => {
      if (c.id === 'undo') return undoable ? null : 'nothing to undo: this is the start of the history';
      if (c.id === 'redo') return redoable ? null : 'nothing to redo: this is the latest step of the history';
      return legal.get(c.id === 'split' ? 'split_2' : (c.log ?? '')) ?? null;
    };
    // A teacher's link that hides an action takes its button away.
    return NEST_BUTTONS.filter((c) => keys.hiddenReason(c) === null).map((c) => ({
      id: c.id,
      // The pack buttons name the problem's inputs (`pack A`, `pack B`).
      label:
        c.id === 'pack_in0' || c.id === 'pack_in1'
          ? `pack ${problem.inputs[c.id === 'pack_in0' ? 0 : 1].name}`
          : (c.label ?? c.id),
      keys: buttonKeys(c),
      group: c.group,
      reason: reason(c),
    }));
  }, [problem, current, undoable, redoable, keys.hiddenReason]);

  const onRun = (spec: ButtonSpec) => {
    // A disabled action still runs: the store refuses it and the status line says why.
    keys.run(spec.id);
  };

  /** Clicking a loop moves the cursor there with ↑/↓ steps, so the history records it. */
  const moveTo = (target: number) => {
    const s = store.getState();
    const delta = target - s.current.cursor;
    const action: Action = delta < 0 ? 'up' : 'down';
    for (let i = 0; i < Math.abs(delta); i++) if (!s.act(action, 'person')) break;
  };

  const message = keys.note ?? refusal?.reason ?? null;
  const depthStyle = (depth: number) => ({ '--depth': depth }) as CSSProperties;

  return (
    <Panel title="Loop nest" testId="loop-nest-panel">
      <div className="nest-toolbar" role="toolbar" aria-label="schedule actions">
        {buttons.map((spec, i) => (
          <Fragment key={spec.id}>
            {i > 0 && buttons[i - 1].group !== spec.group && <span className="nest-sep" aria-hidden="true" />}
            <ActionButton spec={spec} onRun={onRun} />
          </Fragment>
        ))}
      </div>
      <ScheduleLine />
      <div
        className="loop-nest"
        data-testid="loop-nest"
        role="listbox"
        aria-label="loops, outermost first"
        aria-activedescendant={`nest-loop-${cursor}`}
      >
        {schedule.loops.map((loop, i) => {
          const color = variableColor(problem, loop.variable);
          const isCursor = i === cursor;
          return (
            <div
              key={i}
              id={`nest-loop-${i}`}
              role="option"
              aria-selected={isCursor}
              className={isCursor ? 'nest-line nest-loop nest-cursor' : 'nest-line nest-loop'}
              data-testid="nest-loop"
              data-loop={i}
              data-variable={loop.variable}
              data-cursor={isCursor ? 'true' : undefined}
              style={{
                ...depthStyle(i),
                ...(isCursor
                  ? ({ background: variableTint(problem, loop.variable, 0.16), '--var-color': color } as CSSProperties)
                  : {}),
              }}
              onClick={() => moveTo(i)}
              title={isCursor ? 'the cursor' : 'click to move the cursor here'}
            >
              <span className="nest-code">
                <span className="kw">for</span>{' '}
                <span className="var" style={{ color }}>
                  {loop.variable}
                </span>{' '}
                <span className="kw">in</span> 0..{extents[i]}
                {steps[i] > 1 && (
                  <>
                    {' '}
                    <span className="kw">step</span> {steps[i]}
                  </>
                )}
                :
                {loop.tail > 0 && (
                  <span
                    className="nest-tail"
                    title={`${extents[i]} is not a multiple of ${steps[i]}: after ${loop.trip} full steps, one last step covers the remaining ${loop.tail}`}
                  >
                    {'  '}# tail {loop.tail}
                  </span>
                )}
              </span>
              <span className="nest-meta" aria-hidden="true">
                {loopText(loop)}
              </span>
              {isCursor && keys.splitOpen && <SplitPrompt problem={problem} />}
            </div>
          );
        })}
        <div className="nest-line nest-body" style={depthStyle(schedule.loops.length)} data-testid="nest-body">
          <span className="nest-code">
            <VarText problem={problem} text={problem.op} />
          </span>
        </div>
      </div>
      <div className="nest-status-wrap" aria-live="polite">
        {message ? (
          <p key={flash} className="nest-status nest-refusal" data-testid="refusal">
            {message}
          </p>
        ) : (
          <KeyHint hiddenReason={keys.hiddenReason} />
        )}
      </div>
    </Panel>
  );
}

/**
 * The keys of the actions at hand, one hide group of the toolbar's commands each (a teacher's link
 * may take some away). Packing is left to its buttons and the `?` list: one line less under the
 * nest keeps the GFLOPS figure on a projector's first screen.
 */
function KeyHint({ hiddenReason }: { hiddenReason: (c: Command) => string | null }) {
  const shown = NEST_BUTTONS.filter((c) => hiddenReason(c) === null);
  const groups = HIDE_GROUPS.filter((g) => g !== 'pack' && shown.some((c) => c.hide === g));
  return (
    <p className="nest-status nest-hint" data-testid="key-hint">
      {groups.map((group) => (
        <span key={group}>
          {shown
            .filter((c) => c.hide === group)
            .map((c) => (
              <kbd key={c.id}>{buttonKeys(c)}</kbd>
            ))}{' '}
          {group === 'undo' ? 'undo/redo' : group} ·{' '}
        </span>
      ))}
      <kbd>?</kbd> all keys
    </p>
  );
}
