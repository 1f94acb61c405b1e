// The problem: DSL text as typed, the last valid problem, its canonical key, and inline errors.
// A new valid problem resets the history to its default schedule; invalid text keeps the old one.
import { PRESETS } from '../core/problem.ts';
import { freshHistory } from './historySlice.ts';
import type { SliceCreator } from './sliceCreator.ts';
import { resolveProblem } from './snapshot.ts';
import type { ProblemSlice } from './types.ts';
import { fixedProblemReason } from '../teach/teacherLink.ts';

export const createProblemSlice: SliceCreator<ProblemSlice> = (set, get, { initial }) => ({
  problemText: initial.problemText,
  problem: initial.problem,
  problemKey: initial.problemKey,
  problemError: null,
  presetId: initial.presetId,

  setProblemText(text) {
    const fixed = fixedProblemReason(get().teacher);
    if (fixed) {
      get().notify('error', fixed);
      return;
    }
    const r = resolveProblem(text);
    if (!r.ok) {
      set({ problemText: text, problemError: r.error });
      return;
    }
    // The same problem written differently (spaces, order of sizes) keeps its history.
    if (r.problemKey === get().problemKey) {
      set({ problemText: text, problemError: null, presetId: r.presetId });
      return;
    }
    set({
      problemText: text,
      problemError: null,
      problem: r.problem,
      problemKey: r.problemKey,
      presetId: r.presetId,
      ...freshHistory(r.problem),
    });
  },

  loadPreset(id) {
    const fixed = fixedProblemReason(get().teacher);
    if (fixed) {
      get().notify('error', fixed);
      return;
    }
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset) {
      get().notify('error', `there is no preset '${id}'; the presets are ${PRESETS.map((p) => p.id).join(', ')}`);
      return;
    }
    const r = resolveProblem(preset.text);
    if (!r.ok) {
      get().notify('error', `preset '${id}' has an error: ${r.error.message}`);
      return;
    }
    set({
      problemText: preset.text,
      problemError: null,
      problem: r.problem,
      problemKey: r.problemKey,
      presetId: id,
      ...freshHistory(r.problem),
    });
  },
});
