import { describe, expect, it } from 'vitest';
import type { ModelRequest } from '../../agents/strategies.js';
import { notebookText } from './notebook.js';
import { createPlannerModel, isPlannerPrompt, parsePlannerPrompt, renderPlannerPrompt, travelPlannerPlannerInstruction } from './planner-prompt.js';

const notebook = notebookText([
  { description: 'Flights from Oakland to Tucson', content: 'There is no flight from Oakland to Tucson on 2022-03-15.' },
  { description: 'Accommodations in Tucson', content: 'NAME  price\nCozy room  120.0' },
]);
const query = 'Please draw up a 3-day travel itinerary for one person, beginning in Oakland and heading to Tucson.';

describe('the TravelPlanner planner prompt', () => {
  it("is the benchmark's instruction, the notebook, the query and 'Travel Plan:', and reads back", () => {
    const prompt = renderPlannerPrompt({ query, notebook });
    expect(prompt.startsWith('You are a proficient planner. Based on the provided information and query')).toBe(true);
    expect(travelPlannerPlannerInstruction.endsWith('***** Example Ends *****\n\nGiven information: ')).toBe(true);
    expect(prompt.endsWith(`Given information: ${notebook}\nQuery: ${query}\nTravel Plan:`)).toBe(true);
    // Python's str of the notebook escapes line breaks: it is one line.
    expect(notebook).not.toContain('\n');
    expect(isPlannerPrompt(prompt)).toBe(true);
    expect(parsePlannerPrompt(prompt)).toEqual({ query, notebook });
  });

  it('refuses a prompt that is not one, saying what is missing', () => {
    expect(() => parsePlannerPrompt('Travel Plan:')).toThrow('does not start with the TravelPlanner planner instruction');
    expect(() => parsePlannerPrompt(`${travelPlannerPlannerInstruction}[]\nQuery: x`)).toThrow('does not end with "Travel Plan:"');
  });

  it('makes one planner call and returns the reply, reporting its usage', async () => {
    const requests: ModelRequest[] = [];
    const reports: unknown[] = [];
    const planner = createPlannerModel((request) => {
      requests.push(request);
      return Promise.resolve({ text: '\nDay 1:\nCurrent City: from Oakland to Tucson\n', usage: { inputTokens: 900, outputTokens: 40 }, model: 'served' });
    });
    const plan = await planner({ query, notebook, signal: new AbortController().signal, reportModelUsage: (report) => reports.push(report) });
    expect(plan).toBe('Day 1:\nCurrent City: from Oakland to Tucson');
    expect(requests).toEqual([{ kind: 'planner', system: '', prompt: renderPlannerPrompt({ query, notebook }) }]);
    expect(reports).toEqual([{ usage: { inputTokens: 900, outputTokens: 40 }, model: 'served' }]);
  });
});
