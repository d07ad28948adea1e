import { describe, expect, it } from 'vitest';
import type { AgentCallOptions, AgentContext } from '../../core/types.js';
import { isUnparsedAction } from '../../agents/action-space.js';
import { NoActionError } from '../../agents/errors.js';
import type { ModelRequest } from '../../agents/strategies.js';
import { createTravelPlannerEnvironment } from './environment.js';
import { createTravelPlannerAgent, travelPlannerStrategyByName } from './react-agent.js';
import {
  isTravelPlannerPrompt,
  maskedObservation,
  parseTravelPlannerPrompt,
  parseTravelPlannerReply,
  renderTravelPlannerPrompt,
  travelPlannerReactInstruction,
  travelPlannerScratchpad,
  type TravelPlannerCallKind,
  type TravelPlannerPromptStep,
} from './react-prompt.js';
import { isRejectedSearch } from './tools.js';

const query = 'Please plan a 3-day trip from Denver to Appleton from March 4th to March 6th, 2022, with a budget of $1,800.';
const environment = createTravelPlannerEnvironment();

/** The steps of a trajectory with the observations the environment gives them. */
async function executed(actions: readonly string[]): Promise<TravelPlannerPromptStep[]> {
  const state = new Map<string, unknown>();
  const steps: TravelPlannerPromptStep[] = [];
  for (const action of actions) {
    const observation = await environment.execute(action, { signal: new AbortController().signal, state, prefix: steps.map((step) => step.action) });
    steps.push({ action, observation });
  }
  return steps;
}

describe("the benchmark's zero-shot ReAct prompt", () => {
  it('is the instruction with the eight tools, the query, the steps so far and the call', () => {
    const prompt = renderTravelPlannerPrompt({ query, trajectory: [], kind: 'react-thought' });
    expect(prompt.startsWith("Collect information for a query plan using interleaving 'Thought', 'Action', and 'Observation' steps.")).toBe(true);
    expect(prompt).toContain('(2) GoogleDistanceMatrix[Origin, Destination, Mode]:\n');
    expect(prompt).toContain('(8) Planner[Query]\n');
    expect(prompt.endsWith(`Do not add any description in the action.\n\nQuery: ${query}\nThought 1:`)).toBe(true);
    const steps = [{ action: 'CitySearch[Texas]', observation: "['Austin']" }];
    expect(renderTravelPlannerPrompt({ query, trajectory: steps, kind: 'react-action', thought: 'I need\nflights.' })).toBe(
      `${travelPlannerReactInstruction}${query}\nAction 1: CitySearch[Texas]\nObservation 1: ['Austin']\nThought 2: I need flights.\nAction 2:`,
    );
    expect(renderTravelPlannerPrompt({ query, trajectory: steps, kind: 'direct' }).endsWith("Observation 1: ['Austin']\nAction 2:")).toBe(true);
  });

  it('masks the previous data before each search that runs, as the benchmark agent does, keeping the latest', async () => {
    const steps = await executed([
      'AccommodationSearch[Appleton]',
      'NotebookWrite[Accommodations in Appleton]',
      'RestaurantSearch[Atlantis]',
      'RestaurantSearch[Appleton]',
    ]);
    const scratchpad = travelPlannerScratchpad(steps);
    // NotebookWrite masked the accommodation table; the rejected search did not mask the (already masked) data;
    // the last search's table is shown in full.
    expect(scratchpad).toContain(`\nObservation 1: ${maskedObservation}\nAction 2:`);
    expect(scratchpad).toContain(`\nObservation 3: ${String(steps[2]!.observation)}\nAction 4:`);
    expect(scratchpad.endsWith(`\nObservation 4: ${String(steps[3]!.observation)}`)).toBe(true);
    expect(scratchpad).not.toContain(String(steps[0]!.observation));
    // A search rejected by its argument check leaves the current data, and the prompt, as they were.
    const rejected = travelPlannerScratchpad(await executed(['AttractionSearch[Appleton]', 'FlightSearch[Denver, Appleton, 4 March]']));
    expect(rejected).not.toContain(maskedObservation);
  });

  it("tells a rejected search from one that ran exactly as the environment's own notebook does", async () => {
    const observations = await executed([
      'FlightSearch[Denver, Appleton, March 4]',
      'FlightSearch[Denver, Atlantis, 2022-03-04]',
      'FlightSearch[Denver]',
      'GoogleDistanceMatrix[Denver]',
      'AccommodationSearch[Atlantis]',
      'FlightSearch[Denver, Appleton, 2022-03-04]',
      'GoogleDistanceMatrix[Denver, Appleton, taxi]',
      'AttractionSearch[Appleton]',
    ]);
    expect(observations.map((step) => isRejectedSearch(String(step.observation)))).toEqual([true, true, true, true, true, false, false, false]);
  });

  it('reads back what it wrote: the kind of call, the query, the actions so far', async () => {
    const steps = await executed(['FlightSearch[Denver, Appleton, 2022-03-04]', 'NotebookWrite[Flights]', 'AttractionSearch[Appleton]']);
    for (const kind of ['react-thought', 'react-action', 'direct'] as TravelPlannerCallKind[]) {
      for (const length of [0, 1, 3]) {
        const prompt = renderTravelPlannerPrompt({ query, trajectory: steps.slice(0, length), kind, thought: 'Look for flights first.' });
        expect(isTravelPlannerPrompt(prompt)).toBe(true);
        const parsed = parseTravelPlannerPrompt(prompt);
        expect(parsed).toMatchObject({ kind, query, step: length + 1, prefix: steps.slice(0, length).map((step) => step.action) });
        expect(parsed.observations).toHaveLength(length);
      }
    }
  });

  it('refuses a prompt it cannot read, saying what is wrong', () => {
    expect(() => parseTravelPlannerPrompt('Call: direct\nTask: x')).toThrow('does not start with the TravelPlanner instruction');
    expect(() => parseTravelPlannerPrompt(`${travelPlannerReactInstruction}${query}`)).toThrow('does not end with "Thought N:" or "Action N:"');
    expect(() => parseTravelPlannerPrompt(`${travelPlannerReactInstruction}${query}\nThought 3:`)).toThrow('has no "Action 1:"');
    expect(() => parseTravelPlannerPrompt(`${travelPlannerReactInstruction}\nThought 1:`)).toThrow('the query is empty');
  });

  it("reads a reply's action from its first line, and only an empty reply has none", () => {
    expect(parseTravelPlannerReply('FlightSearch[Denver, Appleton, 2022-03-04]')).toEqual({
      ok: true,
      action: 'FlightSearch[Denver, Appleton, 2022-03-04]',
      span: { start: 0, end: 42 },
    });
    expect(parseTravelPlannerReply('\n Action 3: CitySearch[Texas] \nObservation 3: …')).toEqual({ ok: true, action: 'CitySearch[Texas]', span: { start: 12, end: 29 } });
    // Not a tool call, but an action all the same: the environment answers "Invalid Action", as in the benchmark.
    expect(parseTravelPlannerReply('Search flights')).toEqual({ ok: true, action: 'Search flights', span: { start: 0, end: 14 } });
    expect(parseTravelPlannerReply('Action 2:\nCitySearch[Ohio]')).toEqual({ ok: false, reason: 'the reply has no action' });
    expect(parseTravelPlannerReply(' \n ')).toEqual({ ok: false, reason: 'the reply has no action' });
  });
});

describe('the TravelPlanner agents', () => {
  const context: AgentContext = {
    task: { id: 'val-14', text: query },
    prefix: ['CitySearch[Wisconsin]'],
    trajectory: [{ action: 'CitySearch[Wisconsin]', observation: "['Appleton']" }],
    step: 2,
    speculative: false,
  };
  const callOptions = (): AgentCallOptions => ({ signal: new AbortController().signal, reportPartialUsage: () => undefined });
  const scripted = (replies: string[], requests: ModelRequest[]) => (request: ModelRequest) => {
    requests.push(request);
    return Promise.resolve({ text: replies.shift()!, usage: { inputTokens: 10, outputTokens: 2 } });
  };

  it('react: a thought call, then an action call that shows the thought; the usage of both', async () => {
    const requests: ModelRequest[] = [];
    const agent = createTravelPlannerAgent({ strategy: 'react', callModel: scripted(['I should find flights.', 'FlightSearch[Denver, Appleton, 2022-03-04]'], requests) });
    const result = await agent(context, callOptions());
    expect(result).toEqual({ action: 'FlightSearch[Denver, Appleton, 2022-03-04]', usage: { inputTokens: 20, outputTokens: 4 } });
    expect(requests.map((request) => request.kind)).toEqual(['react-thought', 'react-action']);
    expect(requests[0]!.prompt.endsWith("Observation 1: ['Appleton']\nThought 2:")).toBe(true);
    expect(requests[1]!.prompt.endsWith("Observation 1: ['Appleton']\nThought 2: I should find flights.\nAction 2:")).toBe(true);
    expect(requests.every((request) => request.system === '')).toBe(true);
  });

  it('direct: one call; an empty reply is a mismatch for A and an error for T', async () => {
    const requests: ModelRequest[] = [];
    const approx = createTravelPlannerAgent({ strategy: 'direct', callModel: scripted(['', ''], requests), onUnparsable: 'mismatch' });
    const guess = await approx(context, callOptions());
    expect(isUnparsedAction(guess.action)).toBe(true);
    expect(requests[0]!.prompt.endsWith("Observation 1: ['Appleton']\nAction 2:")).toBe(true);
    const target = createTravelPlannerAgent({ strategy: 'direct', callModel: scripted(['  '], requests) });
    await expect(target(context, callOptions())).rejects.toBeInstanceOf(NoActionError);
    expect(() => travelPlannerStrategyByName('debate', '--target-strategy')).toThrow('--target-strategy: "debate" is not a TravelPlanner strategy; valid: direct, react');
  });
});
