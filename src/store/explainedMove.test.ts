import { describe, expect, it } from 'vitest';
import { createLooplabStore } from './createStore.ts';
import { explainedMove } from './explainedMove.ts';

describe('explainedMove', () => {
  it('explains the last move that changed the schedule, else the last change that led here', () => {
    const s = createLooplabStore();
    expect(explainedMove(s.getState())).toEqual({ from: null, to: 0 });
    s.getState().act('split_8');
    expect(explainedMove(s.getState())).toEqual({ from: 0, to: 1 });
    // A cursor move keeps the explanation of the split.
    s.getState().act('down');
    expect(explainedMove(s.getState())).toEqual({ from: 0, to: 1 });
    // Undo to the start: the move from the split back.
    s.getState().undo();
    expect(explainedMove(s.getState())).toEqual({ from: 2, to: 0 });
  });
});
