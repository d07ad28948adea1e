/**
 * A live run: speculative planning on a suite with real models through the AI SDK, on the real clock. From
 * resolved options (model specs, strategies, a policy spec, a record path) it builds the agents, the policy and the
 * trace recorder, and runs them through `runSuite`, which owns the loop, failure isolation and interruption.
 *
 * This folder sits above the agents, providers and environments it assembles, and below the CLI.
 */
import { randomBytes } from 'node:crypto';
import { RealClock, type Clock } from '../core/clock.js';
import { InvalidInputError, isTargetCallError, isToolCallError } from '../core/errors.js';
import type { KPolicy } from '../core/policy.js';
import { builtinPriceTable } from '../ledger/prices.js';
import type { Random } from '../core/rng.js';
import type { Agent, Role, TaskResult } from '../core/types.js';
import { createModelCaller } from '../agents/ai-sdk.js';
import { isModelCallError, type ModelCallError } from '../agents/errors.js';
import type { ActionSpace } from '../agents/action-space.js';
import { createStrategyAgent, type ParseFailure, type PlanningStrategy, type StrategyName } from '../agents/strategies.js';
import { preloadTokenCounters } from '../agents/tokenizer.js';
import { openAgiActionSpace } from '../envs/openagi/actions.js';
import type { PolicySpec } from '../policies/registry.js';
import { createLanguageModel, redactSecretsIn, type ProviderModel } from '../providers/providers.js';
import { createPolicy } from '../suite/create-policy.js';
import { runSuite, type RecordedTask, type RunSuiteOptions, type SuiteOutcome } from '../suite/run-suite.js';
import { TraceRecorder } from '../traces/format.js';
import { traceFromTaskResult, type TraceFromTaskResultOptions } from '../traces/from-task-result.js';
import { liveModelCaller, type LiveCallerOptions } from './live-caller.js';
import { gateSpeculation, policyPerTask } from './live-policies.js';
import type { Tracer } from '@opentelemetry/api';
import { RunBudget, type BudgetSettings, type Spend } from './budget.js';
import { RunTelemetry } from './telemetry.js';
import { RequestLimiter, type LimiterSettings, type LimiterStats } from './limiter.js';
import type { RetrySettings } from './retry.js';
import type { LiveEnvironment, LiveEnvironmentAgentOptions, LiveToolModel } from './live-environment.js';
import { TokenEstimates } from './token-estimates.js';

/** One of the two agents of a live run. */
export interface LiveAgentSpec {
  /** A model spec, e.g. `openai:gpt-4.1-mini` or `openai-compatible:local@http://127.0.0.1:8080/v1`. */
  model: string;
  /** The planning strategy, by name or as an object. */
  strategy: StrategyName | PlanningStrategy;
  /** Where the model spec came from, named in its errors (e.g. `--approx`). Default: the role. */
  source?: string;
}

/** Options of `runLiveSuite`: what to run, and the hooks of `runSuite` to follow it. */
export interface LiveSuiteOptions
  extends Pick<
    RunSuiteOptions,
    | 'tasks'
    | 'signal'
    | 'deadlineMs'
    | 'abandonAfterMs'
    | 'sequentialBaseline'
    | 'maxSteps'
    | 'kMax'
    | 'priceTable'
    | 'onTaskStarted'
    | 'onRound'
    | 'onTaskFinished'
    | 'onTaskFailed'
  > {
  /** The suite's name, written into recorded traces, e.g. `openagi`. */
  suite: string;
  approx: LiveAgentSpec;
  target: LiveAgentSpec;
  /** The k-policy. The oracle needs a recorded future and is refused. */
  policy: PolicySpec;
  /** Where the policy spec came from, named in its errors (e.g. `--policy`). Default `policy`. */
  policySource?: string;
  /** The actions the agents plan with. Default: OpenAGI's. Not used with `environment`. */
  actionSpace?: ActionSpace;
  /**
   * An environment that executes the agents' actions (e.g. `travelPlannerLiveEnvironment()`), with its own agents,
   * matching and terminal test: each task starts from an empty state, every committed action is executed, guesses
   * by effect class (docs/tools.md), and recorded traces carry each call's tool execution. Default: none (pure
   * planning over `actionSpace`).
   */
  environment?: LiveEnvironment;
  /**
   * The model the environment's tools call (TravelPlanner's Planner, which writes the plan), e.g.
   * `openai:gpt-4.1`; its requests go through the run's limits, budgets, retries and telemetry, on the committed
   * path, and are billed on the tool's record in the ledger. Default: the target's model. Used only with an
   * environment whose tools call a model.
   */
  toolModel?: { model: string; source?: string };
  /** Append one `dsp-trace/1` line per finished task to this file (each flushed at once). */
  recordPath?: string;
  /**
   * Ask A's model for the log-probabilities of its replies where the provider offers them (OpenAI, DeepSeek,
   * `openai-compatible`), and give each guess A's confidence in it: the probability of the tokens that spell the
   * action (`spanConfidence`). The policy sees it (`continueAfterGuess`; the `dsp` gate and acceptance head use it)
   * and recorded traces keep it (the approx call's `confidence`). Where the provider gives none, a guess has no
   * confidence, as without this option. Default false.
   */
  approxConfidence?: boolean;
  /** A `dsp` policy loads its learned state from this file (when it exists) and saves it there at the end. */
  predictorStatePath?: string;
  /** Where API keys are read from. */
  env: Readonly<Record<string, string | undefined>>;
  /** A `fetch` for the providers. Default: the global one. */
  fetch?: typeof globalThis.fetch;
  /** Default: the real clock. */
  clock?: Clock;
  /** Told about every model reply with no parsable action (A's counts as a mismatch; T's fails the task). */
  onParseFailure?: (role: Role, failure: ParseFailure) => void;
  /** Told about anything odd that the run works around, in a line (e.g. a token count the recording cannot hold). */
  onWarning?: (message: string) => void;
  /**
   * How failed requests are retried (see `retry.ts`): transient failures, twice by default, with an exponential
   * backoff and jitter or the wait the server asked for. `{ retries: 0 }` turns retries off.
   */
  retry?: RetrySettings;
  /** Draws the retry jitter. Default `Math.random`. */
  random?: Random;
  /**
   * The longest one model request may take, in milliseconds, before it is aborted and fails as a transient error
   * (retried like one). Default 120000 (`liveDefaults.callTimeoutMs`).
   */
  callTimeoutMs?: number;
  /**
   * Limits on the run's requests — in flight at once, requests and tokens per minute, over both agents and all
   * tasks — with the committed path first (see `limiter.ts`). Default: none. `reservedForCommitted` defaults to
   * `parallel` (twice that for a `debate` target). A request's tokens are estimated as its prompt counted with the
   * tokenizer, scaled by how the provider's counts of earlier prompts compared with ours, plus the mean output of
   * the replies seen for the same model and kind of request (512 before the first); then corrected with the usage
   * the provider reports (`token-estimates.ts`).
   */
  limits?: LimiterSettings;
  /** How many tasks run at once. Default 1. Not with the `dsp` policy, which learns from one task after another. */
  parallel?: number;
  /**
   * Budgets in USD and tokens, per task and for the run, checked before each request with its estimate;
   * speculation is cut first (see `budget.ts`). USD budgets count only models with a price. Default: none.
   */
  budget?: BudgetSettings;
  /**
   * Where the run's OpenTelemetry spans go (run → task → round → call → request, see `telemetry.ts`). Default: the
   * global tracer of `@opentelemetry/api`, a no-op unless an SDK was registered.
   */
  tracer?: Tracer;
}

/** Defaults of a live run. */
export const liveDefaults = { callTimeoutMs: 120_000 } as const;

/** What `runLiveSuite` returns: `runSuite`'s outcome, and the counters of the run's requests. */
export interface LiveSuiteOutcome extends SuiteOutcome {
  /** Requests in flight at the peak, speculative requests skipped or cut, 429s seen. */
  requests: LimiterStats;
  /**
   * With budgets: what the run (with a run budget) and each task (with task budgets) spent by the budget's count
   * (every request, stopped tasks included), and by how much requests cost more than their estimates: a scope
   * never spends more than its limit plus that overrun (the bound of `budget.ts`).
   */
  budget?: { run?: { spent: Spend; overrun: Spend }; tasks: Record<string, { spent: Spend; overrun: Spend }> };
  /**
   * Set when the run stopped early because the provider refused a request of the committed path with HTTP 401 or
   * 403 (a bad key, a model the key may not use): every task would fail the same way. It is the error of the task
   * that met the refusal (also in `failures`); the tasks after it did not run, those in flight were cancelled, and
   * `interrupted` stays false unless the run's signal aborted too.
   */
  stoppedBy?: unknown;
  /**
   * Set when the provider refused a request of A with HTTP 401 or 403 (a bad key for A's provider, a model the key
   * may not use): A was not asked again for the rest of the run, whose rounds then ran with k = 0 (T alone, the
   * same plan). `error` is the refusal, `taskId` the task that met it.
   */
  approxRefused?: { error: ModelCallError; taskId: string };
}

/**
 * Runs a suite live and returns `runSuite`'s outcome. Throws typed errors before the first task for bad options
 * (`InvalidInputError`) and missing keys (`MissingApiKeyError`); a failing task is reported, not thrown.
 */
// One piece: it builds the run's shared parts (limiter, budget, telemetry, agents, policy) and must close the policy
// and end the run's span in the one `finally` that sees all of them.
// eslint-disable-next-line max-lines-per-function -- must stay one piece, see the comment above
export async function runLiveSuite(options: LiveSuiteOptions): Promise<LiveSuiteOutcome> {
  const policySource = options.policySource ?? 'policy';
  if (options.policy.kind === 'oracle') {
    throw new InvalidInputError('the oracle policy needs the future of a recorded trace: use it in replay, not in dsp run', {
      source: policySource,
    });
  }
  const parallel = options.parallel ?? 1;
  if (parallel > 1 && options.policy.kind === 'dsp') {
    throw new InvalidInputError('the dsp policy learns from one task after another: run it with one task at a time (parallel 1)', {
      source: policySource,
    });
  }
  const actionSpace = options.actionSpace ?? openAgiActionSpace;
  const clock = options.clock ?? new RealClock();
  const limiter = new RequestLimiter({
    ...options.limits,
    reservedForCommitted: options.limits?.reservedForCommitted ?? parallel * concurrentRequests(options.target.strategy),
  });
  const budget = new RunBudget(options.budget ?? {}, options.priceTable ?? builtinPriceTable);
  const telemetry = new RunTelemetry({ clock, ...(options.tracer === undefined ? {} : { tracer: options.tracer }) });
  const run: LiveRun = {
    clock,
    random: options.random ?? Math.random,
    limiter,
    telemetry,
    tokenEstimates: new TokenEstimates(),
    ...(budget.enabled ? { budget } : {}),
  };
  // After A's first 401 or 403, every later request of A would be refused the same way: A is not asked again.
  let approxRefused: LiveSuiteOutcome['approxRefused'];
  const approx = refusedOnce(createLiveAgent('approx', options, actionSpace, run), (error, taskId) => {
    approxRefused ??= { error, taskId };
  }, () => approxRefused?.error);
  const target = createLiveAgent('target', options, actionSpace, run);
  const toolModel = options.environment?.callsToolModel === true ? createToolModel(options, run) : undefined;
  const environment = options.environment?.createEnvironment(toolModel?.live);
  // Build the tokenizers now: building one blocks for about a second, which must not happen mid-run.
  await preloadTokenCounters([approx.model.modelName, target.model.modelName, ...(toolModel === undefined ? [] : [toolModel.model.modelName])]);

  // Created last, so that nothing can fail before the `finally` that closes it (a dsp policy owns a worker).
  const createOne = (): KPolicy =>
    createPolicy(options.policy, {}, {
      // Live: a learning policy never makes planning wait for its trainer.
      deterministic: false,
      ...(options.predictorStatePath === undefined ? {} : { predictorStatePath: options.predictorStatePath }),
    });
  const policy = gateSpeculation(
    parallel > 1 ? policyPerTask(createOne) : createOne(),
    (task) => approxRefused === undefined && limiter.speculationAllowed && (!budget.enabled || budget.speculationAllowed(task.id)),
  );
  const { tasks, signal, deadlineMs, abandonAfterMs, sequentialBaseline, maxSteps, kMax, priceTable, suite, recordPath } = options;
  const { onRound, onTaskFinished } = options;
  const recordTrace =
    recordPath === undefined
      ? undefined
      : traceWriter(recordPath, {
          suite,
          approx,
          target,
          policyName: policy.name,
          env: options.env,
          onWarning: options.onWarning,
          ...(environment === undefined ? {} : { effectOf: environment.effectOf.bind(environment) }),
        });
  telemetry.runStarted({
    'dsp.suite': suite,
    'dsp.policy': policy.name,
    'dsp.tasks': tasks.length,
    'dsp.approx.model': approx.model.modelName,
    'dsp.target.model': target.model.modelName,
    'dsp.parallel': parallel,
  });
  let outcome: SuiteOutcome | undefined;
  // Stops the run at the first refusal of the key: every other task would be refused too.
  const refusal = new AbortController();
  let stoppedBy: unknown;
  try {
    outcome = await runSuite({
      tasks,
      signal: signal === undefined ? refusal.signal : AbortSignal.any([signal, refusal.signal]),
      deadlineMs,
      abandonAfterMs,
      clock,
      parallel,
      sequentialBaseline,
      maxSteps,
      kMax,
      priceTable,
      onTaskStarted: (position) => {
        telemetry.taskStarted(position.task);
        options.onTaskStarted?.(position);
      },
      onRound,
      onTaskFinished,
      onTaskFailed: (failure) => {
        // A failed baseline's task has its spans already (it finished).
        if (failure.run === 'speculative') telemetry.taskFailed(failure.task, failure.error, failure.records, failure.toolRecords);
        options.onTaskFailed?.(failure);
        if (stoppedBy === undefined && isAccessRefused(failure.error)) {
          stoppedBy = failure.error;
          refusal.abort(failure.error);
        }
      },
      // Called as soon as a task finishes, before its baseline (if any) runs.
      record: (finished) => {
        telemetry.taskFinished(finished.task, finished.result);
        recordTrace?.(finished);
      },
      approx: approx.agent,
      target: target.agent,
      policy,
      ...(options.environment === undefined || environment === undefined
        ? { actionsMatch: actionSpace.actionsMatch, isTerminal: actionSpace.isTerminal }
        : {
            environment,
            actionsMatch: options.environment.actionsMatch,
            isTerminal: options.environment.isTerminal,
          }),
      models: { approx: modelLabel(approx.model), target: modelLabel(target.model) },
    });
    const runSpend = budget.runSpend;
    const spend = { ...(runSpend === undefined ? {} : { run: runSpend }), tasks: budget.taskSpend };
    if (stoppedBy !== undefined) outcome = { ...outcome, interrupted: signal?.aborted === true };
    return {
      ...outcome,
      requests: limiter.stats,
      ...(budget.enabled ? { budget: spend } : {}),
      ...(stoppedBy === undefined ? {} : { stoppedBy }),
      ...(approxRefused === undefined ? {} : { approxRefused }),
    };
  } finally {
    telemetry.runEnded(
      outcome === undefined
        ? { 'dsp.run.status': 'error' }
        : {
            'dsp.run.status': outcome.interrupted ? 'interrupted' : 'finished',
            'dsp.tasks.finished': outcome.results.length,
            'dsp.tasks.failed': outcome.failures.length,
            'dsp.speedup': outcome.metrics.speedup,
            ...(outcome.metrics.costUsd === null ? {} : { 'dsp.cost_usd': outcome.metrics.costUsd }),
          },
      outcome === undefined || outcome.failures.length > 0,
    );
    await policy.close?.();
  }
}

/** A task that failed because the provider refused T's request (or a tool's model request) with HTTP 401 or 403. */
function isAccessRefused(error: unknown): boolean {
  if (!isTargetCallError(error) && !isToolCallError(error)) return false;
  return isRefusal(error.cause);
}

/** A model request the provider refused with HTTP 401 or 403: a bad key, or a model the key may not use. */
function isRefusal(error: unknown): error is ModelCallError {
  return isModelCallError(error) && (error.statusCode === 401 || error.statusCode === 403);
}

/**
 * The live agent A, told apart once its provider refused it (`onRefused`, with the task): from then on a call of it
 * fails at once with that refusal (`refusal()`), without a request. The run's policy gate makes such calls rare (its
 * rounds have k = 0), but a call of another task may already be on its way.
 */
function refusedOnce(live: LiveAgent, onRefused: (error: ModelCallError, taskId: string) => void, refusal: () => Error | undefined): LiveAgent {
  const agent: Agent = async (context, callOptions) => {
    const refused = refusal();
    if (refused !== undefined) throw refused;
    try {
      return await live.agent(context, callOptions);
    } catch (error) {
      if (isRefusal(error)) onRefused(error, context.task.id);
      throw error;
    }
  };
  return { ...live, agent };
}

/** How the approximation agent A fared in one task, read from its ledger. */
export interface ApproxFailures {
  /** A's calls that returned or threw (those cancelled by the engine are left out: they never answered). */
  calls: number;
  /** Those that threw (a refused request, 401 or 429, a network error…): each ended its round's speculation. */
  failed: number;
  /** The first failure's message, when one failed. */
  firstError: string | undefined;
}

/**
 * Counts A's failed calls in a task's ledger. When every call of A failed, speculation did nothing: the task ran as
 * T alone, at T's pace, whatever k the policy chose, and a run should say so rather than look merely slow.
 */
export function approxFailuresOf(result: TaskResult): ApproxFailures {
  // A retried request's failed attempts are records of their own (`attemptOf`): the call is counted once, by its end.
  const answered = result.records.filter(
    (record) => record.role === 'approx' && record.status !== 'cancelled' && record.attemptOf === undefined,
  );
  const failed = answered.filter((record) => record.error !== undefined);
  return { calls: answered.length, failed: failed.length, firstError: failed[0]?.error };
}

/** What the agents of one live run share. */
interface LiveRun {
  clock: Clock;
  random: Random;
  limiter: RequestLimiter;
  telemetry: RunTelemetry;
  tokenEstimates: TokenEstimates;
  budget?: RunBudget;
}

/** The requests a strategy makes at once (the two debaters of a round), for the slots kept for the committed path. */
function concurrentRequests(strategy: StrategyName | PlanningStrategy): number {
  return (typeof strategy === 'string' ? strategy : strategy.name) === 'debate' ? 2 : 1;
}

/** A live agent with the provider model behind it. */
interface LiveAgent {
  agent: Agent;
  model: ProviderModel;
  strategyName: string;
}

function createLiveAgent(role: Role, options: LiveSuiteOptions, actionSpace: ActionSpace, run: LiveRun): LiveAgent {
  const spec = options[role];
  const model = createLanguageModel(spec.model, {
    env: options.env,
    source: spec.source ?? role,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const onParseFailure = options.onParseFailure;
  const strategyOptions: Omit<Parameters<typeof createStrategyAgent>[0], 'callModel'> = {
    actionSpace,
    strategy: spec.strategy,
    // A's unparsable reply is a guess that matches nothing; T's would change the plan, so it fails the task.
    onUnparsable: role === 'approx' ? 'mismatch' : 'throw',
    ...(onParseFailure === undefined ? {} : { onParseFailure: (failure: ParseFailure) => onParseFailure(role, failure) }),
  };
  const caller = runCaller(options, run, role, model, role === 'approx' && options.approxConfidence === true);
  // Each call gets its own caller: its requests know the call's context (speculative or not) and report their
  // failed attempts to the engine through the call's options.
  const environment = options.environment;
  const agent: Agent =
    environment === undefined
      ? (context, callOptions) =>
          createStrategyAgent({ ...strategyOptions, callModel: liveModelCaller(caller, context, callOptions) })(context, callOptions)
      : environmentAgent(environment, {
          role,
          strategy: typeof spec.strategy === 'string' ? spec.strategy : spec.strategy.name,
          onUnparsable: strategyOptions.onUnparsable ?? 'throw',
          ...(strategyOptions.onParseFailure === undefined ? {} : { onParseFailure: strategyOptions.onParseFailure }),
          caller,
        });
  return { agent: withModelLabel(agent, modelLabel(model)), model, strategyName: typeof spec.strategy === 'string' ? spec.strategy : spec.strategy.name };
}

/** A caller of the run for one model: its requests share the run's retries, limiter, budget, telemetry and estimates. */
function runCaller(options: LiveSuiteOptions, run: LiveRun, role: Role, model: ProviderModel, logprobs: boolean): LiveCallerOptions {
  return {
    role,
    modelName: model.modelName,
    attempt: createModelCaller(model.model, {
      modelName: model.modelName,
      timeoutMs: options.callTimeoutMs ?? liveDefaults.callTimeoutMs,
      ...(logprobs ? { logprobs: true } : {}),
    }),
    retry: options.retry ?? {},
    random: run.random,
    clock: run.clock,
    limiter: run.limiter,
    telemetry: run.telemetry,
    tokenEstimates: run.tokenEstimates,
    provider: model.spec.provider,
    ...(run.budget === undefined ? {} : { budget: run.budget }),
  };
}

/**
 * The model of the environment's tools (`toolModel`, default the target's): its requests go through a caller of the
 * run like the agents' — as the target's on the committed path, since a tool that calls a model runs only on the
 * confirmed prefix — and its replies are named `provider:modelId`, as the agents' calls are in the ledger.
 */
function createToolModel(options: LiveSuiteOptions, run: LiveRun): { model: ProviderModel; live: LiveToolModel } {
  const spec = options.toolModel ?? { model: options.target.model, source: options.target.source ?? 'target' };
  const model = createLanguageModel(spec.model, {
    env: options.env,
    source: spec.source ?? 'toolModel',
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const name = modelLabel(model);
  const caller = runCaller(options, run, 'target', model, false);
  return {
    model,
    live: {
      name,
      callerFor: ({ task, step, signal, onFailedAttempt }) => {
        const request = liveModelCaller(
          caller,
          { task, prefix: [], step, speculative: false },
          // No agent call: the requests' usage reaches the ledger through the tool's record.
          { signal, reportPartialUsage: () => undefined, reportFailedAttempt: (attempt) => onFailedAttempt(attempt.usage) },
        );
        return async (modelRequest, requestOptions) => ({ ...(await request(modelRequest, requestOptions)), model: name });
      },
    },
  };
}

/** An agent of a live environment whose requests go through the run's caller (limits, budgets, retries). */
function environmentAgent(
  environment: LiveEnvironment,
  options: Omit<LiveEnvironmentAgentOptions, 'callModel'> & { caller: LiveCallerOptions },
): Agent {
  const { caller, ...agentOptions } = options;
  // Checked once, before any task: an unknown strategy fails the run at its start.
  environment.checkStrategy(agentOptions.strategy, agentOptions.strategySource);
  return (context, callOptions) =>
    environment.createAgent({ ...agentOptions, callModel: liveModelCaller(caller, context, callOptions) })(context, callOptions);
}

/**
 * The agent with its calls named `provider:modelId` in the ledger, as in recorded traces: live and in replay a call
 * is then priced by the same name, so one price table gives a run and the replay of its recording the same costs.
 */
function withModelLabel(agent: Agent, label: string): Agent {
  return async (context, options) => ({ ...(await agent(context, options)), model: label });
}

/**
 * The recorder hook: appends each finished task's trace to `path`, one line per task, flushed at once. Every API key
 * of `env` is redacted from the trace first (a reply may echo the request's key). Ids are
 * `SUITE/TASK/RUN` with a run id unique to this run, and `#2`, `#3`… after a task the run plans again.
 */
function traceWriter(
  path: string,
  run: {
    suite: string;
    approx: LiveAgent;
    target: LiveAgent;
    policyName: string;
    env: LiveSuiteOptions['env'];
    onWarning: LiveSuiteOptions['onWarning'];
    /** The environment's effect classes, for A's guesses that never ran. */
    effectOf?: TraceFromTaskResultOptions['effectOf'];
  },
): (finished: RecordedTask) => void {
  const recorder = new TraceRecorder(path);
  const runId = newRunId(new Date());
  const timesPlanned = new Map<string, number>();
  return ({ task, result }) => {
    const times = (timesPlanned.get(task.id) ?? 0) + 1;
    timesPlanned.set(task.id, times);
    const id = `${run.suite}/${task.id}/${runId}${times === 1 ? '' : `#${times}`}`;
    const trace = traceFromTaskResult(
      task,
      result,
      {
        id,
        suite: run.suite,
        models: { approx: modelLabel(run.approx.model), target: modelLabel(run.target.model) },
        extra: {
          strategies: { approx: run.approx.strategyName, target: run.target.strategyName },
          policy: run.policyName,
        },
      },
      {
        onInvalidTokens: ({ step, role, field, value }) =>
          run.onWarning?.(`${task.id} step ${step}: the ${role} model reported ${field} ${value}, not a whole number ≥ 0; recorded as unknown`),
        ...(run.effectOf === undefined ? {} : { effectOf: run.effectOf }),
      },
    );
    recorder.append(redactSecretsIn(trace, run.env));
  };
}

/**
 * A run id unique across runs: the start time to the millisecond and 6 random hex digits, e.g.
 * `run-20250101T120000.123Z-4f2a9c` (two runs started in the same millisecond still differ).
 */
export function newRunId(startedAt: Date): string {
  return `run-${startedAt.toISOString().replace(/[-:]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** The name of a live model in the ledger and in recorded traces: `provider:modelId` (spec §5 prices it). */
function modelLabel(model: ProviderModel): string {
  return `${model.spec.provider}:${model.spec.modelId}`;
}
