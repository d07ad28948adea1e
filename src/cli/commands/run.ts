/**
 * `dsp run`: live speculative planning on a suite, on the real clock, with real models.
 *
 * ```text
 * dsp run --suite openagi-react --tasks 1-20 --approx openai:gpt-4.1-mini --target openai:gpt-4.1 [--policy dsp] \
 *   [--record runs.jsonl] [--sequential-baseline]
 * dsp run --env travelplanner --tasks-from queries.txt --approx … --target …
 * ```
 *
 * One progress line per finished task, then a summary; a task that fails is reported on stderr and the run goes on
 * with the next (exit code 1 at the end). Failed calls of the approximation model are counted in each task's line
 * and in the summary, with a warning (once per run) when every A call of a task failed. `--record` appends one
 * `dsp-trace/1` line per finished task (flushed at once, so Ctrl-C leaves a valid truncated recording). `--sequential-baseline` also runs T alone on each task
 * (policy `sequential`) for a measured baseline. API keys come from the environment only and are never printed.
 */
import type { Command } from 'commander';
import { maxTimerDelayMs, type Clock } from '../../core/clock.js';
import { DspError, InvalidInputError, describeCause, isTargetCallError, isToolCallError } from '../../core/errors.js';
import type { Action, Role, TaskInput, TaskResult } from '../../core/types.js';
import { builtinPriceTable, cacheSavingUsd, unpricedRemedy, type PriceTable } from '../../ledger/prices.js';
import { isUnpriced, knownCostUsd } from '../../ledger/metrics.js';
import { checkCommandFiles } from '../../io/command-files.js';
import { loadPriceTable } from '../../io/price-file.js';
import { lockPredictorState } from '../../predictor/persistence/file-state-store.js';
import { readTextFile } from '../../io/read-text.js';
import { parsePolicySpec } from '../../policies/registry.js';
import { validatePolicySpecs } from '../../suite/create-policy.js';
import type { InterruptedTask, SuiteFailure, SuiteOutcome } from '../../suite/run-suite.js';
import { strategyByName, type ParseFailure } from '../../agents/strategies.js';
import { excerptOf } from '../../agents/errors.js';
import { parseTaskList, selectStandardTasks, taskForText, normalizeTaskText } from '../../envs/openagi/tasks.js';
import { redactSecrets } from '../../providers/providers.js';
import { approxFailuresOf, runLiveSuite, type LiveSuiteOptions, type LiveSuiteOutcome } from '../../live/live-suite.js';
import { liveSuiteName, type LiveSuiteName } from '../../suite/embedded-suites.js';
import { liveDefaults } from '../../live/live-suite.js';
import { travelPlannerLiveEnvironment } from '../../live/live-environment.js';
import { isBudgetExceededError, type BudgetSettings } from '../../live/budget.js';
import type { LimiterStats } from '../../live/limiter.js';
import { otlpTracesUrl } from '../../live/otlp-url.js';
import { retryDefaults } from '../../live/retry.js';
import { parseTraces } from '../../traces/format.js';
import type { CliIo } from '../io.js';
import { checkPoliciesWithinKMax, listOption, parseDecimalNumber, parseWholeNumber } from '../options.js';
import { formatUsd } from '../../ledger/format.js';

/** The options of `dsp run`, as parsed from the command line. */
export interface RunOptions {
  /**
   * The suite: `openagi` (OpenAGI's tasks, T's strategy from `targetStrategy`), or a name of `dsp bench --suite`:
   * `openagi-react`, `openagi-cot`, `openagi-mad` (OpenAGI's tasks with T planning as in that suite: react, cot,
   * debate). Written into recorded traces.
   */
  suite?: string;
  /**
   * The environment: `openagi` (pure planning over OpenAGI's modules) or `travelplanner` (the benchmark's tools
   * executed by the engine, agents in its ReAct format; tasks from `--tasks-from`). Default: the suite's, else
   * `openagi`.
   */
  env?: string;
  /** A selection of standard task numbers, e.g. `1-20`, run in the order given; several texts are one list. */
  tasks?: string | readonly string[];
  /** A task list (one per line) or a trace file whose tasks to run. */
  tasksFrom?: string;
  /** The approximation model spec, e.g. `openai:gpt-4.1-mini`. */
  approx: string;
  /** The target model spec. */
  target: string;
  /**
   * The model TravelPlanner's Planner calls to write the plan from the notebook (`--planner`). Default: the target's.
   * Refused outside TravelPlanner.
   */
  planner?: string;
  /** A's strategy. Default `direct`. */
  approxStrategy?: string;
  /** T's strategy. Default: the suite's (`openagi-cot`: `cot`), else `react`. */
  targetStrategy?: string;
  /** The k-policy spec. Default `dsp`, the learned policy (as in `dsp bench`). */
  policy?: string;
  /** Append a trace per task to this file. */
  record?: string;
  /** Ask A's model for token log-probabilities and give each guess A's confidence (see `LiveSuiteOptions`). */
  approxConfidence?: boolean;
  /** Also run T alone on each task. */
  sequentialBaseline?: boolean;
  /** Most steps per plan. Default 12 (OpenAGI), 30 (TravelPlanner, the benchmark agent's limit). */
  maxSteps?: number;
  /** Largest k. Default 8. */
  kMax?: number;
  /** A price file laid over the built-in table. */
  prices?: string;
  /** The `dsp` policy loads its learned state from this file (when it exists) and saves it there at the end. */
  predictorState?: string;
  /** Retries of a request that failed transiently (429, 5xx, reset, timeout). Default 2. */
  retries?: number;
  /** The longest one model request may take before it is aborted (and retried). Default 120000. */
  callTimeoutMs?: number;
  /** The most model requests in flight at once, over both agents and all tasks. Default: no limit. */
  maxConcurrency?: number;
  /** The most model requests started per minute, over both agents and all tasks. Default: no limit. */
  rpm?: number;
  /** The most tokens (input and output) of the requests started per minute, over both agents and all tasks. */
  tpm?: number;
  /** How many tasks run at once. Default 1. */
  parallel?: number;
  /** The whole run's budget, in USD. */
  budgetUsd?: number;
  /** Each task's budget, in USD. */
  taskBudgetUsd?: number;
  /** The whole run's budget, in tokens (input and output). */
  budgetTokens?: number;
  /** Each task's budget, in tokens (input and output). */
  taskBudgetTokens?: number;
}

/** What a test may replace in `dsp run`: the providers' `fetch` and the clock. */
export interface RunServices {
  /** A `fetch` for providers. Default: the global one. */
  fetch?: typeof globalThis.fetch;
  /** Default: the real clock. */
  clock?: Clock;
}

/** The outcome of a live run: the suite's outcome, with the tasks it was given and the prices it used. */
export interface RunOutcome extends SuiteOutcome {
  tasks: TaskInput[];
  priceTable: PriceTable;
  /** Counters of the run's model requests (peak in flight, speculation skipped or cut, 429s). */
  requests?: LimiterStats;
  /** Why the run stopped before its last task, when the provider refused the key (see `LiveSuiteOutcome`). */
  stoppedBy?: unknown;
  /** When the provider refused A's requests (401 or 403), so that A was not asked again (see `LiveSuiteOutcome`). */
  approxRefused?: LiveSuiteOutcome['approxRefused'];
}

/** Thrown after the summary when the user stopped the run. Exit code 130. */
export class RunInterruptedError extends DspError {
  override readonly name = 'RunInterruptedError' as const;
  override readonly exitCode = 130;
  constructor() {
    super('the run was interrupted');
  }
}

/** Thrown after the summary when some tasks (or their sequential baselines) failed; each was reported as it failed. */
export class TasksFailedError extends DspError {
  override readonly name = 'TasksFailedError' as const;
  /** How many tasks failed, in their own run or their baseline. */
  readonly failed: number;
  readonly total: number;

  constructor(options: { failed: number; total: number }) {
    super(`${options.failed} of ${plural(options.total, 'task')} failed`);
    this.failed = options.failed;
    this.total = options.total;
  }
}

/** The defaults of `dsp run`. */
export const runDefaults = {
  suite: 'openagi',
  approxStrategy: 'direct',
  targetStrategy: 'react',
  policy: 'dsp',
  maxSteps: 12,
  kMax: 8,
} as const;

/** The most steps per plan by default, per environment (TravelPlanner's: its benchmark agent's limit). */
export const runMaxStepsDefaults: Readonly<Record<string, number>> = { openagi: runDefaults.maxSteps, travelplanner: 30 };

/** The environments `dsp run` can plan in (a suite name is one of them, alone or with a target suffix). */
export const liveEnvironments = ['openagi', 'travelplanner'] as const;

/** The target suffixes of each environment's suites: TravelPlanner's agents plan directly or by ReAct only. */
const liveSuiteSuffixes: Readonly<Record<string, readonly string[]>> = { openagi: ['react', 'cot', 'mad'], travelplanner: ['react'] };

/** The suite of `dsp run --suite`, read (see `RunOptions.suite`). Throws `InvalidInputError` naming `--suite`. */
export function resolveRunSuite(suite: string): LiveSuiteName {
  return liveSuiteName(suite, liveEnvironments, '--suite', liveSuiteSuffixes);
}

/**
 * The suite of a run from `--suite` and `--env`: the suite given (whose environment must be `--env`'s when both are
 * given), else the environment's name, else `openagi`. Throws `InvalidInputError` naming the option.
 */
export function resolveRunSuiteAndEnv(options: Pick<RunOptions, 'suite' | 'env'>): LiveSuiteName {
  if (options.env !== undefined && !(liveEnvironments as readonly string[]).includes(options.env)) {
    throw new InvalidInputError(`unknown environment "${options.env}"; valid: ${liveEnvironments.join(', ')}`, { source: '--env' });
  }
  const suite = resolveRunSuite(options.suite ?? options.env ?? runDefaults.suite);
  if (options.env !== undefined && suite.environment !== options.env) {
    throw new InvalidInputError(`--suite ${suite.name} plans in ${suite.environment}, not in ${options.env}; drop one of the two`, { source: '--env' });
  }
  return suite;
}

/** The tasks `dsp run` will plan, from `--tasks` (in the order given) or `--tasks-from`. */
export function resolveRunTasks(options: Pick<RunOptions, 'suite' | 'env' | 'tasks' | 'tasksFrom'>): TaskInput[] {
  const suite = resolveRunSuiteAndEnv(options);
  if (suite.environment !== 'openagi' && options.tasks !== undefined) {
    throw new InvalidInputError(`--tasks numbers OpenAGI's standard tasks; give ${suite.environment}'s tasks with --tasks-from FILE`, { source: '--tasks' });
  }
  if ((options.tasks === undefined) === (options.tasksFrom === undefined)) {
    throw new InvalidInputError('give exactly one of --tasks (e.g. 1-20) and --tasks-from FILE');
  }
  if (options.tasks !== undefined) {
    const selection = typeof options.tasks === 'string' ? options.tasks : options.tasks.join(',');
    return selectStandardTasks(selection, '--tasks');
  }
  const path = options.tasksFrom!;
  const content = readTextFile(path);
  if (!looksLikeTraceFile(content)) return parseTaskList(content, path);
  const seen = new Set<string>();
  const tasks: TaskInput[] = [];
  for (const trace of parseTraces(content, path)) {
    const key = normalizeTaskText(trace.task);
    if (seen.has(key)) continue;
    seen.add(key);
    tasks.push(taskForText(trace.task, trace.id));
  }
  return tasks;
}

/**
 * True when a file's text looks like a trace file, not a task list: its first non-empty line is a JSON object, or
 * opens a JSON array of them (a common mistake, which the trace reader then names, rather than run each line of
 * the JSON as a task).
 */
export function looksLikeTraceFile(content: string): boolean {
  const first = content.split(/\r?\n/).find((line) => line.trim() !== '');
  return first !== undefined && /^(\{|\[\s*(\{|$))/.test(first.trim());
}

/**
 * `dsp run`'s options resolved for `runLiveSuite` (every check of the options is done here, with the flag names),
 * with the keys of `io.env`, the stop signal `io.signal` and any `services` a test replaces.
 */
export function resolveRunOptions(
  options: RunOptions,
  io: Pick<CliIo, 'env' | 'signal'>,
  services: RunServices = {},
): LiveSuiteOptions & { tasks: TaskInput[]; priceTable: PriceTable } {
  const suite = resolveRunSuiteAndEnv(options);
  const tasks = resolveRunTasks(options);
  // TravelPlanner's agents have strategies of their own (direct, react), by name; OpenAGI's are the planning strategies.
  const environment = suite.environment === 'travelplanner' ? travelPlannerLiveEnvironment() : undefined;
  const strategyOf = (name: string, source: string): LiveSuiteOptions['approx']['strategy'] => {
    if (environment === undefined) return strategyByName(name, source);
    environment.checkStrategy(name, source);
    return name as 'direct' | 'react';
  };
  const approxStrategy = strategyOf(options.approxStrategy ?? runDefaults.approxStrategy, '--approx-strategy');
  const targetStrategy = strategyOf(resolveTargetStrategy(options.targetStrategy, suite), '--target-strategy');
  if (options.planner !== undefined && environment === undefined) {
    throw new InvalidInputError(`only TravelPlanner has a planner model; ${suite.environment} plans with the agents alone`, { source: '--planner' });
  }
  const maxSteps = positiveWhole(options.maxSteps ?? runMaxStepsDefaults[suite.environment] ?? runDefaults.maxSteps, '--max-steps');
  const kMax = positiveWhole(options.kMax ?? runDefaults.kMax, '--k-max');
  const priceTable = options.prices === undefined ? builtinPriceTable : loadPriceTable(options.prices);
  const policy = parsePolicySpec(options.policy ?? runDefaults.policy, '--policy');
  validatePolicySpecs([policy], '--policy');
  checkPoliciesWithinKMax([policy], kMax, '--policy');
  return {
    suite: suite.name,
    tasks,
    approx: { model: options.approx, strategy: approxStrategy, source: '--approx' },
    target: { model: options.target, strategy: targetStrategy, source: '--target' },
    policy,
    policySource: '--policy',
    ...(environment === undefined ? {} : { environment }),
    ...(options.planner === undefined ? {} : { toolModel: { model: options.planner, source: '--planner' } }),
    sequentialBaseline: options.sequentialBaseline === true,
    maxSteps,
    kMax,
    priceTable,
    env: io.env,
    signal: io.signal,
    ...(options.record === undefined ? {} : { recordPath: options.record }),
    ...(options.approxConfidence === true ? { approxConfidence: true } : {}),
    ...(options.predictorState === undefined ? {} : { predictorStatePath: options.predictorState }),
    ...(services.fetch === undefined ? {} : { fetch: services.fetch }),
    ...(services.clock === undefined ? {} : { clock: services.clock }),
    ...(options.retries === undefined ? {} : { retry: { retries: wholeNumber(options.retries, '--retries', 0) } }),
    ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: wholeNumber(options.callTimeoutMs, '--call-timeout-ms', 1, maxTimerDelayMs) }),
    ...(options.parallel === undefined ? {} : { parallel: wholeNumber(options.parallel, '--parallel', 1) }),
    limits: {
      ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: wholeNumber(options.maxConcurrency, '--max-concurrency', 1) }),
      ...(options.rpm === undefined ? {} : { requestsPerMinute: wholeNumber(options.rpm, '--rpm', 1) }),
      ...(options.tpm === undefined ? {} : { tokensPerMinute: wholeNumber(options.tpm, '--tpm', 1) }),
    },
    budget: {
      ...budgetOf(options.budgetUsd, options.budgetTokens, 'run'),
      ...budgetOf(options.taskBudgetUsd, options.taskBudgetTokens, 'task'),
    },
  };
}

function positiveWhole(value: number, source: string): number {
  return parseWholeNumber(String(value), source, 1);
}

/**
 * T's strategy: the one given, the suite's (`openagi-mad`: debate), else `react`. A strategy given against the
 * suite's would record traces under a name that says otherwise: refused, naming both options.
 */
function resolveTargetStrategy(given: string | undefined, suite: LiveSuiteName): string {
  if (given !== undefined && suite.targetStrategy !== undefined && given !== suite.targetStrategy) {
    throw new InvalidInputError(
      `"${given}" contradicts --suite ${suite.name}, whose target plans with ${suite.targetStrategy}; ` +
        `drop one of the two (--suite ${suite.environment} takes any target strategy)`,
      { source: '--target-strategy' },
    );
  }
  return given ?? suite.targetStrategy ?? runDefaults.targetStrategy;
}

function wholeNumber(value: number, source: string, minimum: number, maximum?: number): number {
  return parseWholeNumber(String(value), source, minimum, maximum);
}

/** A positive amount of USD, e.g. `0.50`. */
export function parseUsd(text: string, option: string): number {
  return parseDecimalNumber(text, option, 'a decimal amount of USD > 0, e.g. 0.50', (value) => value > 0);
}

function budgetOf(usd: number | undefined, tokens: number | undefined, scope: 'run' | 'task'): BudgetSettings {
  if (usd === undefined && tokens === undefined) return {};
  return { [scope]: { ...(usd === undefined ? {} : { usd }), ...(tokens === undefined ? {} : { tokens }) } };
}

/** A plan on one line: actions joined by arrows. */
export function renderPlan(plan: readonly Action[]): string {
  return plan.map((action) => (typeof action === 'string' ? action : JSON.stringify(action))).join(' → ');
}

/** The progress line of one finished task (pure). */
export function renderTaskLine(input: {
  index: number;
  total: number;
  task: TaskInput;
  result: TaskResult;
  baseline?: TaskResult | undefined;
}): string {
  const { index, total, task, result, baseline } = input;
  const metrics = result.metrics;
  const width = String(total).length;
  const parts = [
    `[${String(index + 1).padStart(width)}/${total}] ${task.id}`,
    `${plural(metrics.steps, 'step')} in ${plural(metrics.rounds, 'round')}`,
    `${seconds(metrics.latencyMs)} (sequential estimate ${seconds(metrics.sequentialLatencyMs)}, ×${metrics.speedup.toFixed(2)})`,
    `mean k ${metrics.meanK.toFixed(1)}`,
    money(metrics.costUsd, metrics.unpricedCalls),
  ];
  const approx = approxFailuresOf(result);
  if (approx.failed > 0) parts.push(`A failed ${approx.failed} of ${plural(approx.calls, 'call')}`);
  if (baseline !== undefined) {
    const samePlan = JSON.stringify(baseline.plan) === JSON.stringify(result.plan);
    const speedup = result.metrics.latencyMs > 0 ? baseline.metrics.latencyMs / result.metrics.latencyMs : 1;
    parts.push(`sequential run ${seconds(baseline.metrics.latencyMs)} (×${speedup.toFixed(2)}, ${samePlan ? 'same plan' : 'DIFFERENT plan'})`);
  }
  return `${parts.join(' · ')}\n    plan: ${renderPlan(result.plan)}`;
}

/** The line `dsp run` prints on stderr when a task or its baseline fails (pure). */
export function renderTaskFailure(failure: SuiteFailure): string {
  const run = failure.run === 'speculative' ? `task ${failure.task.id}` : `task ${failure.task.id}: the sequential baseline`;
  const step = failure.step === undefined ? '' : ` at step ${failure.step}`;
  // The step and task are said once: a target failure's own message repeats them.
  const cause = isTargetCallError(failure.error) || isToolCallError(failure.error) ? describeCause(failure.error.cause) : describeCause(failure.error);
  return `dsp: ${run} failed${step}: ${cause}`;
}

/**
 * The warning printed (once per run) when every call of the approximation model failed in a task: nothing was
 * speculated, the task ran at T's pace (pure; the caller redacts secrets from `cause`).
 */
export function renderApproxDownWarning(task: TaskInput, failures: { failed: number; cause: string }): string {
  return (
    `warning: ${task.id}: ${failures.failed === 1 ? 'the only call' : `all ${failures.failed} calls`} of the approximation model failed, so nothing was speculated ` +
    `(the task ran as the target alone): ${failures.cause}. Said once; each task line and the summary count A's failures.`
  );
}

/** The warning printed when a model's reply names no action (pure). */
export function renderParseFailure(role: Role, failure: ParseFailure): string {
  const consequence = failure.outcome === 'mismatch' ? 'counted as a mismatch' : 'the task stops';
  return `warning: ${failure.taskId} step ${failure.step}: the ${role} reply had no parsable action (${failure.reason}; ${consequence}): "${excerptOf(failure.reply, 120)}"`;
}

/** The models of the calls and tool model requests that have a usage but no price, each once, quoted. */
function unpricedModels(results: readonly TaskResult[]): string[] {
  const models = new Set<string>();
  for (const result of results) {
    for (const call of [...result.records, ...(result.toolRecords ?? [])]) {
      if (isUnpriced(call)) models.add(JSON.stringify(call.model ?? 'unnamed'));
    }
  }
  return [...models];
}

/** The summary printed at the end of a run (pure). */
export function renderRunSummary(input: {
  outcome: RunOutcome;
  options: RunOptions;
  recordedTo?: string | undefined;
  /** Where the run's OpenTelemetry spans were exported. */
  tracesTo?: string | undefined;
}): string {
  const { outcome, options } = input;
  const metrics = outcome.metrics;
  const lines: string[] = [];
  lines.push(
    `Summary${outcome.interrupted ? ' (interrupted)' : renderStop(outcome)}: ${renderTaskCounts(outcome)}, policy ${options.policy ?? runDefaults.policy}`,
    `  approx ${options.approx} (${options.approxStrategy ?? runDefaults.approxStrategy}), target ${options.target} (${options.targetStrategy ?? runDefaults.targetStrategy})`,
  );
  if (outcome.results.length === 0) {
    lines.push('  no task finished');
  } else {
    lines.push(
      `  latency        ${seconds(metrics.latencyMs)} per task (sequential estimate ${seconds(metrics.sequentialLatencyMs)}, speedup ×${metrics.speedup.toFixed(2)})`,
    );
    if (outcome.baselines.length > 0) lines.push(renderBaselineSummary(outcome));
    lines.push(
      `  cost           ${dollars(metrics.costUsd)} per task (sequential ${dollars(metrics.sequentialCostUsd)}, overhead ${dollars(metrics.overheadCostUsd)}, wasted ${dollars(metrics.wastedCostUsd)}; prices: ${outcome.priceTable.name})`,
      `  concurrency    peak ${metrics.peakConcurrency.toFixed(1)}, mean ${metrics.meanConcurrency.toFixed(2)}; mean k ${metrics.meanK.toFixed(2)}`,
    );
    if (metrics.unpricedCalls > 0) {
      lines.push(
        `  unpriced calls ${metrics.unpricedCalls} (no price for ${unpricedModels(outcome.results).join(', ')}: ` +
          `a cost that includes them is unknown, ?; ${unpricedRemedy(outcome.priceTable.name)})`,
      );
    }
    const toolModels = renderToolModelCalls(outcome.results);
    if (toolModels !== undefined) lines.push(toolModels);
    const approxFailures = renderApproxFailures(outcome.results);
    if (approxFailures !== undefined) lines.push(approxFailures);
    if (options.approxConfidence === true) lines.push(renderApproxConfidence(outcome.results));
    const cache = renderCacheSaving(outcome);
    if (cache !== undefined) lines.push(cache);
  }
  if (outcome.approxRefused !== undefined) lines.push(renderApproxRefused(outcome.approxRefused));
  const requests = outcome.requests;
  if (requests !== undefined && (options.maxConcurrency !== undefined || requests.rateLimited > 0 || requests.skipped > 0)) {
    const limit = options.maxConcurrency === undefined ? '' : ` (limit ${options.maxConcurrency})`;
    const promoted = requests.promoted > 0 ? `; ${requests.promoted} promoted to the committed path` : '';
    lines.push(
      `  requests       peak ${requests.peakInFlight} in flight${limit}; ${plural(requests.rateLimited, 'refusal')} with 429; ${requests.skipped} speculative skipped or cut${promoted}`,
    );
  }
  if (requests !== undefined && options.tpm !== undefined) {
    lines.push(
      `  tokens         peak ${requests.peakWindowTokens} in a minute (limit ${options.tpm}); ${requests.tokenOverrun} used beyond their estimates`,
    );
  }
  const budgets = [
    options.budgetUsd === undefined ? undefined : `$${formatUsd(options.budgetUsd)} per run`,
    options.budgetTokens === undefined ? undefined : `${options.budgetTokens} tokens per run`,
    options.taskBudgetUsd === undefined ? undefined : `$${formatUsd(options.taskBudgetUsd)} per task`,
    options.taskBudgetTokens === undefined ? undefined : `${options.taskBudgetTokens} tokens per task`,
  ].filter((part) => part !== undefined);
  if (budgets.length > 0) {
    const stopped = outcome.failures.filter(
      (failure) => (isTargetCallError(failure.error) || isToolCallError(failure.error)) && isBudgetExceededError(failure.error.cause),
    ).length;
    // Tool executions' model requests (TravelPlanner's Planner) are billed in their tool records.
    const ledger = [
      ...outcome.results.flatMap((result) => [...result.records, ...(result.toolRecords ?? [])]),
      ...outcome.failures.flatMap((failure) => [...(failure.records ?? []), ...(failure.toolRecords ?? [])]),
      ...outcome.interruptedTasks.flatMap((task) => [...task.records, ...task.toolRecords]),
    ];
    const spentUsd = ledger.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
    lines.push(
      `  budget         ${budgets.join(', ')}: ${plural(stopped, 'task')} stopped by it; $${formatUsd(spentUsd)} spent in all (stopped tasks included)`,
    );
  }
  lines.push(...renderRetriesAndFailedSpend(outcome));
  if (input.recordedTo !== undefined) lines.push(`  recorded       ${outcome.results.length} traces appended to ${input.recordedTo}`);
  if (input.tracesTo !== undefined) lines.push(`  telemetry      spans exported over OTLP/HTTP to ${input.tracesTo}`);
  return lines.join('\n');
}

/** The summary's lines on the finished tasks' failed attempts and on what the failed tasks spent. */
function renderRetriesAndFailedSpend(outcome: RunOutcome): string[] {
  const lines: string[] = [];
  const retried = outcome.results.flatMap((result) => result.records).filter((record) => record.attemptOf !== undefined);
  if (retried.length > 0) {
    const costUsd = retried.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
    lines.push(`  retried        ${plural(retried.length, 'failed attempt')} (in the ledger with status failed, $${formatUsd(costUsd)} in all)`);
  }
  const failedSpend = renderFailedSpend(outcome.failures);
  if (failedSpend !== undefined) lines.push(failedSpend);
  const interruptedSpend = renderInterruptedSpend(outcome.interruptedTasks);
  if (interruptedSpend !== undefined) lines.push(interruptedSpend);
  return lines;
}

/**
 * The summary's line on what the tasks cut off by the stop spent (their ledgers up to it: calls finished, cancelled
 * in flight and failed), which no figure per task counts; undefined when none had made a call.
 */
function renderInterruptedSpend(interrupted: readonly InterruptedTask[]): string | undefined {
  const runs = interrupted.filter((task) => task.records.length > 0 || task.toolRecords.length > 0);
  if (runs.length === 0) return undefined;
  const ledger = runs.flatMap((task) => [...task.records, ...task.toolRecords]);
  const costUsd = knownCostUsd(ledger);
  const baselines = runs.filter((task) => task.run === 'sequential-baseline').length;
  const several = baselines === 0 ? `${runs.length} tasks` : `${runs.length} runs`;
  const who = runs.length === 1 ? (baselines === 1 ? 'the sequential baseline' : 'the task') : several;
  const which = runs.length > 1 && baselines > 0 ? ` (${plural(baselines, 'sequential baseline')} among them)` : '';
  return `  interrupted    ${dollars(costUsd)} spent by ${who} cut off${which} (not in the cost per task above)`;
}

/**
 * The summary's line on what the failed tasks spent (their ledgers: the calls before the failure, the failing call
 * and its retries), which no figure per task counts; undefined when no failed task has a record.
 */
function renderFailedSpend(failures: readonly SuiteFailure[]): string | undefined {
  const ledger = failures.flatMap((failure) => [...(failure.records ?? []), ...(failure.toolRecords ?? [])]);
  if (ledger.length === 0) return undefined;
  const costUsd = knownCostUsd(ledger);
  const attempts = ledger.filter((record) => 'attemptOf' in record && record.attemptOf !== undefined).length;
  const included = attempts > 0 ? `, ${plural(attempts, 'failed attempt')} included` : '';
  return `  failed tasks   ${dollars(costUsd)} spent by ${plural(failures.length, 'failed task')}${included} (not in the cost per task above)`;
}

/** The summary's line on A's failed calls over the finished tasks; undefined when none failed. */
function renderApproxFailures(results: readonly TaskResult[]): string | undefined {
  const perTask = results.map(approxFailuresOf);
  const failed = perTask.reduce((sum, task) => sum + task.failed, 0);
  if (failed === 0) return undefined;
  const calls = perTask.reduce((sum, task) => sum + task.calls, 0);
  const tasksWithFailures = perTask.filter((task) => task.failed > 0).length;
  const allFailed = perTask.filter((task) => task.calls > 0 && task.failed === task.calls).length;
  return (
    `  A failures     ${failed} of ${plural(calls, 'call')} of the approximation model failed, in ${tasksWithFailures} of ` +
    `${plural(results.length, 'task')}; every A call failed in ${plural(allFailed, 'task')}`
  );
}

/**
 * The summary's line of `--approx-confidence`: how many of A's answered guesses came with its confidence, and their
 * mean; it says so when none did (the provider returned no log-probabilities), since nothing else would.
 */
function renderApproxConfidence(results: readonly TaskResult[]): string {
  const guesses = results
    .flatMap((result) => result.records)
    .filter((record) => record.role === 'approx' && record.action !== undefined && record.attemptOf === undefined);
  const confidences = guesses.flatMap((record) => (record.confidence === undefined ? [] : [record.confidence]));
  const guessCount = `${guesses.length} ${guesses.length === 1 ? 'guess' : 'guesses'}`;
  if (confidences.length === 0) {
    return `  A confidence   none of ${guessCount} came with A's confidence: its provider returned no log-probabilities`;
  }
  const mean = confidences.reduce((sum, value) => sum + value, 0) / confidences.length;
  return `  A confidence   ${confidences.length} of ${guessCount} came with A's confidence (mean ${mean.toFixed(2)})`;
}

/**
 * The model calls of tool executions (TravelPlanner's Planner) in the finished tasks: how many, the models, their
 * tokens and cost, which the cost line already counts (pure). Undefined when no execution called a model.
 */
function renderToolModelCalls(results: RunOutcome['results']): string | undefined {
  const records = results.flatMap((result) => result.toolRecords ?? []).filter((record) => record.usage !== undefined);
  if (records.length === 0) return undefined;
  const models = [...new Set(records.map((record) => record.model))].join(', ');
  const inputTokens = records.reduce((sum, record) => sum + (record.usage!.inputTokens ?? 0), 0);
  const outputTokens = records.reduce((sum, record) => sum + (record.usage!.outputTokens ?? 0), 0);
  const retried = records.reduce((sum, record) => sum + (record.failedAttempts ?? 0), 0);
  const unpriced = records.some((record) => record.costUsd === undefined && (record.usage!.inputTokens !== undefined || record.usage!.outputTokens !== undefined));
  const costUsd = unpriced ? null : records.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
  return (
    `  tool models    ${plural(records.length, 'execution')} called ${models}: ${inputTokens} input + ${outputTokens} output tokens, ` +
    `${dollars(costUsd)} in all${retried > 0 ? `, ${plural(retried, 'failed attempt')} included` : ''} (counted in the cost above)`
  );
}

/**
 * The share of input tokens the providers read from their prompt caches and what it saved against the list input
 * price (finished tasks); undefined when no call reported cached tokens.
 */
function renderCacheSaving(outcome: RunOutcome): string | undefined {
  const records = outcome.results.flatMap((result) => result.records);
  const cachedTokens = records.reduce((sum, record) => sum + (record.usage.cachedInputTokens ?? 0), 0);
  if (cachedTokens === 0) return undefined;
  const inputTokens = records.reduce((sum, record) => sum + (record.usage.inputTokens ?? 0), 0);
  const savingUsd = records.reduce((sum, record) => sum + cacheSavingUsd(outcome.priceTable, record.model, record.usage), 0);
  const share = inputTokens > 0 ? Math.round((100 * cachedTokens) / inputTokens) : 0;
  return (
    `  cached input   ${share}% of input tokens (${cachedTokens} of ${inputTokens}) read from the providers' caches: ` +
    `$${formatUsd(savingUsd / outcome.results.length)} per task saved against the list price ($${formatUsd(savingUsd)} in all)`
  );
}

/** The summary's line when A's provider refused its requests: A was left out of the rest of the run. */
function renderApproxRefused(refused: NonNullable<RunOutcome['approxRefused']>): string {
  return (
    `  A refused      the provider refused the approximation model (HTTP ${refused.error.statusCode}) in ${refused.taskId}, ` +
    'so A was not asked again: the rest of the run planned with the target alone (same plans, at its pace)'
  );
}

/** The summary's heading note when the provider refused the key: the run stopped, the tasks left were not run. */
function renderStop(outcome: RunOutcome): string {
  if (outcome.stoppedBy === undefined) return '';
  const ran = new Set([...outcome.results.map((result) => result.taskId), ...outcome.failures.map((failure) => failure.task.id)]);
  const notRun = outcome.tasks.filter((task) => !ran.has(task.id)).length;
  return ` (stopped: the provider refused the key or its access to the model, so every task would fail; ${notRun} not run)`;
}

/** `4 of 4 tasks`, or with failures `3 of 4 tasks finished, 1 failed`. */
function renderTaskCounts(outcome: RunOutcome): string {
  const counts = `${outcome.results.length} of ${outcome.tasks.length} tasks`;
  if (outcome.failures.length === 0) return counts;
  const taskFailures = outcome.failures.filter((failure) => failure.run === 'speculative').length;
  const baselineFailures = outcome.failures.length - taskFailures;
  const baselines = baselineFailures === 0 ? '' : ` (${plural(baselineFailures, 'sequential baseline')} failed)`;
  return `${counts} finished, ${taskFailures} failed${baselines}`;
}

/** The measured baseline line: each finished baseline against its task's speculative run. */
function renderBaselineSummary(outcome: RunOutcome): string {
  const resultsByTask = new Map(outcome.results.map((result) => [result.taskId, result]));
  const pairs = outcome.baselines.map((baseline) => ({ baseline, result: resultsByTask.get(baseline.taskId)! }));
  const mean = pairs.reduce((sum, { baseline }) => sum + baseline.metrics.latencyMs, 0) / pairs.length;
  const meanLatency = pairs.reduce((sum, { result }) => sum + result.metrics.latencyMs, 0) / pairs.length;
  // As every speedup of a suite: the ratio of the mean latencies, not the mean of per-task ratios.
  const speedup = meanLatency > 0 ? mean / meanLatency : 1;
  const samePlans = pairs.filter(({ baseline, result }) => JSON.stringify(baseline.plan) === JSON.stringify(result.plan)).length;
  return `  sequential run ${seconds(mean)} per task measured (speedup ×${speedup.toFixed(2)}; same plan on ${samePlans} of ${pairs.length} tasks)`;
}

function strategyName(strategy: LiveSuiteOptions['approx']['strategy']): string {
  return typeof strategy === 'string' ? strategy : strategy.name;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

/** A cost as the run prints it: `$0.01234`, or `?` when unknown (some call is unpriced). */
function dollars(costUsd: number | null): string {
  return costUsd === null ? '?' : `$${formatUsd(costUsd)}`;
}

function money(costUsd: number | null, unpricedCalls: number): string {
  return unpricedCalls > 0 ? `${dollars(costUsd)} (${plural(unpricedCalls, 'unpriced call')})` : dollars(costUsd);
}

/**
 * Runs `dsp run`: prints a line per finished task and the summary on `io.stdout`, a line per failed task and the
 * warnings on `io.stderr`, every line passed through `redactSecrets`; API keys come from `io.env`, and `io.signal`
 * stops the run. Throws typed errors for the
 * CLI's entry point to print (messages passed through `redactSecrets`): bad input before the first task; after the
 * summary, `RunInterruptedError` when the run was stopped, else `TasksFailedError` when any task failed.
 */
export async function runCommandAction(options: RunOptions, io: CliIo, services: RunServices = {}): Promise<RunOutcome> {
  const redact = (text: string): string => redactSecrets(text, io.env);
  const printError = (line: string): void => void io.stderr.write(`${redact(line)}\n`);
  let warnedApproxDown = false;
  const warnIfApproxDown = (task: TaskInput, result: TaskResult): void => {
    const approx = approxFailuresOf(result);
    if (warnedApproxDown || approx.calls === 0 || approx.failed < approx.calls) return;
    warnedApproxDown = true;
    printError(renderApproxDownWarning(task, { failed: approx.failed, cause: approx.firstError ?? 'unknown' }));
  };
  const onStop = (): void => void io.stderr.write('\ndsp run: stopping (Ctrl-C again to quit at once)…\n');
  io.signal.addEventListener('abort', onStop, { once: true });
  let outcome: RunOutcome;
  // The options as they ran (defaults resolved), for the summary.
  let shown: RunOptions;
  // Spans go out over OTLP/HTTP only when the standard environment asks for it; the SDK is loaded only then.
  const traces = otlpTracesUrl(io.env) === undefined ? undefined : (await import('../../live/otlp.js')).startOtlpExport(io.env);
  try {
    checkCommandFiles([
      { path: options.tasksFrom, flag: '--tasks-from', use: 'read' },
      { path: options.prices, flag: '--prices', use: 'read' },
      { path: options.predictorState, flag: '--predictor-state', use: 'read-write' },
      { path: options.record, flag: '--record', use: 'append' },
    ]);
    const resolved = resolveRunOptions(options, io, services);
    // Held for the whole run: a second run on the same state is refused at its start, naming this one.
    const onWarning = (line: string): void => printError(`warning: ${line}`);
    const stateLock = options.predictorState === undefined ? undefined : lockPredictorState(options.predictorState, { onWarning });
    try {
      const suiteOutcome = await runLiveSuite({
        ...resolved,
        ...(traces === undefined ? {} : { tracer: traces.tracer }),
        onTaskFinished: (finished) => {
          io.stdout.write(`${redact(renderTaskLine(finished))}\n`);
          warnIfApproxDown(finished.task, finished.result);
        },
        onTaskFailed: (failure) => printError(renderTaskFailure(failure)),
        onParseFailure: (role, failure) => printError(renderParseFailure(role, failure)),
        onWarning,
      });
      outcome = { ...suiteOutcome, tasks: resolved.tasks, priceTable: resolved.priceTable };
      shown = {
        ...options,
        policy: resolved.policy.name,
        approxStrategy: strategyName(resolved.approx.strategy),
        targetStrategy: strategyName(resolved.target.strategy),
      };
    } finally {
      stateLock?.release();
    }
  } catch (error) {
    if (error instanceof Error) error.message = redact(error.message);
    throw error;
  } finally {
    io.signal.removeEventListener('abort', onStop);
    await traces?.shutdown();
  }
  // The summary names the models as given, and a key may have been pasted where a model name goes.
  io.stdout.write(`${redact(renderRunSummary({ outcome, options: shown, recordedTo: options.record, tracesTo: traces?.url }))}\n`);
  if (outcome.interrupted) throw new RunInterruptedError();
  if (outcome.failures.length > 0) {
    const failed = new Set(outcome.failures.map((failure) => failure.index)).size;
    throw new TasksFailedError({ failed, total: outcome.tasks.length });
  }
  return outcome;
}

/**
 * Adds `dsp run` to a Commander program. Failures are thrown to the program's caller (`main` prints them; bad
 * input is an `InvalidInputError` or `MissingApiKeyError`). When `io.signal` aborts (the first Ctrl-C) the run stops
 * gracefully: in-flight calls are cancelled, finished tasks are summarised and stay recorded, and
 * `RunInterruptedError` is thrown.
 */
export function registerRunCommand(program: Command, io: CliIo): Command {
  const wholeNumber = (option: string) => (text: string) => parseWholeNumber(text, option, 1);
  return program
    .command('run')
    .description('plan a suite live with real models: speculative planning on the real clock')
    .option(
      '--suite <name>',
      "openagi, or a suite of `dsp bench`: openagi-react, openagi-cot or openagi-mad (the target then plans as in that suite: react, cot, debate); travelplanner or travelplanner-react (default: --env's, else openagi)",
    )
    .option('--env <name>', "the environment: openagi (pure planning) or travelplanner (the benchmark's tools, executed; tasks from --tasks-from)")
    .addOption(
      listOption('--tasks <selection...>', 'standard task numbers, 0-based as in the OpenAGI task list, run in the order given, e.g. 1-20 or 16,3,7-9'),
    )
    .option('--tasks-from <file>', 'a task list (one per line) or a dsp-trace/1 file whose tasks to run')
    .requiredOption('--approx <spec>', 'the approximation model, e.g. openai:gpt-4.1-mini')
    .requiredOption('--target <spec>', 'the target model, e.g. openai:gpt-4.1')
    .option('--planner <spec>', "travelplanner: the model the Planner calls to write the plan (default: --target's)")
    .option('--approx-strategy <name>', 'direct, cot, react or debate', runDefaults.approxStrategy)
    .option('--target-strategy <name>', "direct, cot, react or debate (default: the suite's, else react)")
    .option('--policy <policy>', 'dsp[:tau=…,beta=…] (the learned policy), sequential, fixed:K or additive', runDefaults.policy)
    .option('--record <file>', 'append one dsp-trace/1 line per finished task to this file')
    .option('--approx-confidence', "give the policy A's confidence in each guess, from its token log-probabilities (OpenAI, DeepSeek, openai-compatible)")
    .option('--sequential-baseline', 'also run the target alone on each task, for a measured baseline', false)
    .option('--max-steps <n>', 'most steps per plan (default: 12 for openagi, 30 for travelplanner)', wholeNumber('--max-steps'))
    .option('--k-max <n>', 'largest k a policy may choose', wholeNumber('--k-max'), runDefaults.kMax)
    .option('--prices <file>', 'a price table (JSON) laid over the built-in one')
    .option('--predictor-state <file>', 'the dsp policy loads its learned state from this file and saves it back')
    .option(
      '--retries <n>',
      'retries of a request that failed transiently (408, 409, 429, 5xx, reset, timeout), with backoff',
      (text: string) => parseWholeNumber(text, '--retries', 0),
      retryDefaults.retries,
    )
    .option(
      '--max-concurrency <n>',
      'the most model requests in flight at once, over both agents and all tasks (the committed path goes first)',
      (text: string) => parseWholeNumber(text, '--max-concurrency', 1),
    )
    .option('--rpm <n>', 'the most model requests started per minute, over both agents and all tasks', (text: string) =>
      parseWholeNumber(text, '--rpm', 1),
    )
    .option(
      '--tpm <n>',
      'the most tokens (input and output, estimated, then as reported) of the requests started per minute, over both agents and all tasks',
      (text: string) => parseWholeNumber(text, '--tpm', 1),
    )
    .option('--parallel <n>', 'how many tasks run at once (not with the dsp policy)', (text: string) => parseWholeNumber(text, '--parallel', 1))
    .option('--budget-usd <usd>', "the run's budget in USD: speculation is cut first, then tasks stop", (text: string) => parseUsd(text, '--budget-usd'))
    .option('--task-budget-usd <usd>', "each task's budget in USD", (text: string) => parseUsd(text, '--task-budget-usd'))
    .option('--budget-tokens <n>', "the run's budget in tokens (input and output)", (text: string) => parseWholeNumber(text, '--budget-tokens', 1))
    .option('--task-budget-tokens <n>', "each task's budget in tokens", (text: string) => parseWholeNumber(text, '--task-budget-tokens', 1))
    .option(
      '--call-timeout-ms <ms>',
      'the longest one model request may take before it is aborted (and retried as a transient failure)',
      // A longer timer would fire at once and time out every request.
      (text: string) => parseWholeNumber(text, '--call-timeout-ms', 1, maxTimerDelayMs),
      liveDefaults.callTimeoutMs,
    )
    .addHelpText(
      'after',
      '\nModel specs: openai:MODEL, deepseek:MODEL, anthropic:MODEL, openai-compatible:MODEL@http://host:port/v1.\n' +
        'API keys are read from OPENAI_API_KEY, DEEPSEEK_API_KEY, ANTHROPIC_API_KEY and (optional)\n' +
        'DSP_OPENAI_COMPATIBLE_API_KEY; they are never printed or recorded.\n' +
        'OpenTelemetry: set OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) to export the\n' +
        "run's spans (run, task, round, call, request) over OTLP/HTTP.\n\n" +
        "Examples (the first two need no key: a local server replays the example traces in the package's data/examples/;\n" +
        "run them from the package's folder):\n" +
        '  $ dsp serve --traces data/examples/openagi-mini.jsonl --port 8787 --speed 10 &\n' +
        '  $ dsp run --tasks-from data/examples/openagi-mini.jsonl --policy fixed:3 \\\n' +
        '      --approx openai-compatible:approx@http://127.0.0.1:8787/v1 --target openai-compatible:target@http://127.0.0.1:8787/v1\n' +
        '  $ dsp run --suite openagi-react --tasks 11-15 --approx openai:gpt-4.1-mini --target openai:gpt-4.1 --record runs.jsonl\n\n' +
        "TravelPlanner (the benchmark's ReAct prompt, its tools executed by the engine), with no key:\n" +
        '  $ dsp serve --traces data/examples/travelplanner-mini.jsonl --port 8787 --speed 20 &\n' +
        '  $ dsp run --env travelplanner --tasks-from data/examples/travelplanner-mini.jsonl --policy fixed:4 \\\n' +
        '      --approx openai-compatible:approx@http://127.0.0.1:8787/v1 --target openai-compatible:target@http://127.0.0.1:8787/v1\n',
    )
    .action(async (options: RunOptions) => {
      await runCommandAction(options, io);
    });
}
