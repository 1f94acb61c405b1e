// Lesson: watch the agent's rollout and predict its next action.
import { done, todo } from './checks.ts';
import type { Lesson } from './types.ts';

export const agent: Lesson = {
  id: 'agent',
  title: 'What the agent learned',
  summary: 'watch a rollout and predict its next action',
  // 128³ keeps a rollout (ten measured steps) short enough for a class.
  problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=128, n=128, k=128',
  startSchedule: 'm n k',
  text: [
    "This lesson watches LoopTune's agent (the agent panel switches to it): a small neural network trained with reinforcement learning (PPO; LoopTune used a DQN). It sees the nest as a table, one row per loop: the cursor, the trip, the tail and a histogram of the strides. Each step it picks one of seven actions: move the cursor up or down, swap the loop up or down, or split it by 4, 8 or 16.",
    'Run the agent from the start schedule: it plays a whole episode. Then step through the rollout. Before each step, predict what the agent does next; the lesson scores your guess against the action it chose. Once you have guessed, the agent panel shows the probability it gave each action; until then it shows nothing of the answer.',
    'Things to look for: does it bring n innermost first? How does it build a register tile? When does it stop?',
  ],
  // Driven by the lesson's buttons (run the agent, predict), not by the loop-nest keys.
  steps: [],
  tasks: [
    {
      id: 'run',
      text: 'Run the agent from the start schedule.',
      hints: ['Press "run the agent" in the lesson (or in the agent panel).'],
      check(facts) {
        if (!facts.agent)
          return { state: 'unavailable', detail: 'this page has no agent yet, so the rollout tasks cannot be checked' };
        const n = facts.agent.actions.length;
        return n > 0
          ? done(`a rollout of ${n} step${n === 1 ? '' : 's'} (${facts.agent.status})`)
          : todo(`no rollout yet (${facts.agent.status})`);
      },
    },
    {
      id: 'predict-5',
      text: "Predict 5 of the agent's actions before stepping.",
      hints: ['Pick an action under "what will it do next?"; the step is then shown.'],
      check(facts) {
        if (!facts.agent) return { state: 'unavailable', detail: 'this page has no agent yet' };
        const { made } = facts.predictions;
        return made >= 5 ? done(`${made} predictions`) : todo(`${made} of 5 predictions`);
      },
    },
    {
      id: 'right-3',
      text: 'Get 3 predictions right.',
      hints: ['From `m n k`, the agent tends to fix the innermost loop first; think of the loop-order lesson.'],
      check(facts) {
        if (!facts.agent) return { state: 'unavailable', detail: 'this page has no agent yet' };
        const { made, right } = facts.predictions;
        return right >= 3 ? done(`${right} of ${made} right`) : todo(`${right} of ${made} right`);
      },
    },
    {
      id: 'to-the-end',
      text: 'Step through the whole rollout.',
      hints: ['Keep predicting (or step with the player) until the last step.'],
      check(facts) {
        if (!facts.agent) return { state: 'unavailable', detail: 'this page has no agent yet' };
        const { index, actions } = facts.agent;
        if (actions.length === 0) return todo('no rollout yet');
        return index >= actions.length
          ? done(`all ${actions.length} steps seen`)
          : todo(`step ${index} of ${actions.length}`);
      },
    },
  ],
};
