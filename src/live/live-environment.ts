/**
 * The environments a live run can act in besides pure planning: each brings the engine's `Environment` (what
 * executes the agents' actions, docs/tools.md), how actions match and end a plan, and its own agents over a model
 * caller. `runLiveSuite` takes one as `environment`; without one it plans OpenAGI-style over an action space.
 */
import type { ActionsMatch } from '../core/actions.js';
import type { Environment } from '../core/environment.js';
import type { Action, Agent, Role, TaskInput, Usage } from '../core/types.js';
import type { ModelCaller, ParseFailure } from '../agents/strategies.js';
import { createTravelPlannerEnvironment, type TravelPlannerEnvironmentOptions } from '../envs/travelplanner/environment.js';
import { createPlannerModel } from '../envs/travelplanner/planner-prompt.js';
import { createTravelPlannerAgent, travelPlannerStrategyByName } from '../envs/travelplanner/react-agent.js';

/** What an agent factory of a live environment is given. */
export interface LiveEnvironmentAgentOptions {
  role: Role;
  /** The strategy's name, e.g. `react`. */
  strategy: string;
  /** Where the strategy came from, named in its errors (e.g. `--target-strategy`). */
  strategySource?: string;
  callModel: ModelCaller;
  /** A reply with no action: A's is a mismatch, T's throws. */
  onUnparsable: 'mismatch' | 'throw';
  onParseFailure?: (failure: ParseFailure) => void;
}

/**
 * The model a live run lends the tools of its environment (TravelPlanner's Planner): `runLiveSuite` builds it from
 * `toolModel` (default: the target's model) and sends its requests through the run's caller — limits (on the
 * committed path: a tool runs only on the confirmed prefix), budgets, retries, telemetry.
 */
export interface LiveToolModel {
  /** Its name in the ledger, `provider:modelId` (e.g. `openai:gpt-4.1`). */
  readonly name: string;
  /**
   * A model caller for one execution. Its replies name the model `name`; a failed attempt that is retried is told
   * to `onFailedAttempt` with what it consumed (the ledger bills it on the execution's tool record).
   */
  callerFor(execution: { task: TaskInput; step: number; signal: AbortSignal; onFailedAttempt: (usage: Usage) => void }): ModelCaller;
}

/** An environment for a live run, with its agents. */
export interface LiveEnvironment {
  /** Its name, e.g. `travelplanner`. */
  readonly name: string;
  /** Whether its tools call a model: the run then builds a `LiveToolModel` for `createEnvironment`. */
  readonly callsToolModel: boolean;
  /** The engine's environment for one run, its tools' model calls made through `toolModel` when given. */
  createEnvironment(toolModel?: LiveToolModel): Environment;
  readonly actionsMatch: ActionsMatch;
  readonly isTerminal: (action: Action) => boolean;
  /** Checks a strategy name before anything runs; throws `InvalidInputError` naming `source`. */
  checkStrategy(name: string, source?: string): void;
  /** An agent of this environment over a model caller. */
  createAgent(options: LiveEnvironmentAgentOptions): Agent;
}

/**
 * TravelPlanner (docs/travelplanner.md): the benchmark's tools over the shipped database, executed by the engine by
 * effect class (searches may run on guesses, `NotebookWrite` on a fork of the notebook, `Planner` only once T
 * confirmed it), and agents in the benchmark's zero-shot ReAct format (`direct` or `react`). The Planner calls the
 * run's tool model with the benchmark's planner prompt (`planner-prompt.ts`), unless `options.planner` is given.
 */
export function travelPlannerLiveEnvironment(options: TravelPlannerEnvironmentOptions = {}): LiveEnvironment {
  const environment = createTravelPlannerEnvironment(options);
  return {
    name: 'travelplanner',
    callsToolModel: options.planner === undefined,
    createEnvironment: (toolModel) =>
      toolModel === undefined || options.planner !== undefined
        ? environment
        : createTravelPlannerEnvironment({
            ...options,
            database: environment.database,
            plannerModelName: toolModel.name,
            planner: (input) =>
              createPlannerModel(
                toolModel.callerFor({
                  // The engine always passes the task and step; the fallbacks serve a caller that does not.
                  task: input.task ?? { id: 'travelplanner', text: input.query },
                  step: input.step ?? 0,
                  signal: input.signal,
                  onFailedAttempt: (usage) => input.reportModelUsage?.({ usage, failed: true }),
                }),
              )(input),
          }),
    actionsMatch: environment.actionsMatch,
    isTerminal: (action) => environment.isTerminal(action),
    checkStrategy: (name, source) => void travelPlannerStrategyByName(name, source),
    createAgent: ({ strategy, strategySource, callModel, onUnparsable, onParseFailure }) =>
      createTravelPlannerAgent({
        strategy: travelPlannerStrategyByName(strategy, strategySource),
        callModel,
        onUnparsable,
        ...(onParseFailure === undefined ? {} : { onParseFailure }),
      }),
  };
}
