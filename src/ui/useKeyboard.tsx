// The page's keyboard, as in loop_tool: one global handler (keyboard.ts says which key does what)
// plus the little UI state the keys open: the split prompt, the `?` overlay, and a note for keys
// the store does not record as refusals (undo with nothing to undo). Typing in the problem editor
// or any text field never reaches it.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { applyAction, type Action } from '../core/actions.ts';
import { useLooplab, useLooplabStore } from '../store/context.tsx';
import { isTypingTarget, keyCommand, KEY_HELP, type KeyCommand } from './keyboard.ts';
import { hiddenActionReason } from '../store/lessons.ts';
import { canRedo, canUndo } from '../store/historySlice.ts';

export interface NestKeys {
  /** The split prompt is open (the loop-nest panel shows it at the cursor loop). */
  splitOpen: boolean;
  openSplit(): void;
  closeSplit(): void;
  /** Splits the cursor loop by `factor` (a refusal shows under the nest); closes the prompt. */
  split(factor: number): void;
  helpOpen: boolean;
  setHelpOpen(open: boolean): void;
  /** A refused key the store does not record (nothing to undo or redo), in words. */
  note: string | null;
  /** Runs a command as its key would (buttons use it so both paths behave the same). */
  run(command: KeyCommand): void;
}

const NestKeysContext = createContext<NestKeys | null>(null);

export function useNestKeys(): NestKeys {
  const keys = useContext(NestKeysContext);
  if (!keys) throw new Error('useNestKeys must be used inside <KeyboardProvider>');
  return keys;
}

/** Moves focus out of prompts back to the page, where the keys work. */
function releaseFocus(previous: Element | null) {
  if (previous instanceof HTMLElement && previous.isConnected && !isTypingTarget(previous)) previous.focus();
  else if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
}

export function KeyboardProvider({ children }: { children?: ReactNode }) {
  const store = useLooplabStore();
  const current = useLooplab((s) => s.current);
  const refusal = useLooplab((s) => s.refusal);
  const [splitOpen, setSplitOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const beforePrompt = useRef<Element | null>(null);

  // A new state or a new refusal replaces the note; a new problem closes the prompt.
  useEffect(() => setNote(null), [current, refusal]);
  const problemKey = useLooplab((s) => s.problemKey);
  useEffect(() => setSplitOpen(false), [problemKey]);

  const act = useCallback(
    (action: Action) => {
      setNote(null);
      store.getState().act(action, 'person');
    },
    [store],
  );

  const openSplit = useCallback(() => {
    const s = store.getState();
    // When no split is possible at all, say why at once instead of asking a factor.
    const r = applyAction(s.problem, s.current, 'split_2');
    // Refused (or hidden by a teacher's link): the store records the refusal with its reason.
    if (!r.ok || hiddenActionReason(s.teacher, 'split_2')) {
      s.act('split_2', 'person');
      return;
    }
    if (!s.panels.nest) s.togglePanel('nest');
    beforePrompt.current = document.activeElement;
    setSplitOpen(true);
  }, [store]);

  const closeSplit = useCallback(() => {
    setSplitOpen(false);
    releaseFocus(beforePrompt.current);
  }, []);

  const split = useCallback(
    (factor: number) => {
      act(`split_${factor}`);
      closeSplit();
    },
    [act, closeSplit],
  );

  const run = useCallback(
    (command: KeyCommand) => {
      const s = store.getState();
      switch (command.kind) {
        case 'act':
          act(command.action);
          return;
        case 'split-prompt':
          openSplit();
          return;
        case 'undo':
          if (hiddenActionReason(s.teacher, 'undo')) setNote(hiddenActionReason(s.teacher, 'undo'));
          else if (!canUndo(s)) setNote('nothing to undo: this is the start of the history');
          else {
            setNote(null);
            s.undo();
          }
          return;
        case 'redo':
          if (hiddenActionReason(s.teacher, 'redo')) setNote(hiddenActionReason(s.teacher, 'redo'));
          else if (!canRedo(s)) setNote('nothing to redo: this is the latest step of the history');
          else {
            setNote(null);
            s.redo();
          }
          return;
        case 'long-run':
          s.startLongRun();
          return;
        case 'help':
          setHelpOpen((open) => !open);
          return;
        case 'escape':
          setHelpOpen(false);
          setNote(null);
          return;
      }
    },
    [store, act, openSplit],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      if (isTypingTarget(e.target)) return;
      // The handout covers the playground: its keys would change what is not on screen.
      if (store.getState().handoutOpen) return;
      const command = keyCommand(e);
      if (!command) return;
      // The overlay is modal: only `?` and Escape close it.
      if (helpOpen && command.kind !== 'help' && command.kind !== 'escape') return;
      e.preventDefault();
      run(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run, helpOpen, store]);

  const value = useMemo<NestKeys>(
    () => ({ splitOpen, openSplit, closeSplit, split, helpOpen, setHelpOpen, note, run }),
    [splitOpen, openSplit, closeSplit, split, helpOpen, note, run],
  );

  return (
    <NestKeysContext.Provider value={value}>
      {children}
      {helpOpen && <KeysOverlay onClose={() => setHelpOpen(false)} />}
    </NestKeysContext.Provider>
  );
}

/** The `?` overlay: every key and what it does. */
function KeysOverlay({ onClose }: { onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const teacher = useLooplab((s) => s.teacher);
  useEffect(() => {
    const previous = document.activeElement;
    closeRef.current?.focus();
    return () => releaseFocus(previous);
  }, []);
  const groups = [...new Set(KEY_HELP.map((row) => row.group))];
  return (
    <div className="keys-backdrop" onClick={onClose}>
      <div
        className="keys-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="keys-title"
        data-testid="keys-help"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="keys-head">
          <h2 id="keys-title">Keys</h2>
          <button type="button" ref={closeRef} className="keys-close" onClick={onClose} data-testid="keys-close">
            close <kbd>Esc</kbd>
          </button>
        </div>
        <table className="keys-table">
          {groups.map((group) => (
            <tbody key={group}>
              <tr className="keys-group">
                <th colSpan={2}>{group}</th>
              </tr>
              {KEY_HELP.filter((row) => row.group === group).map((row) => (
                <tr key={row.keys.join()}>
                  <td className="keys-keys">
                    {row.keys.map((k, i) => (
                      <span key={k}>
                        {i > 0 && <span className="keys-or"> or </span>}
                        <kbd>{k}</kbd>
                      </span>
                    ))}
                  </td>
                  <td>
                    {row.what}
                    {row.action && hiddenActionReason(teacher, row.action) && (
                      <em className="keys-hidden" data-testid="keys-hidden">
                        {' '}
                        ({hiddenActionReason(teacher, row.action)})
                      </em>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
        <p className="keys-foot">
          Keys act on the loop nest whenever the focus is not in a text field. Every key also has a button.
        </p>
      </div>
    </div>
  );
}
