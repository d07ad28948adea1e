/** The TravelPlanner environment: the benchmark's action syntax, its tools over the shipped database, the notebook. */
export {
  travelPlannerToolNames,
  travelPlannerToolEffects,
  parseTravelPlannerAction,
  isTravelPlannerTool,
  travelPlannerEffectOf,
  isTravelPlannerTerminal,
  travelPlannerActionsMatch,
  type TravelPlannerToolName,
  type EffectClass,
  type ParsedTravelPlannerAction,
} from './actions.js';
export { TravelPlannerDatabase, defaultDatabaseDirectory, type TableSlice, type DistanceEntry } from './database.js';
export {
  createTravelPlannerEnvironment,
  invalidActionObservation,
  nullActionObservation,
  type TravelPlannerEnvironment,
  type TravelPlannerEnvironmentOptions,
  type TravelPlannerExecuteContext,
  type PlannerModel,
  type PlannerModelInput,
} from './environment.js';
export {
  travelPlannerPlannerInstruction,
  plannerCallKind,
  renderPlannerPrompt,
  isPlannerPrompt,
  parsePlannerPrompt,
  createPlannerModel,
  type PlannerPromptInput,
} from './planner-prompt.js';
export { notebookEntries, notebookText, notebookKey, type NotebookEntry, type TravelPlannerState } from './notebook.js';
