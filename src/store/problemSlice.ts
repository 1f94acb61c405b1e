// The problem: DSL text as typed, the last valid problem, its canonical key, and inline errors.
// A new valid problem is a step of the history (chapters.ts): it starts from its default schedule,
// and undo returns to the problem before with its history. Invalid text keeps the old problem.
import { PRESETS } from '../core/problem.ts';
import { chapterState, leftChapter } from './chapters.ts';
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
    const s = get();
    // Typing on (5, 51, 512) before doing anything with the typed problem replaces it: one step.
    const replacing = s.problemTyped && s.log.length === 0 && s.earlier.length > 0;
    const earlier = replacing ? s.earlier : [...s.earlier, leftChapter(s)];
    const before = earlier[earlier.length - 1];
    if (replacing && before.problemKey === r.problemKey) {
      // Typed back to the problem before: no step is left, its history is back as it was.
      set({ ...chapterState(before), problemText: text, earlier: earlier.slice(0, -1), problemTyped: false });
      return;
    }
    set({
      problemText: text,
      problemError: null,
      problem: r.problem,
      problemKey: r.problemKey,
      presetId: r.presetId,
      ...freshHistory(r.problem),
      earlier,
      later: [],
      problemTyped: true,
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
    const s = get();
    set({
      problemText: preset.text,
      problemError: null,
      problem: r.problem,
      problemKey: r.problemKey,
      presetId: id,
      ...freshHistory(r.problem),
      earlier: [...s.earlier, leftChapter(s)],
      later: [],
      problemTyped: false,
    });
  },
});
