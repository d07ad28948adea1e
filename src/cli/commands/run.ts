/**
 * `dsp run`: live speculative planning on a suite, on the real clock, with real models.
 *
 * ```text
 * dsp run --suite openagi --tasks 1-20 --approx openai:gpt-4.1-mini --target openai:gpt-4.1 --policy additive \
 *   [--record runs.jsonl] [--sequential-baseline]
 * ```
 *
 * One progress line per finished task, then a summary; a task that fails is reported on stderr and the run goes on
 * with the next (exit code 1 at the end). `--record` appends one `dsp-trace/1` line per finished task (flushed at
 * once, so Ctrl-C leaves a valid truncated recording). `--sequential-baseline` also runs T alone on each task
 * (policy `sequential`) for a measured baseline. API keys come from the environment only and are never printed.
 */
import type { Command } from 'commander';
import type { Clock } from '../../core/clock.js';
import { DspError, InvalidInputError, describeCause, isTargetCallError } from '../../core/errors.js';
import type { Action, Role, TaskInput, TaskResult } from '../../core/types.js';
import { builtinPriceTable, cacheSavingUsd, type PriceTable } from '../../ledger/prices.js';
import { loadPriceTable } from '../../io/price-file.js';
import { readTextFile } from '../../io/read-text.js';
import { parsePolicySpec } from '../../policies/registry.js';
import type { SuiteFailure, SuiteOutcome } from '../../suite/run-suite.js';
import { strategyByName, type ParseFailure } from '../../agents/strategies.js';
import { excerptOf } from '../../agents/errors.js';
import { parseTaskList, selectStandardTasks, taskForText, normalizeTaskText } from '../../envs/openagi/tasks.js';
import { redactSecrets } from '../../providers/providers.js';
import { liveDefaults, runLiveSuite, type LiveSuiteOptions } from '../../live/live-suite.js';
import { isBudgetExceededError, type BudgetSettings } from '../../live/budget.js';
import type { LimiterStats } from '../../live/limiter.js';
import { otlpTracesUrl } from '../../live/otlp-url.js';
import { retryDefaults } from '../../live/retry.js';
import { parseTraces } from '../../traces/format.js';
import { parseWholeNumber } from '../options.js';
import { formatUsd } from '../render.js';

/** The options of `dsp run`, as parsed from the command line. */
export interface RunOptions {
  /** The suite; only `openagi` for now. */
  suite: string;
  /** A selection of standard task numbers, e.g. `1-20`. */
  tasks?: string;
  /** A task list (one per line) or a trace file whose tasks to run. */
  tasksFrom?: string;
  /** The approximation model spec, e.g. `openai:gpt-4.1-mini`. */
  approx: string;
  /** The target model spec. */
  target: string;
  /** A's strategy. Default `direct`. */
  approxStrategy?: string;
  /** T's strategy. Default `react`. */
  targetStrategy?: string;
  /** The k-policy spec. Default `additive`. */
  policy?: string;
  /** Append a trace per task to this file. */
  record?: string;
  /** Also run T alone on each task. */
  sequentialBaseline?: boolean;
  /** Most steps per plan. Default 12. */
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

/** What `dsp run` may be given besides its options (the defaults are the real process's). */
export interface RunEnvironment {
  /** Writes a line of normal output. */
  print: (line: string) => void;
  /** Writes a line of warnings and errors. */
  printError: (line: string) => void;
  /** Where API keys are read from. */
  env: Readonly<Record<string, string | undefined>>;
  /** A `fetch` for providers (tests). */
  fetch?: typeof globalThis.fetch;
  /** Aborting it stops the run: in-flight calls are cancelled and the summary of finished tasks is printed. */
  stopSignal?: AbortSignal;
  clock?: Clock;
}

/** The outcome of a live run: the suite's outcome, with the tasks it was given and the prices it used. */
export interface RunOutcome extends SuiteOutcome {
  tasks: TaskInput[];
  priceTable: PriceTable;
  /** Counters of the run's model requests (peak in flight, speculation skipped or cut, 429s). */
  requests?: LimiterStats;
}

/** Raised (as an abort reason) when the user stops the run. */
export class RunInterruptedError extends DspError {
  override readonly name = 'RunInterruptedError' as const;
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
  approxStrategy: 'direct',
  targetStrategy: 'react',
  policy: 'additive',
  maxSteps: 12,
  kMax: 8,
} as const;

/** The tasks `dsp run` will plan, from `--tasks` or `--tasks-from`. */
export function resolveRunTasks(options: Pick<RunOptions, 'suite' | 'tasks' | 'tasksFrom'>): TaskInput[] {
  if (options.suite !== 'openagi') {
    throw new InvalidInputError(`unknown suite "${options.suite}"; valid suites: openagi`, { source: '--suite' });
  }
  if ((options.tasks === undefined) === (options.tasksFrom === undefined)) {
    throw new InvalidInputError('give exactly one of --tasks (e.g. 1-20) and --tasks-from FILE', { source: 'dsp run' });
  }
  if (options.tasks !== undefined) return selectStandardTasks(options.tasks);
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

/** True when a file's text looks like a trace file (its first non-empty line is a JSON object), not a task list. */
export function looksLikeTraceFile(content: string): boolean {
  const first = content.split(/\r?\n/).find((line) => line.trim() !== '');
  return first !== undefined && first.trim().startsWith('{');
}

/** `dsp run`'s options resolved for `runLiveSuite` (every check of the options is done here, with the flag names). */
export function resolveRunOptions(
  options: RunOptions,
  environment: Pick<RunEnvironment, 'env' | 'fetch' | 'stopSignal' | 'clock'>,
): LiveSuiteOptions & { tasks: TaskInput[]; priceTable: PriceTable } {
  const tasks = resolveRunTasks(options);
  const approxStrategy = strategyByName(options.approxStrategy ?? runDefaults.approxStrategy, '--approx-strategy');
  const targetStrategy = strategyByName(options.targetStrategy ?? runDefaults.targetStrategy, '--target-strategy');
  const maxSteps = positiveWhole(options.maxSteps ?? runDefaults.maxSteps, '--max-steps');
  const kMax = positiveWhole(options.kMax ?? runDefaults.kMax, '--k-max');
  const priceTable = options.prices === undefined ? builtinPriceTable : loadPriceTable(options.prices);
  const policy = parsePolicySpec(options.policy ?? runDefaults.policy, '--policy');
  return {
    suite: options.suite,
    tasks,
    approx: { model: options.approx, strategy: approxStrategy, source: '--approx' },
    target: { model: options.target, strategy: targetStrategy, source: '--target' },
    policy,
    policySource: '--policy',
    sequentialBaseline: options.sequentialBaseline === true,
    maxSteps,
    kMax,
    priceTable,
    env: environment.env,
    ...(options.record === undefined ? {} : { recordPath: options.record }),
    ...(options.predictorState === undefined ? {} : { predictorStatePath: options.predictorState }),
    ...(options.retries === undefined ? {} : { retry: { retries: wholeNumber(options.retries, '--retries', 0) } }),
    ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: wholeNumber(options.callTimeoutMs, '--call-timeout-ms', 1) }),
    ...(options.parallel === undefined ? {} : { parallel: wholeNumber(options.parallel, '--parallel', 1) }),
    limits: {
      ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: wholeNumber(options.maxConcurrency, '--max-concurrency', 1) }),
      ...(options.rpm === undefined ? {} : { requestsPerMinute: wholeNumber(options.rpm, '--rpm', 1) }),
    },
    budget: {
      ...budgetOf(options.budgetUsd, options.budgetTokens, 'run'),
      ...budgetOf(options.taskBudgetUsd, options.taskBudgetTokens, 'task'),
    },
    ...(environment.fetch === undefined ? {} : { fetch: environment.fetch }),
    ...(environment.stopSignal === undefined ? {} : { signal: environment.stopSignal }),
    ...(environment.clock === undefined ? {} : { clock: environment.clock }),
  };
}

function positiveWhole(value: number, source: string): number {
  return parseWholeNumber(String(value), source, 1);
}

function wholeNumber(value: number, source: string, minimum: number): number {
  return parseWholeNumber(String(value), source, minimum);
}

/** A positive amount of USD, e.g. `0.50`. */
export function parseUsd(text: string, option: string): number {
  const value = Number(text);
  if (!/^\s*\d*\.?\d+\s*$/.test(text) || !(value > 0)) {
    throw new InvalidInputError(`expected an amount of USD > 0, e.g. 0.50, got "${text}"`, { source: option });
  }
  return value;
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
  const cause = isTargetCallError(failure.error) ? describeCause(failure.error.cause) : describeCause(failure.error);
  return `dsp: ${run} failed${step}: ${cause}`;
}

/** The warning printed when a model's reply names no action (pure). */
export function renderParseFailure(role: Role, failure: ParseFailure): string {
  const consequence = failure.outcome === 'mismatch' ? 'counted as a mismatch' : 'the task stops';
  return `warning: ${failure.taskId} step ${failure.step}: the ${role} reply had no parsable action (${failure.reason}; ${consequence}): "${excerptOf(failure.reply, 120)}"`;
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
    `Summary${outcome.interrupted ? ' (interrupted)' : ''}: ${renderTaskCounts(outcome)}, policy ${options.policy ?? runDefaults.policy}`,
    `  approx ${options.approx} (${options.approxStrategy ?? runDefaults.approxStrategy}), target ${options.target} (${options.targetStrategy ?? runDefaults.targetStrategy})`,
  );
  if (outcome.results.length === 0) {
    lines.push('  no task finished');
  } else {
    lines.push(
      `  latency        ${seconds(metrics.latencySec * 1000)} per task (sequential estimate ${seconds(metrics.sequentialLatencySec * 1000)}, speedup ×${metrics.speedup.toFixed(2)})`,
    );
    if (outcome.baselines.length > 0) lines.push(renderBaselineSummary(outcome));
    lines.push(
      `  cost           $${formatUsd(metrics.costUsd)} per task (sequential $${formatUsd(metrics.sequentialCostUsd)}, overhead $${formatUsd(metrics.overheadCostUsd)}, wasted $${formatUsd(metrics.wastedCostUsd)}; prices: ${outcome.priceTable.name})`,
      `  concurrency    peak ${metrics.peakConcurrency.toFixed(1)}, mean ${metrics.meanConcurrency.toFixed(2)}; mean k ${metrics.meanK.toFixed(2)}`,
    );
    if (metrics.unpricedCalls > 0) {
      lines.push(`  unpriced calls ${metrics.unpricedCalls} (their model is not in the price table; pass --prices FILE)`);
    }
    const cache = renderCacheSaving(outcome);
    if (cache !== undefined) lines.push(cache);
  }
  const requests = outcome.requests;
  if (requests !== undefined && (options.maxConcurrency !== undefined || requests.rateLimited > 0 || requests.skipped > 0)) {
    const limit = options.maxConcurrency === undefined ? '' : ` (limit ${options.maxConcurrency})`;
    lines.push(
      `  requests       peak ${requests.peakInFlight} in flight${limit}; ${plural(requests.rateLimited, 'refusal')} with 429; ${requests.skipped} speculative skipped or cut`,
    );
  }
  const budgets = [
    options.budgetUsd === undefined ? undefined : `$${formatUsd(options.budgetUsd)} per run`,
    options.budgetTokens === undefined ? undefined : `${options.budgetTokens} tokens per run`,
    options.taskBudgetUsd === undefined ? undefined : `$${formatUsd(options.taskBudgetUsd)} per task`,
    options.taskBudgetTokens === undefined ? undefined : `${options.taskBudgetTokens} tokens per task`,
  ].filter((part) => part !== undefined);
  if (budgets.length > 0) {
    const stopped = outcome.failures.filter((failure) => isTargetCallError(failure.error) && isBudgetExceededError(failure.error.cause)).length;
    const ledger = [...outcome.results.flatMap((result) => result.records), ...outcome.failures.flatMap((failure) => failure.records ?? [])];
    const spentUsd = ledger.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
    lines.push(
      `  budget         ${budgets.join(', ')}: ${plural(stopped, 'task')} stopped by it; $${formatUsd(spentUsd)} spent in all (stopped tasks included)`,
    );
  }
  const retried = outcome.results.flatMap((result) => result.records).filter((record) => record.attemptOf !== undefined);
  if (retried.length > 0) {
    const costUsd = retried.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
    lines.push(`  retried        ${plural(retried.length, 'failed attempt')} (in the ledger with status failed, $${formatUsd(costUsd)} in all)`);
  }
  if (input.recordedTo !== undefined) lines.push(`  recorded       ${outcome.results.length} traces appended to ${input.recordedTo}`);
  if (input.tracesTo !== undefined) lines.push(`  telemetry      spans exported over OTLP/HTTP to ${input.tracesTo}`);
  return lines.join('\n');
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
  const speedups = pairs.map(({ baseline, result }) => (result.metrics.latencyMs > 0 ? baseline.metrics.latencyMs / result.metrics.latencyMs : 1));
  const meanSpeedup = speedups.reduce((sum, value) => sum + value, 0) / speedups.length;
  const samePlans = pairs.filter(({ baseline, result }) => JSON.stringify(baseline.plan) === JSON.stringify(result.plan)).length;
  return `  sequential run ${seconds(mean)} per task measured (speedup ×${meanSpeedup.toFixed(2)}; same plan on ${samePlans} of ${pairs.length} tasks)`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

function money(costUsd: number, unpricedCalls: number): string {
  return unpricedCalls > 0 ? `$${formatUsd(costUsd)} (+${unpricedCalls} unpriced calls)` : `$${formatUsd(costUsd)}`;
}

/**
 * Runs `dsp run`: prints a line per finished task, a line on stderr per failed task, and the summary. Throws typed
 * errors for the CLI's entry point to print (messages passed through `redactSecrets`): bad input before the first
 * task; after the summary, `RunInterruptedError` when the run was stopped, else `TasksFailedError` when any task
 * failed.
 */
export async function runCommandAction(options: RunOptions, environment: RunEnvironment): Promise<RunOutcome> {
  const redact = (text: string): string => redactSecrets(text, environment.env);
  let outcome: RunOutcome;
  // Spans go out over OTLP/HTTP only when the standard environment asks for it; the SDK is loaded only then.
  const traces = otlpTracesUrl(environment.env) === undefined ? undefined : (await import('../../live/otlp.js')).startOtlpExport(environment.env);
  try {
    const resolved = resolveRunOptions(options, environment);
    const suiteOutcome = await runLiveSuite({
      ...resolved,
      ...(traces === undefined ? {} : { tracer: traces.tracer }),
      onTaskFinished: (finished) => environment.print(renderTaskLine(finished)),
      onTaskFailed: (failure) => environment.printError(redact(renderTaskFailure(failure))),
      onParseFailure: (role, failure) => environment.printError(redact(renderParseFailure(role, failure))),
    });
    outcome = { ...suiteOutcome, tasks: resolved.tasks, priceTable: resolved.priceTable };
  } catch (error) {
    if (error instanceof Error) error.message = redact(error.message);
    throw error;
  } finally {
    await traces?.shutdown();
  }
  environment.print(renderRunSummary({ outcome, options, recordedTo: options.record, tracesTo: traces?.url }));
  if (outcome.interrupted) throw new RunInterruptedError();
  if (outcome.failures.length > 0) {
    const failed = new Set(outcome.failures.map((failure) => failure.index)).size;
    throw new TasksFailedError({ failed, total: outcome.tasks.length });
  }
  return outcome;
}

/**
 * Adds `dsp run` to a Commander program. Failures are thrown to the program's caller (`main` prints them; bad
 * input is an `InvalidInputError` or `MissingApiKeyError`). The first Ctrl-C stops the run gracefully: in-flight
 * calls are cancelled, finished tasks are summarised and stay recorded, and `RunInterruptedError` is thrown; a
 * second Ctrl-C exits at once with code 130.
 */
export function registerRunCommand(program: Command): Command {
  const wholeNumber = (option: string) => (text: string) => parseWholeNumber(text, option, 1);
  return program
    .command('run')
    .description('plan a suite live with real models: speculative planning on the real clock')
    .option('--suite <name>', 'the suite (openagi)', 'openagi')
    .option('--tasks <selection>', 'standard task numbers, 0-based as in the OpenAGI task list, e.g. 1-20 or 0,3,7-9')
    .option('--tasks-from <file>', 'a task list (one per line) or a dsp-trace/1 file whose tasks to run')
    .requiredOption('--approx <spec>', 'the approximation model, e.g. openai:gpt-4.1-mini')
    .requiredOption('--target <spec>', 'the target model, e.g. openai:gpt-4.1')
    .option('--approx-strategy <name>', 'direct, cot, react or debate', runDefaults.approxStrategy)
    .option('--target-strategy <name>', 'direct, cot, react or debate', runDefaults.targetStrategy)
    .option('--policy <policy>', 'sequential, fixed:K, additive or dsp[:tau=…,beta=…]', runDefaults.policy)
    .option('--record <file>', 'append one dsp-trace/1 line per finished task to this file')
    .option('--sequential-baseline', 'also run the target alone on each task, for a measured baseline', false)
    .option('--max-steps <n>', 'most steps per plan', wholeNumber('--max-steps'), runDefaults.maxSteps)
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
    .option('--parallel <n>', 'how many tasks run at once (not with the dsp policy)', (text: string) => parseWholeNumber(text, '--parallel', 1))
    .option('--budget-usd <usd>', "the run's budget in USD: speculation is cut first, then tasks stop", (text: string) => parseUsd(text, '--budget-usd'))
    .option('--task-budget-usd <usd>', "each task's budget in USD", (text: string) => parseUsd(text, '--task-budget-usd'))
    .option('--budget-tokens <n>', "the run's budget in tokens (input and output)", (text: string) => parseWholeNumber(text, '--budget-tokens', 1))
    .option('--task-budget-tokens <n>', "each task's budget in tokens", (text: string) => parseWholeNumber(text, '--task-budget-tokens', 1))
    .option(
      '--call-timeout-ms <ms>',
      'the longest one model request may take before it is aborted (and retried as a transient failure)',
      (text: string) => parseWholeNumber(text, '--call-timeout-ms', 1),
      liveDefaults.callTimeoutMs,
    )
    .addHelpText(
      'after',
      '\nModel specs: openai:MODEL, deepseek:MODEL, anthropic:MODEL, openai-compatible:MODEL@http://host:port/v1.\n' +
        'API keys are read from OPENAI_API_KEY, DEEPSEEK_API_KEY, ANTHROPIC_API_KEY and (optional)\n' +
        'DSP_OPENAI_COMPATIBLE_API_KEY; they are never printed or recorded.\n' +
        'OpenTelemetry: set OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) to export the\n' +
        "run's spans (run, task, round, call, request) over OTLP/HTTP.",
    )
    .action(async (options: RunOptions) => {
      const stop = new AbortController();
      const onInterrupt = (): void => {
        if (stop.signal.aborted) process.exit(130);
        process.stderr.write('\ndsp run: stopping (Ctrl-C again to quit at once)…\n');
        stop.abort(new RunInterruptedError());
      };
      process.on('SIGINT', onInterrupt);
      try {
        await runCommandAction(options, {
          print: (line) => process.stdout.write(`${line}\n`),
          printError: (line) => process.stderr.write(`${line}\n`),
          env: process.env,
          stopSignal: stop.signal,
        });
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });
}
