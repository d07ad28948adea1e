/**
 * A live run: speculative planning on a suite with real models through the AI SDK, on the real clock. From
 * resolved options (model specs, strategies, a policy spec, a record path) it builds the agents, the policy and the
 * trace recorder, and runs them through `runSuite`, which owns the loop, failure isolation and interruption.
 *
 * This folder sits above the agents, providers and environments it assembles, and below the CLI.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import type { Agent, Role, TaskResult } from '../core/types.js';
import { createAiSdkAgent } from '../agents/ai-sdk.js';
import type { ActionSpace } from '../agents/action-space.js';
import type { ParseFailure, PlanningStrategy, StrategyName } from '../agents/strategies.js';
import { preloadTokenCounters } from '../agents/tokenizer.js';
import { openAgiActionSpace } from '../envs/openagi/actions.js';
import type { PolicySpec } from '../policies/registry.js';
import { createLanguageModel, redactSecretsIn, type ProviderModel } from '../providers/providers.js';
import { createPolicy } from '../suite/create-policy.js';
import { runSuite, type RecordedTask, type RunSuiteOptions, type SuiteOutcome } from '../suite/run-suite.js';
import { TraceRecorder } from '../traces/format.js';
import { traceFromTaskResult } from '../traces/from-task-result.js';

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
    'tasks' | 'signal' | 'sequentialBaseline' | 'maxSteps' | 'kMax' | 'priceTable' | 'onTaskStarted' | 'onRound' | 'onTaskFinished' | 'onTaskFailed'
  > {
  /** The suite's name, written into recorded traces, e.g. `openagi`. */
  suite: string;
  approx: LiveAgentSpec;
  target: LiveAgentSpec;
  /** The k-policy. The oracle needs a recorded future and is refused. */
  policy: PolicySpec;
  /** Where the policy spec came from, named in its errors (e.g. `--policy`). Default `policy`. */
  policySource?: string;
  /** The actions the agents plan with. Default: OpenAGI's. */
  actionSpace?: ActionSpace;
  /** Append one `dsp-trace/1` line per finished task to this file (each flushed at once). */
  recordPath?: string;
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
}

/**
 * Runs a suite live and returns `runSuite`'s outcome. Throws typed errors before the first task for bad options
 * (`InvalidInputError`) and missing keys (`MissingApiKeyError`); a failing task is reported, not thrown.
 */
export async function runLiveSuite(options: LiveSuiteOptions): Promise<SuiteOutcome> {
  if (options.policy.kind === 'oracle') {
    throw new InvalidInputError('the oracle policy needs the future of a recorded trace: use it in replay, not in dsp run', {
      source: options.policySource ?? 'policy',
    });
  }
  const actionSpace = options.actionSpace ?? openAgiActionSpace;
  const approx = createLiveAgent('approx', options, actionSpace);
  const target = createLiveAgent('target', options, actionSpace);
  // Build the tokenizers now: building one blocks for about a second, which must not happen mid-run.
  await preloadTokenCounters([approx.model.modelName, target.model.modelName]);

  // Created last, so that nothing can fail before the `finally` that closes it (a dsp policy owns a worker).
  const policy = createPolicy(options.policy, {}, {
    // Live: a learning policy never makes planning wait for its trainer.
    deterministic: false,
    ...(options.predictorStatePath === undefined ? {} : { predictorStatePath: options.predictorStatePath }),
  });
  const { tasks, signal, clock, sequentialBaseline, maxSteps, kMax, priceTable, suite, recordPath } = options;
  const { onTaskStarted, onRound, onTaskFinished, onTaskFailed } = options;
  try {
    return await runSuite({
      tasks,
      signal,
      clock,
      sequentialBaseline,
      maxSteps,
      kMax,
      priceTable,
      onTaskStarted,
      onRound,
      onTaskFinished,
      onTaskFailed,
      approx: approx.agent,
      target: target.agent,
      policy,
      actionsMatch: actionSpace.actionsMatch,
      isTerminal: actionSpace.isTerminal,
      models: { approx: modelLabel(approx.model), target: modelLabel(target.model) },
      ...(recordPath === undefined
        ? {}
        : { record: traceWriter(recordPath, { suite, approx, target, policyName: policy.name, env: options.env, onWarning: options.onWarning }) }),
    });
  } finally {
    await policy.close?.();
  }
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
  const answered = result.records.filter((record) => record.role === 'approx' && record.status !== 'cancelled');
  const failed = answered.filter((record) => record.error !== undefined);
  return { calls: answered.length, failed: failed.length, firstError: failed[0]?.error };
}

/** A live agent with the provider model behind it. */
interface LiveAgent {
  agent: Agent;
  model: ProviderModel;
  strategyName: string;
}

function createLiveAgent(role: Role, options: LiveSuiteOptions, actionSpace: ActionSpace): LiveAgent {
  const spec = options[role];
  const model = createLanguageModel(spec.model, {
    env: options.env,
    source: spec.source ?? role,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const onParseFailure = options.onParseFailure;
  const agent = createAiSdkAgent({
    model: model.model,
    actionSpace,
    strategy: spec.strategy,
    // A's unparsable reply is a guess that matches nothing; T's would change the plan, so it fails the task.
    onUnparsable: role === 'approx' ? 'mismatch' : 'throw',
    ...(onParseFailure === undefined ? {} : { onParseFailure: (failure: ParseFailure) => onParseFailure(role, failure) }),
  });
  return { agent: withModelLabel(agent, modelLabel(model)), model, strategyName: typeof spec.strategy === 'string' ? spec.strategy : spec.strategy.name };
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
