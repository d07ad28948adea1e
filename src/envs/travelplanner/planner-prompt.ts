/**
 * The TravelPlanner planner prompt (Xie et al., ICML 2024; the benchmark's `PLANNER_INSTRUCTION`, published under MIT
 * in its repository's `agents/prompts.py`, sent by its `Planner` tool in `tools/planner/apis.py`): the instruction
 * with its worked example, then the notebook as the benchmark hands it over (Python's `str` of its entries), the
 * query, and `Travel Plan:`. One prompt is one user message, no system message, as the benchmark sends it:
 *
 * ```text
 * You are a proficient planner. Based on the provided information and query, please give me a detailed plan, …
 * ***** Example *****
 * …
 * ***** Example Ends *****
 *
 * Given information: [{'index': 0, 'Short Description': 'Flights from Oakland to Tucson', 'Content': …}]
 * Query: Please draw up a 3-day travel itinerary for one person, beginning in Oakland and heading to Tucson …
 * Travel Plan:
 * ```
 *
 * The model's whole reply is the plan. The benchmark's planner also refuses a prompt over 12,000 tokens (it answers
 * "Max Token Length Exceeded." without calling the model); ours sends it: the provider's own limit applies.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { ModelCaller, RequestKind } from '../../agents/strategies.js';
import type { PlannerModel } from './environment.js';

/** The benchmark's planner instruction up to the notebook (its example included, as published). */
export const travelPlannerPlannerInstruction = `You are a proficient planner. Based on the provided information and query, please give me a detailed plan, including specifics such as flight numbers (e.g., F0123456), restaurant names, and accommodation names. Note that all the information in your plan should be derived from the provided data. You must adhere to the format given in the example. Additionally, all details should align with commonsense. The symbol '-' indicates that information is unnecessary. For example, in the provided sample, you do not need to plan after returning to the departure city. When you travel to two cities in one day, you should note it in the 'Current City' section as in the example (i.e., from A to B).

***** Example *****
Query: Could you create a challenging travel plan for 7 people from Roanoke to Illinois spanning a week, from March 8th to March 14th, 2022, with a budget of $30,200? The preference is for an entire room, and we would not be taking any flights. In terms of cuisine, we are interested in sampling some Italian and Chinese food.
Travel Plan:
Day 1:
Current City: from Ithaca to Charlotte
Transportation: Flight Number: F3633413, from Ithaca to Charlotte, Departure Time: 05:38, Arrival Time: 07:46
Breakfast: Nagaland's Kitchen, Charlotte
Attraction: The Charlotte Museum of History, Charlotte
Lunch: Cafe Maple Street, Charlotte
Dinner: Bombay Vada Pav, Charlotte
Accommodation: Affordable Spacious Refurbished Room in Bushwick!, Charlotte

Day 2:
Current City: Charlotte
Transportation: -
Breakfast: Olive Tree Cafe, Charlotte
Attraction: The Mint Museum, Charlotte;Romare Bearden Park, Charlotte.
Lunch: Birbal Ji Dhaba, Charlotte
Dinner: Pind Balluchi, Charlotte
Accommodation: Affordable Spacious Refurbished Room in Bushwick!, Charlotte

Day 3:
Current City: Charlotte
Transportation: Flight Number: F3786167, from Charlotte to Ithaca, Departure Time: 21:42, Arrival Time: 23:26
Breakfast: Subway, Charlotte
Attraction: Books Monument, Charlotte.
Lunch: Olive Tree Cafe, Charlotte
Dinner: Kylin Skybar, Charlotte
Accommodation: -

***** Example Ends *****

Given information: `;

/** What a planner prompt is made of. */
export interface PlannerPromptInput {
  /** The Planner action's argument: the query as the agent passed it. */
  query: string;
  /** The notebook as text (`notebookText`). */
  notebook: string;
}

/** The request kind of a planner call (in the ledger's telemetry, the limiter's token estimates and `dsp serve`'s counters). */
export const plannerCallKind = 'planner' satisfies RequestKind;

/** The whole prompt of the planner call. */
export function renderPlannerPrompt(input: PlannerPromptInput): string {
  return `${travelPlannerPlannerInstruction}${oneLine(input.notebook)}\nQuery: ${oneLine(input.query)}\nTravel Plan:`;
}

/** True when `text` is a TravelPlanner planner prompt (it starts with the benchmark's planner instruction). */
export function isPlannerPrompt(text: string): boolean {
  return text.startsWith(travelPlannerPlannerInstruction);
}

/**
 * Reads a prompt written by `renderPlannerPrompt`. Throws `InvalidInputError` saying what is missing. The notebook is
 * one line (Python's `str` escapes line breaks), so the query starts at the first line break.
 */
export function parsePlannerPrompt(text: string, source = 'prompt'): PlannerPromptInput {
  const fail = (message: string): never => {
    throw new InvalidInputError(`${message} (expected the TravelPlanner planner prompt: the instruction, the notebook, "Query: …", then "Travel Plan:")`, {
      source,
    });
  };
  if (!isPlannerPrompt(text)) fail('the prompt does not start with the TravelPlanner planner instruction');
  const body = text.slice(travelPlannerPlannerInstruction.length);
  const queryStart = body.indexOf('\nQuery: ');
  if (queryStart < 0) return fail('the prompt has no "Query:" line');
  if (!body.endsWith('\nTravel Plan:')) fail('the prompt does not end with "Travel Plan:"');
  const query = body.slice(queryStart + '\nQuery: '.length, body.length - '\nTravel Plan:'.length);
  if (query.trim() === '') fail('the query is empty');
  return { notebook: body.slice(0, queryStart), query };
}

/**
 * A planner model over any `ModelCaller` (a live run's, the AI SDK adapter's, a test's): one call with the planner
 * prompt; the reply, trimmed, is the plan. `onUsage` is told the call's usage and model.
 */
export function createPlannerModel(callModel: ModelCaller): PlannerModel {
  return async ({ query, notebook, signal, reportModelUsage }) => {
    let partial: Parameters<Parameters<ModelCaller>[1]['onPartialUsage']>[0] | undefined;
    const reply = await callModel(
      { kind: plannerCallKind, system: '', prompt: renderPlannerPrompt({ query, notebook }) },
      { signal, onPartialUsage: (usage) => (partial = usage) },
    ).catch((error: unknown) => {
      // What the failed request consumed, as far as it is known: the ledger bills it.
      if (partial !== undefined) reportModelUsage?.({ usage: { ...partial, estimated: true }, failed: true });
      throw error;
    });
    reportModelUsage?.({ usage: reply.usage, ...(reply.model === undefined ? {} : { model: reply.model }) });
    return reply.text.trim();
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
