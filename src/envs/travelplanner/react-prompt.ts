/**
 * The TravelPlanner zero-shot ReAct prompt (Xie et al., ICML 2024; the benchmark's `ZEROSHOT_REACT_INSTRUCTION`,
 * published under MIT in its repository's `agents/prompts.py`), written from an engine trajectory, and read back by
 * the replay server. One prompt is one user message and nothing else, as the benchmark sends it:
 *
 * ```text
 * Collect information for a query plan using interleaving 'Thought', 'Action', and 'Observation' steps. …
 * (the eight tool descriptions)
 *
 * Query: Please draw up a 3-day travel itinerary for one person, beginning in Oakland and heading to Tucson …
 * Action 1: FlightSearch[Oakland, Tucson, 2022-03-15]
 * Observation 1: There is no flight from Oakland to Tucson on 2022-03-15.
 * Action 2: AccommodationSearch[Tucson]
 * Observation 2: NAME  price  …
 * Thought 3:
 * ```
 *
 * Where ours differs from the benchmark's scratchpad, and why:
 * - **Earlier steps show no thought.** A step of the trajectory is an action and its observation; the thought that
 *   came with it is not part of it. A guess of A that T confirms must put in front of the next calls exactly what
 *   T's own step would have, so the prompt is a function of the actions and observations alone.
 * - **The current step ends the prompt**: `Thought N:` (a ReAct agent's first call), `Thought N: …` then
 *   `Action N:` (its second), or `Action N:` alone (a direct agent's one call).
 *
 * As in the benchmark, only the latest data stays visible: before each search whose arguments pass the tool's
 * checks, and before each `CitySearch`, `GoogleDistanceMatrix` and `NotebookWrite`, every copy of the agent's
 * current data in the scratchpad is replaced by "Masked due to limited length. Make sure the data has been written
 * in Notebook." (the current data is the last such search's answer; before any, Python's `None`).
 */
import { InvalidInputError } from '../../core/errors.js';
import type { TextSpan } from '../../agents/action-space.js';
import type { Action } from '../../core/types.js';
import { parseTravelPlannerAction } from './actions.js';
import { isRejectedSearch } from './tools.js';

/** The benchmark's instruction up to the query (its tool descriptions included, typos kept as published). */
export const travelPlannerReactInstruction = `Collect information for a query plan using interleaving 'Thought', 'Action', and 'Observation' steps. Ensure you gather valid information related to transportation, dining, attractions, and accommodation. All information should be written in Notebook, which will then be input into the Planner tool. Note that the nested use of tools is prohibited. 'Thought' can reason about the current situation, and 'Action' can have 8 different types:
(1) FlightSearch[Departure City, Destination City, Date]:
Description: A flight information retrieval tool.
Parameters:
Departure City: The city you'll be flying out from.
Destination City: The city you aim to reach.
Date: The date of your travel in YYYY-MM-DD format.
Example: FlightSearch[New York, London, 2022-10-01] would fetch flights from New York to London on October 1, 2022.

(2) GoogleDistanceMatrix[Origin, Destination, Mode]:
Description: Estimate the distance, time and cost between two cities.
Parameters:
Origin: The departure city of your journey.
Destination: The destination city of your journey.
Mode: The method of transportation. Choices include 'self-driving' and 'taxi'.
Example: GoogleDistanceMatrix[Paris, Lyon, self-driving] would provide driving distance, time and cost between Paris and Lyon.

(3) AccommodationSearch[City]:
Description: Discover accommodations in your desired city.
Parameter: City - The name of the city where you're seeking accommodation.
Example: AccommodationSearch[Rome] would present a list of hotel rooms in Rome.

(4) RestaurantSearch[City]:
Description: Explore dining options in a city of your choice.
Parameter: City – The name of the city where you're seeking restaurants.
Example: RestaurantSearch[Tokyo] would show a curated list of restaurants in Tokyo.

(5) AttractionSearch[City]:
Description: Find attractions in a city of your choice.
Parameter: City – The name of the city where you're seeking attractions.
Example: AttractionSearch[London] would return attractions in London.

(6) CitySearch[State]
Description: Find cities in a state of your choice.
Parameter: State – The name of the state where you're seeking cities.
Example: CitySearch[California] would return cities in California.

(7) NotebookWrite[Short Description]
Description: Writes a new data entry into the Notebook tool with a short description. This tool should be used immediately after FlightSearch, AccommodationSearch, AttractionSearch, RestaurantSearch or GoogleDistanceMatrix. Only the data stored in Notebook can be seen by Planner. So you should write all the information you need into Notebook.
Parameters: Short Description - A brief description or label for the stored data. You don't need to write all the information in the description. The data you've searched for will be automatically stored in the Notebook.
Example: NotebookWrite[Flights from Rome to Paris in 2022-02-01] would store the informatrion of flights from Rome to Paris in 2022-02-01 in the Notebook.

(8) Planner[Query]
Description: A smart planning tool that crafts detailed plans based on user input and the information stroed in Notebook.
Parameters: 
Query: The query from user.
Example: Planner[Give me a 3-day trip plan from Seattle to New York] would return a detailed 3-day trip plan.
You should use as many as possible steps to collect engough information to input to the Planner tool. 

Each action only calls one function once. Do not add any description in the action.

Query: `;

/** What replaces the previous data in the scratchpad (the benchmark's text). */
export const maskedObservation = 'Masked due to limited length. Make sure the data has been written in Notebook.';

/**
 * The calls of a TravelPlanner agent's step, named as our other strategies' calls (the replay server shares a
 * recorded step between them the same way): a ReAct step is `react-thought` then `react-action`; a direct step is
 * one `direct` call that answers the action at once.
 */
export type TravelPlannerCallKind = 'react-thought' | 'react-action' | 'direct';

/** One step of the trajectory as the prompt shows it. */
export interface TravelPlannerPromptStep {
  action: Action;
  /** What executing it returned (a string for every tool of the environment). */
  observation?: unknown;
  /** The failure message, when the execution threw. */
  error?: string;
}

/** What a prompt is made of. */
export interface TravelPlannerPromptInput {
  /** The user's query (the task text). */
  query: string;
  /** The steps before this one, committed then speculative. */
  trajectory: readonly TravelPlannerPromptStep[];
  kind: TravelPlannerCallKind;
  /** The thought of this step, for `react-action`. */
  thought?: string;
}

/** Data tools: a search of theirs that ran becomes the agent's current data. */
const dataTools: ReadonlySet<string> = new Set(['FlightSearch', 'AccommodationSearch', 'RestaurantSearch', 'AttractionSearch', 'GoogleDistanceMatrix']);
/** Tools that mask the current data before they answer, whether or not their arguments pass. */
const alwaysMasking: ReadonlySet<string> = new Set(['CitySearch', 'GoogleDistanceMatrix', 'NotebookWrite']);

/** An action on one line, as the prompt shows it. */
export function renderTravelPlannerAction(action: Action): string {
  return typeof action === 'string' ? action : JSON.stringify(action);
}

/** A step's observation as text. */
function observationText(step: TravelPlannerPromptStep): string {
  if (step.error !== undefined) return step.error;
  const observation = step.observation;
  if (observation === undefined) return '';
  return typeof observation === 'string' ? observation : JSON.stringify(observation);
}

/** The scratchpad of the steps before the current one (each `\nAction i: …\nObservation i: …`), masked as the benchmark does. */
export function travelPlannerScratchpad(trajectory: readonly TravelPlannerPromptStep[]): string {
  let scratchpad = '';
  // Python's str(None): the benchmark's current data before any search.
  let currentData = 'None';
  trajectory.forEach((step, index) => {
    const number = index + 1;
    const text = observationText(step);
    scratchpad += `\nAction ${number}: ${renderTravelPlannerAction(step.action)}\nObservation ${number}: `;
    const tool = parseTravelPlannerAction(step.action)?.tool;
    const ran = tool !== undefined && dataTools.has(tool) && step.error === undefined && !isRejectedSearch(text);
    const masks = tool !== undefined && (alwaysMasking.has(tool) || ran);
    if (masks && currentData !== '') scratchpad = scratchpad.split(currentData).join(maskedObservation);
    scratchpad += text;
    if (ran) currentData = text.trim();
  });
  return scratchpad;
}

/** The whole prompt of one call. */
export function renderTravelPlannerPrompt(input: TravelPlannerPromptInput): string {
  const step = input.trajectory.length + 1;
  const head = `${travelPlannerReactInstruction}${input.query}${travelPlannerScratchpad(input.trajectory)}`;
  switch (input.kind) {
    case 'react-thought':
      return `${head}\nThought ${step}:`;
    case 'react-action':
      return `${head}\nThought ${step}: ${oneLine(input.thought ?? '')}\nAction ${step}:`;
    case 'direct':
      return `${head}\nAction ${step}:`;
  }
}

/** What the replay server reads from a prompt. */
export interface ParsedTravelPlannerPrompt {
  kind: TravelPlannerCallKind;
  query: string;
  /** The actions of the trajectory so far, as written (the prefix the call is conditioned on). */
  prefix: string[];
  /** The observations shown with them (masked ones read as the mask). */
  observations: string[];
  /** The step being asked for (`prefix.length + 1`). */
  step: number;
}

/** True when `text` is a TravelPlanner ReAct prompt (it starts with the benchmark's instruction). */
export function isTravelPlannerPrompt(text: string): boolean {
  return text.startsWith(travelPlannerReactInstruction);
}

/**
 * Reads a prompt written by `renderTravelPlannerPrompt`. Throws `InvalidInputError` saying what is missing, so that a
 * client that does not speak the format gets a clear answer.
 */
export function parseTravelPlannerPrompt(text: string, source = 'prompt'): ParsedTravelPlannerPrompt {
  const fail = (message: string): never => {
    throw new InvalidInputError(`${message} (expected the TravelPlanner ReAct prompt: the instruction, "Query: …", the steps so far, then "Thought N:" or "Action N:")`, {
      source,
    });
  };
  if (!isTravelPlannerPrompt(text)) fail('the prompt does not start with the TravelPlanner instruction');
  const body = text.slice(travelPlannerReactInstruction.length);
  // The call is named by the prompt's end.
  const tail = /\n(?:Thought (\d+):|Thought (\d+): [^\n]*\nAction (\d+):|Action (\d+):)$/.exec(body);
  if (tail === null) return fail('the prompt does not end with "Thought N:" or "Action N:"');
  const [, thoughtStep, reactStep, reactActionStep, directStep] = tail;
  let kind: TravelPlannerCallKind;
  let step: number;
  if (thoughtStep !== undefined) [kind, step] = ['react-thought', Number(thoughtStep)];
  else if (directStep !== undefined) [kind, step] = ['direct', Number(directStep)];
  else {
    if (reactStep !== reactActionStep) fail(`"Thought ${reactStep}" is followed by "Action ${reactActionStep}"`);
    [kind, step] = ['react-action', Number(reactStep)];
  }
  const scratchpad = body.slice(0, tail.index);
  const prefix: string[] = [];
  const observations: string[] = [];
  const firstAction = step === 1 ? -1 : scratchpad.indexOf('\nAction 1: ');
  if (step > 1 && firstAction < 0) fail(`step ${step} is asked for, but the prompt has no "Action 1:"`);
  const query = step === 1 ? scratchpad : scratchpad.slice(0, firstAction);
  if (query.trim() === '') fail('the query is empty');
  let position = firstAction;
  for (let number = 1; number < step; number += 1) {
    const actionStart = position + `\nAction ${number}: `.length;
    const lineEnd = scratchpad.indexOf('\n', actionStart);
    const observationMarker = `\nObservation ${number}: `;
    if (lineEnd < 0 || !scratchpad.startsWith(observationMarker, lineEnd)) fail(`"Action ${number}:" is not followed by "Observation ${number}:"`);
    prefix.push(scratchpad.slice(actionStart, lineEnd));
    const observationStart = lineEnd + observationMarker.length;
    const next = number + 1 < step ? scratchpad.indexOf(`\nAction ${number + 1}: `, observationStart) : scratchpad.length;
    if (next < 0) fail(`step ${step} is asked for, but the prompt has no "Action ${number + 1}:"`);
    observations.push(scratchpad.slice(observationStart, next));
    position = next;
  }
  return { kind, query, prefix, observations, step };
}

/**
 * The outcome of reading an action from a model's reply; `span` is where the reply spells it (UTF-16 offsets, end
 * exclusive), for the agent's confidence from the reply's token log-probabilities.
 */
export type TravelPlannerReplyParse = { ok: true; action: string; span: TextSpan } | { ok: false; reason: string };

/**
 * The action of a reply: its first line that is not empty, trimmed, without an `Action N:` the model may have
 * repeated (the benchmark stops its model at the first line break). Any such text is an action — one that is not
 * `Tool[argument]` gets the environment's "Invalid Action" observation, as in the benchmark — so only a reply with
 * no text is unparsable.
 */
export function parseTravelPlannerReply(reply: string): TravelPlannerReplyParse {
  let lineStart = 0;
  for (const rawLine of reply.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() !== '') {
      let start = lineStart + (line.length - line.trimStart().length);
      const end = lineStart + line.trimEnd().length;
      start += /^Action\s*\d*\s*:\s*/i.exec(reply.slice(start, end))?.[0].length ?? 0;
      const action = reply.slice(start, end);
      return action === '' ? { ok: false, reason: 'the reply has no action' } : { ok: true, action, span: { start, end } };
    }
    lineStart += rawLine.length + 1;
  }
  return { ok: false, reason: 'the reply has no action' };
}

/** A thought as the next prompt shows it: the reply's first line that is not empty, trimmed. */
export function travelPlannerThought(reply: string): string {
  return firstLine(reply).trim().replace(/^Thought\s*\d*\s*:\s*/i, '').trim();
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
