/**
 * The TravelPlanner environment: executes the benchmark's actions against the shipped database and the task's
 * notebook state, with the effect class and terminal test of each action. It is shaped to plug into the engine's
 * tool layer (`execute(action, { signal, state })`); it has no dependency on it.
 *
 * - The six searches are `pure`: the same action always gives the same observation, and nothing is written.
 * - `NotebookWrite[Short Description]` is `sandboxed`: it appends the latest search result of its branch to the
 *   notebook in `context.state`, and nowhere else. The latest result is the benchmark agent's "current data": the
 *   answer of the last search in `context.prefix` that ran (a search rejected by an argument check, `CitySearch` and
 *   `NotebookWrite` leave it as it was). Searches are pure, so it is recomputed from the prefix's actions.
 * - `Planner[Query]` is the terminal action. It asks the planner model, when one is given, to write the plan from
 *   the notebook; it is `irreversible` so that it runs once, on the confirmed prefix.
 * - An action that is not `Tool[argument]` or names no tool gets the benchmark's "Invalid Action" observation, an
 *   empty one its "null action" observation: a malformed action is an observation for the agent, never an error.
 */
import type { ActionsMatch } from '../../core/actions.js';
import type { ToolModelUsage } from '../../core/environment.js';
import type { Action, TaskInput } from '../../core/types.js';
import {
  isTravelPlannerTerminal,
  isTravelPlannerTool,
  parseTravelPlannerAction,
  travelPlannerActionsMatch,
  travelPlannerEffectOf,
  type EffectClass,
} from './actions.js';
import { TravelPlannerDatabase } from './database.js';
import { notebookEntries, notebookText, writeNotebookEntry, type TravelPlannerState } from './notebook.js';
import {
  accommodationSearch,
  attractionSearch,
  citySearch,
  distanceMatrix,
  flightSearch,
  restaurantSearch,
  type ToolAnswer,
} from './tools.js';

/** What `execute` is given besides the action. */
export interface TravelPlannerExecuteContext {
  /** Aborted when the execution is no longer needed; an aborted execution rejects with the signal's reason. */
  readonly signal: AbortSignal;
  /** The task's state on this branch: the notebook lives here. */
  readonly state: TravelPlannerState;
  /** The actions before this one on the same branch, oldest first (`NotebookWrite` reads its data from them). */
  readonly prefix?: readonly Action[];
  /**
   * The steps before this one on the same branch, as the engine's tool layer passes them: their actions are the
   * prefix when `prefix` is not given.
   */
  readonly trajectory?: readonly { readonly action: Action }[];
  /** The task, as the engine's tool layer passes it (the planner's requests are made for it). */
  readonly task?: TaskInput;
  /** The 1-based step of the action, as the engine's tool layer passes it. */
  readonly step?: number;
  /** Told about each model request the planner makes, as the engine's tool layer asks (`ExecuteOptions`). */
  readonly reportModelUsage?: (report: ToolModelUsage) => void;
}

/** What the planner model is given for one `Planner[Query]`. */
export interface PlannerModelInput {
  /** The Planner's argument: the query as the agent wrote it. */
  query: string;
  /** The notebook as the benchmark hands it to its planner (`notebookText`). */
  notebook: string;
  /** Aborted when the execution is no longer needed (the task failed or stopped). */
  signal: AbortSignal;
  /** The task and step the Planner runs for, when the engine said. */
  task?: TaskInput;
  step?: number;
  /**
   * Report each model request (a failed attempt too, `failed: true`): the engine bills them on the Planner's tool
   * record. `model` defaults to the one the planner was created with, when its caller did not name one.
   */
  reportModelUsage?: (report: Omit<ToolModelUsage, 'model'> & { model?: string }) => void;
}

/**
 * A model that writes the final plan from the query and the notebook. A rejection fails the task
 * (`ToolCallError`): the plan is the task's answer, an error text is not.
 */
export type PlannerModel = (input: PlannerModelInput) => Promise<string>;

/** Options of `createTravelPlannerEnvironment`. */
export interface TravelPlannerEnvironmentOptions {
  /** The database to search. Default: the one shipped with the package, loaded on first use. */
  database?: TravelPlannerDatabase;
  /**
   * Writes the plan for `Planner[Query]`. Without one, the Planner's observation is the notebook as the planner
   * would receive it (the benchmark's `str(notebook.list_all())`), so replays and tests need no model.
   */
  planner?: PlannerModel;
  /** The planner's model name, for the ledger, when its replies do not name one (e.g. `openai:gpt-4.1`). */
  plannerModelName?: string;
}

/** The environment object: what the engine's tool layer needs from an environment. */
export interface TravelPlannerEnvironment {
  readonly name: 'travelplanner';
  readonly database: TravelPlannerDatabase;
  /** Executes one action and returns its observation (see the module comment for each tool). */
  execute(action: Action, context: TravelPlannerExecuteContext): Promise<string>;
  effectOf(action: Action): EffectClass;
  /** True for `Planner[…]`. */
  isTerminal(action: Action): boolean;
  /** Exact string equality (see `travelPlannerActionsMatch`). */
  readonly actionsMatch: ActionsMatch;
  /** True for a failed `Planner[…]`: its planner model failed, and the task with it. */
  failsTask(action: Action, error: unknown): boolean;
}

/** The benchmark's observation for an action that is not one of its tools. */
export const invalidActionObservation =
  'Invalid Action. Valid Actions are  FlightSearch[Departure City, Destination City, Date] / AccommodationSearch[City] /  RestaurantSearch[City] / NotebookWrite[Short Description] / AttractionSearch[City] / CitySearch[State] / GoogleDistanceMatrix[Origin, Destination, Mode] and Planner[Query].';

/** The benchmark's observation for an empty action. */
export const nullActionObservation =
  'No feedback from the environment due to the null action. Please make sure your action does not start with [Thought, Action, Observation].';

const searches: Readonly<Record<string, (database: TravelPlannerDatabase, argument: string) => Promise<ToolAnswer>>> = {
  FlightSearch: flightSearch,
  AccommodationSearch: accommodationSearch,
  RestaurantSearch: restaurantSearch,
  AttractionSearch: attractionSearch,
  CitySearch: citySearch,
  GoogleDistanceMatrix: distanceMatrix,
};

/** Creates the environment. It reads nothing until the first search. */
export function createTravelPlannerEnvironment(options: TravelPlannerEnvironmentOptions = {}): TravelPlannerEnvironment {
  const database = options.database ?? new TravelPlannerDatabase();

  /** The answer of a search action, or `undefined` for any other action. */
  const search = async (action: Action): Promise<ToolAnswer | undefined> => {
    const parsed = parseTravelPlannerAction(action);
    const tool = parsed === undefined ? undefined : searches[parsed.tool];
    return tool === undefined ? undefined : tool(database, parsed!.argument);
  };

  /** The benchmark agent's current data after `prefix`: the last search that ran, as the notebook stores it. */
  const latestData = async (prefix: readonly Action[], signal: AbortSignal): Promise<string | null> => {
    for (let index = prefix.length - 1; index >= 0; index -= 1) {
      signal.throwIfAborted();
      const content = (await search(prefix[index]!))?.notebookContent;
      if (content !== undefined) return content;
    }
    return null;
  };

  return {
    name: 'travelplanner',
    database,
    effectOf: travelPlannerEffectOf,
    isTerminal: isTravelPlannerTerminal,
    actionsMatch: travelPlannerActionsMatch,
    failsTask: (action) => options.planner !== undefined && parseTravelPlannerAction(action)?.tool === 'Planner',
    async execute(action, { signal, state, prefix: given, trajectory, task, step, reportModelUsage }) {
      signal.throwIfAborted();
      const prefix = given ?? trajectory?.map((step) => step.action) ?? [];
      if (action === null || (typeof action === 'string' && action.trim() === '')) return nullActionObservation;
      const parsed = parseTravelPlannerAction(action);
      if (parsed === undefined || !isTravelPlannerTool(parsed.tool)) return invalidActionObservation;
      if (parsed.tool === 'NotebookWrite') {
        const content = await latestData(prefix, signal);
        // Nothing is written once the execution is cancelled.
        signal.throwIfAborted();
        const index = writeNotebookEntry(state, { description: parsed.argument, content });
        return `The information has been recorded in Notebook, and its index is ${index}.`;
      }
      if (parsed.tool === 'Planner') {
        const notebook = notebookText(notebookEntries(state));
        if (options.planner === undefined) return notebook;
        const modelName = options.plannerModelName ?? 'planner';
        return options.planner({
          query: parsed.argument,
          notebook,
          signal,
          ...(task === undefined ? {} : { task }),
          ...(step === undefined ? {} : { step }),
          ...(reportModelUsage === undefined ? {} : { reportModelUsage: (report) => reportModelUsage({ ...report, model: report.model ?? modelName }) }),
        });
      }
      const answer = await search(action);
      signal.throwIfAborted();
      return answer!.observation;
    },
  };
}
