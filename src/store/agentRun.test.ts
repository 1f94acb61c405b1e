import { describe, expect, it } from 'vitest';
import { agentAnswerHidden } from './agentRun.ts';
import type { AgentRun, AgentStepView } from './types.ts';

const step = (index: number): AgentStepView =>
  ({ index, action: 'down', scheduleText: 'm n k', cursor: 1, gflops: 1, elapsedMs: 0 }) as unknown as AgentStepView;

const run = (status: AgentRun['status']): AgentRun => ({
  method: 'looptune',
  problemKey: 'P',
  startPosition: 0,
  steps: [step(0), step(1), step(2)],
  status,
  positions: [0, 1, 2, 3],
  entries: [],
  bestIndex: 0,
});

describe('agentAnswerHidden', () => {
  it('hides the steps ahead while the agent lesson waits for a prediction, and only then', () => {
    const player = (index: number) => ({ index, playing: false, speed: 1 });
    expect(agentAnswerHidden({ lessonId: 'agent', agentRun: run('done'), player: player(1) })).toBe(true);
    // Every step predicted (the player at the end): nothing left to hide.
    expect(agentAnswerHidden({ lessonId: 'agent', agentRun: run('done'), player: player(3) })).toBe(false);
    expect(agentAnswerHidden({ lessonId: 'loop-order', agentRun: run('done'), player: player(1) })).toBe(false);
    expect(agentAnswerHidden({ lessonId: null, agentRun: run('done'), player: player(1) })).toBe(false);
    expect(agentAnswerHidden({ lessonId: 'agent', agentRun: run('running'), player: player(1) })).toBe(false);
    expect(agentAnswerHidden({ lessonId: 'agent', agentRun: null, player: player(0) })).toBe(false);
  });
});
