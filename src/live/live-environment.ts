/**
 * The environments a live run can act in besides pure planning: each brings the engine's `Environment` (what
 * executes the agents' actions, docs/tools.md), how actions match and end a plan, and its own agents over a model
 * caller. `runLiveSuite` takes one as `environment`; without one it plans OpenAGI-style over an action space.
 */
import type { ActionsMatch } from '../core/actions.js';
import type { Environment } from '../core/environment.js';
import type { Action, Agent, Role } from '../core/types.js';
import type { ModelCaller, ParseFailure } from '../agents/strategies.js';
import { createTravelPlannerEnvironment, type TravelPlannerEnvironmentOptions } from '../envs/travelplanner/environment.js';
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

/** An environment for a live run, with its agents. */
export interface LiveEnvironment {
  /** Its name, e.g. `travelplanner`. */
  readonly name: string;
  readonly environment: Environment;
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
 * confirmed it), and agents in the benchmark's zero-shot ReAct format (`direct` or `react`).
 */
export function travelPlannerLiveEnvironment(options: TravelPlannerEnvironmentOptions = {}): LiveEnvironment {
  const environment = createTravelPlannerEnvironment(options);
  return {
    name: 'travelplanner',
    environment,
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
