/**
 * The TravelPlanner action syntax (Xie et al., "TravelPlanner: A Benchmark for Real-World Planning with Language
 * Agents", ICML 2024): an action is one string `Tool[argument]`, e.g. `FlightSearch[Denver, Appleton, 2022-03-04]`,
 * read the way the benchmark's ReAct agent reads it — a tool name of word characters, then everything between the
 * first `[` and the last `]` as its argument. Multi-argument tools split the argument on `", "`.
 */
import { exactMatch, type ActionsMatch } from '../../core/actions.js';
import type { Action } from '../../core/types.js';

/** The eight tools of the benchmark's sandbox, in the order its prompt lists them. */
export const travelPlannerToolNames = [
  'FlightSearch',
  'GoogleDistanceMatrix',
  'AccommodationSearch',
  'RestaurantSearch',
  'AttractionSearch',
  'CitySearch',
  'NotebookWrite',
  'Planner',
] as const;

/** One of the benchmark's tools. */
export type TravelPlannerToolName = (typeof travelPlannerToolNames)[number];

/**
 * What executing a tool may do (the effect classes of speculative tool execution): `pure` reads a fixed database
 * and writes nothing; `sandboxed` writes only to the task's state; `irreversible` must never run on a prefix that
 * is not confirmed.
 */
export type EffectClass = 'pure' | 'sandboxed' | 'irreversible';

/**
 * The effect class of each tool. The searches read the published database. `NotebookWrite` writes the task's
 * notebook. `Planner` asks a model to write the final plan: it is neither deterministic nor cheap, so it runs
 * once, after T has confirmed it.
 */
export const travelPlannerToolEffects: Readonly<Record<TravelPlannerToolName, EffectClass>> = Object.freeze({
  FlightSearch: 'pure',
  GoogleDistanceMatrix: 'pure',
  AccommodationSearch: 'pure',
  RestaurantSearch: 'pure',
  AttractionSearch: 'pure',
  CitySearch: 'pure',
  NotebookWrite: 'sandboxed',
  Planner: 'irreversible',
});

/** An action read as the benchmark reads it: the tool name (possibly not one of the eight) and its argument. */
export interface ParsedTravelPlannerAction {
  readonly tool: string;
  /** The text between the brackets, untouched. */
  readonly argument: string;
}

// The benchmark's pattern `^(\w+)\[(.+)\]$` with Python 3's Unicode `\w`; `.` stops at a line break.
const actionPattern = /^([\p{L}\p{N}_]+)\[(.+)\]$/u;

/** Reads `Tool[argument]`; `undefined` when the action is not a string of that shape. */
export function parseTravelPlannerAction(action: Action): ParsedTravelPlannerAction | undefined {
  if (typeof action !== 'string') return undefined;
  const match = actionPattern.exec(action);
  if (match === null) return undefined;
  return { tool: match[1]!, argument: match[2]! };
}

/** True when `name` is one of the eight tools. */
export function isTravelPlannerTool(name: string): name is TravelPlannerToolName {
  return (travelPlannerToolNames as readonly string[]).includes(name);
}

/**
 * The effect class of an action: its tool's class. An action that names no tool of the benchmark, or is not of
 * the form `Tool[argument]`, only gets an error observation and touches nothing, so it is `pure`.
 */
export function travelPlannerEffectOf(action: Action): EffectClass {
  const parsed = parseTravelPlannerAction(action);
  return parsed !== undefined && isTravelPlannerTool(parsed.tool) ? travelPlannerToolEffects[parsed.tool] : 'pure';
}

/** True for a `Planner[…]` action: it ends the task (the planner writes the plan from the notebook). */
export function isTravelPlannerTerminal(action: Action): boolean {
  return parseTravelPlannerAction(action)?.tool === 'Planner';
}

/**
 * A's guess is T's action when the two strings are equal. The DSP authors' labels for their TravelPlanner runs
 * count a guess as right exactly when it equals T's action string (docs/travelplanner.md); exact equality is also
 * what keeps a speculative run lossless: a guess whose arguments differ in any character is a different tool call.
 */
export const travelPlannerActionsMatch: ActionsMatch = exactMatch;
