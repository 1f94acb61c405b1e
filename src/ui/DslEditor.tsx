// The problem DSL editor (CodeMirror 6): variables in their colours, the core's error as a lint
// diagnostic at its line and column. The text is applied after a pause in typing, on Ctrl+Enter
// and when the editor loses focus; Escape leaves the editor (so the loop-nest keys work again).
import { useEffect, useRef } from 'react';
import { minimalSetup } from 'codemirror';
import { Annotation, Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import {
  Decoration,
  EditorView,
  keymap,
  lineNumbers,
  MatchDecorator,
  ViewPlugin,
  type DecorationSet,
  type ViewUpdate,
} from '@codemirror/view';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import type { Problem } from '../core/types.ts';
import { variableColor } from './colors.ts';
import { diagnosticAt } from './dslDiagnostic.ts';

/** Marks transactions that bring the store's text in (they are not the person's typing). */
const fromOutside = Annotation.define<boolean>();

/**
 * How long typing must pause before the text is applied, in ms: longer than a person takes
 * between the keys of a size, so that `5`, `51` of `512` are never applied (and measured) alone.
 */
export const APPLY_AFTER_MS = 1500;

export interface DslEditorProps {
  /** The store's problem text (an outside change, e.g. a preset, replaces the editor's text). */
  text: string;
  /** The store's error of `text`, placed at 1-based line and column. */
  error: { message: string; line: number; col: number } | null;
  /** The last valid problem: its variables are coloured. */
  problem: Problem;
  /** Applies the text (the store parses it). */
  onApply(text: string): void;
  /** Whether the editor holds text not applied yet. */
  onPendingChange?(pending: boolean): void;
}

/** Colours every variable of the problem where it appears (not tensor names). */
function variableColors(problem: Problem): Extension {
  const marks = new Map(
    problem.variables.map((v) => [
      v,
      Decoration.mark({ attributes: { style: `color: ${variableColor(problem, v)}; font-weight: 600` } }),
    ]),
  );
  const decorator = new MatchDecorator({
    regexp: /[A-Za-z_][A-Za-z0-9_]*/g,
    decoration: (match, view, pos) => {
      const mark = marks.get(match[0]);
      if (!mark) return null;
      const after = view.state.doc.sliceString(pos + match[0].length, pos + match[0].length + 8).trimStart();
      return after.startsWith('[') ? null : mark;
    },
  });
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      constructor(view: EditorView) {
        this.decorations = decorator.createDeco(view);
      }
      update(update: ViewUpdate) {
        this.decorations = decorator.updateDeco(update, this.decorations);
      }
    },
    { decorations: (v) => v.decorations },
  );
}

export function DslEditor({ text, error, problem, onApply, onPendingChange }: DslEditorProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const colors = useRef(new Compartment());
  // Callbacks and the last applied text, read by the editor's listeners.
  const latest = useRef({ text, onApply, onPendingChange });
  latest.current = { text, onApply, onPendingChange };
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const apply = (view: EditorView) => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      const doc = view.state.doc.toString();
      if (doc !== latest.current.text) latest.current.onApply(doc);
      latest.current.onPendingChange?.(false);
    };
    const view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: latest.current.text,
        extensions: [
          minimalSetup,
          lineNumbers(),
          lintGutter(),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({
            'aria-label': 'problem text: the statement on line 1, the sizes after it',
            'data-testid': 'dsl-input',
          }),
          colors.current.of(variableColors(problem)),
          // Above minimalSetup's default keymap, whose Mod-Enter inserts a blank line.
          Prec.highest(
            keymap.of([
              ...['Ctrl-Enter', 'Mod-Enter'].map((key) => ({
                key,
                run: (v: EditorView) => {
                  apply(v);
                  return true;
                },
              })),
              {
                key: 'Escape',
                run: (v) => {
                  apply(v);
                  v.contentDOM.blur();
                  return true;
                },
              },
            ]),
          ),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            if (update.transactions.some((tr) => tr.annotation(fromOutside))) return;
            latest.current.onPendingChange?.(true);
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => apply(update.view), APPLY_AFTER_MS);
          }),
          EditorView.domEventHandlers({
            blur: (_event, v) => {
              if (timer.current || v.state.doc.toString() !== latest.current.text) apply(v);
              return false;
            },
          }),
        ],
      }),
    });
    viewRef.current = view;
    return () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      view.destroy();
      viewRef.current = null;
    };
    // The editor is made once; later props reach it through the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // An outside change of the text (preset, link, session, import) replaces the editor's text,
  // unless the person is typing something newer.
  useEffect(() => {
    const view = viewRef.current;
    if (!view || timer.current) return;
    const doc = view.state.doc.toString();
    if (doc === text) return;
    view.dispatch({ changes: { from: 0, to: doc.length, insert: text }, annotations: fromOutside.of(true) });
  }, [text]);

  useEffect(() => {
    viewRef.current?.dispatch({ effects: colors.current.reconfigure(variableColors(problem)) });
  }, [problem]);

  // The error of the applied text, at its place (only while the editor shows that text).
  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    const showing = view.state.doc.toString() === text;
    const diagnostics = error && showing ? [diagnosticAt(view.state.doc, error)] : [];
    view.dispatch(setDiagnostics(view.state, diagnostics));
  }, [error, text]);

  return <div className="dsl-editor" ref={hostRef} data-testid="dsl-editor" />;
}
