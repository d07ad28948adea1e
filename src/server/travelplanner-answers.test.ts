import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTravelPlannerPrompt } from '../envs/travelplanner/react-prompt.js';
import { loadTraces } from '../traces/format.js';
import { TraceBook } from './replay-answers.js';
import { answerTravelPlannerPrompt, isTravelPlannerPrompt } from './travelplanner-answers.js';

const [trace] = loadTraces(join(import.meta.dirname, '..', '..', 'data', 'examples', 'travelplanner-mini.jsonl'));
const book = new TraceBook([trace!]);
const steps = trace!.steps;
const prompt = (kind: 'react-thought' | 'react-action' | 'direct', actions: readonly string[]): string =>
  renderTravelPlannerPrompt({ query: trace!.task, trajectory: actions.map((action) => ({ action, observation: 'seen' })), kind, thought: 'Next.' });

describe('TravelPlanner prompts in the replay server', () => {
  it("answers the role's recorded step on the trace: a thought, then the action alone, each half of T's record", () => {
    const onTrace = steps.slice(0, 2).map((step) => step.target.action as string);
    const thought = answerTravelPlannerPrompt(book, 'target', prompt('react-thought', onTrace));
    const action = answerTravelPlannerPrompt(book, 'target', prompt('react-action', onTrace));
    expect(thought.kind).toBe('react-thought');
    expect(thought.answer.text).not.toContain('\n');
    expect(action.answer).toMatchObject({ onTrace: true, step: 3, text: steps[2]!.target.action, latencyMs: steps[2]!.target.latencyMs / 2 });
    expect(thought.answer.usage.inputTokens + action.answer.usage.inputTokens).toBe(steps[2]!.target.inputTokens);
    const guess = answerTravelPlannerPrompt(book, 'approx', prompt('direct', onTrace));
    expect(guess.answer).toMatchObject({ onTrace: true, text: steps[2]!.approx!.action, latencyMs: steps[2]!.approx!.latencyMs });
  });

  it("answers a speculative prefix with the same step's record, and says it is off the trace", () => {
    const wrong = [steps[0]!.target.action as string, 'NotebookWrite[a guess T did not make]'];
    const answer = answerTravelPlannerPrompt(book, 'target', prompt('react-action', wrong)).answer;
    expect(answer).toMatchObject({ onTrace: false, step: 3, text: steps[2]!.target.action });
  });

  it('is told apart from our own prompt format', () => {
    expect(isTravelPlannerPrompt(prompt('direct', []))).toBe(true);
    expect(isTravelPlannerPrompt('Call: direct\nTask: x\nPlan so far: (empty)\nStep: 1')).toBe(false);
    expect(() => answerTravelPlannerPrompt(book, 'target', prompt('direct', []).replace(trace!.task, 'Another query'))).toThrow('no trace for the task');
  });
});
