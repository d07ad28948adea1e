import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTravelPlannerPrompt } from '../envs/travelplanner/react-prompt.js';
import { loadTraces } from '../traces/format.js';
import { TraceBook } from './replay-answers.js';
import { notebookText } from '../envs/travelplanner/notebook.js';
import { renderPlannerPrompt } from '../envs/travelplanner/planner-prompt.js';
import type { Trace } from '../traces/schema.js';
import {
  answerPlannerPrompt,
  answerTravelPlannerPrompt,
  isPlannerPrompt,
  isTravelPlannerPrompt,
  placeholderPlan,
  placeholderPlannerLatencyMs,
} from './travelplanner-answers.js';

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

describe('TravelPlanner planner prompts in the replay server', () => {
  const notebook = notebookText([{ description: 'Flights', content: 'none' }]);
  const planText = 'Day 1:\nCurrent City: from Oakland to Tucson\nTransportation: -';
  const last = steps.length - 1;
  const planned: Trace = {
    ...trace!,
    id: 'recorded-run',
    steps: steps.map((step, index) =>
      index === last
        ? {
            ...step,
            target: {
              ...step.target,
              action: 'Planner[a 3-day trip, in my own words]',
              tool: { effect: 'irreversible', latencyMs: 1234, observation: planText, model: 'openai:gpt-4.1', inputTokens: 5000, outputTokens: 321 },
            },
          }
        : step,
    ),
  };

  it('answers the plan a recorded Planner step wrote, with its latency and tokens, found by its argument or its task', () => {
    const recorded = new TraceBook([planned]);
    const byArgument = answerPlannerPrompt(recorded, renderPlannerPrompt({ query: 'a 3-day trip, in my own words', notebook }));
    expect(byArgument).toMatchObject({ traceId: 'recorded-run', step: steps.length, onTrace: true, text: planText, latencyMs: 1234, usage: { inputTokens: 5000, outputTokens: 321 } });
    const byTask = answerPlannerPrompt(recorded, renderPlannerPrompt({ query: trace!.task, notebook }));
    expect(byTask.text).toBe(planText);
  });

  it('answers a query with no recorded plan with the stated placeholder, its fixed latency and tokens of characters ÷ 4', () => {
    const prompt = renderPlannerPrompt({ query: trace!.task, notebook });
    expect(isPlannerPrompt(prompt)).toBe(true);
    expect(isTravelPlannerPrompt(prompt)).toBe(false);
    const answer = answerPlannerPrompt(book, prompt);
    expect(answer).toMatchObject({
      traceId: trace!.id,
      onTrace: true,
      text: placeholderPlan,
      latencyMs: placeholderPlannerLatencyMs,
      usage: { inputTokens: Math.ceil(prompt.length / 4), outputTokens: Math.ceil(placeholderPlan.length / 4) },
    });
    // A query no trace knows still gets the placeholder: the replayed run must reach its end.
    expect(answerPlannerPrompt(book, renderPlannerPrompt({ query: 'Another query', notebook }))).toMatchObject({ onTrace: false, text: placeholderPlan });
  });
});
