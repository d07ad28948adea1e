/**
 * `dsp run`: live speculative planning on a suite, on the real clock, with real models.
 *
 * ```text
 * dsp run --suite openagi --tasks 1-20 --approx openai:gpt-4.1-mini --target openai:gpt-4.1 --policy additive \
 *   [--record runs.jsonl] [--sequential-baseline]
 * ```
 *
 * One progress line per task, then a summary. `--record` appends one `dsp-trace/1` line per finished task (flushed
 * at once, so Ctrl-C leaves a valid truncated recording). `--sequential-baseline` also runs T alone on each task
 * (policy `sequential`) for a measured baseline. API keys come from the environment only and are never printed.
 */
import { readTextFile } from '../../io/read-text.js';
import type { Command } from 'commander';
import { RealClock, type Clock } from '../../core/clock.js';
import { DspError, InvalidInputError } from '../../core/errors.js';
import { runTask } from '../../engine/run-task.js';
import type { Action, Agent, TaskInput, TaskResult } from '../../core/types.js';
import { suiteMetrics, type SuiteMetrics } from '../../ledger/metrics.js';
import { builtinPriceTable, type PriceTable } from '../../ledger/prices.js';
import { loadPriceTable } from '../../io/price-file.js';
import { sequentialPolicy } from '../../policies/basic.js';
import { createPolicy } from '../../suite/create-policy.js';
import { parsePolicySpec } from '../../policies/registry.js';
import { createAiSdkAgent } from '../../agents/ai-sdk.js';
import { strategyByName, type ParseFailure } from '../../agents/strategies.js';
import { preloadTokenCounters } from '../../agents/tokenizer.js';
import { TraceRecorder, traceFromTaskResult } from '../../traces/recorder.js';
import { excerptOf } from '../../agents/errors.js';
import { openAgiActionSpace } from '../../envs/openagi/actions.js';
import { parseTaskList, selectStandardTasks, taskForText, normalizeTaskText } from '../../envs/openagi/tasks.js';
import { createLanguageModel, redactSecrets, type ProviderModel } from '../../providers/providers.js';
import { parseTraces } from '../../traces/load.js';
import { parseWholeNumber } from '../options.js';
import { formatUsd } from '../../ledger/format.js';

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

/** The outcome of a live run. */
export interface RunOutcome {
  tasks: TaskInput[];
  results: TaskResult[];
  /** The sequential runs, by task, when `sequentialBaseline` was set. */
  baselines: TaskResult[];
  /** True when the run was stopped before all tasks finished. */
  interrupted: boolean;
  metrics: SuiteMetrics;
  priceTable: PriceTable;
}

/** Raised (as an abort reason) when the user stops the run. */
export class RunInterruptedError extends DspError {
  override readonly name = 'RunInterruptedError' as const;
  constructor() {
    super('the run was interrupted');
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

/** Runs a suite live. Throws typed errors for bad options, missing keys and failed target calls. */
export async function runLiveSuite(options: RunOptions, environment: RunEnvironment): Promise<RunOutcome> {
  const tasks = resolveRunTasks(options);
  const approxStrategy = strategyByName(options.approxStrategy ?? runDefaults.approxStrategy, '--approx-strategy');
  const targetStrategy = strategyByName(options.targetStrategy ?? runDefaults.targetStrategy, '--target-strategy');
  const maxSteps = positiveWhole(options.maxSteps ?? runDefaults.maxSteps, '--max-steps');
  const kMax = positiveWhole(options.kMax ?? runDefaults.kMax, '--k-max');
  const priceTable = options.prices === undefined ? builtinPriceTable : loadPriceTable(options.prices);
  const policySpec = parsePolicySpec(options.policy ?? runDefaults.policy, '--policy');
  if (policySpec.kind === 'oracle') {
    throw new InvalidInputError('the oracle policy needs the future of a recorded trace: use it in replay, not in dsp run', {
      source: '--policy',
    });
  }
  const modelOptions = { env: environment.env, ...(environment.fetch === undefined ? {} : { fetch: environment.fetch }) };
  const approxModel = createLanguageModel(options.approx, { ...modelOptions, source: '--approx' });
  const targetModel = createLanguageModel(options.target, { ...modelOptions, source: '--target' });
  const clock = environment.clock ?? new RealClock();
  const stopSignal = environment.stopSignal ?? new AbortController().signal;
  const recorder = options.record === undefined ? undefined : new TraceRecorder(options.record);
  const runId = `run-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;

  const onParseFailure = (role: 'approx' | 'target') => (failure: ParseFailure) => {
    const consequence = failure.outcome === 'mismatch' ? 'counted as a mismatch' : 'the task stops';
    environment.printError(
      redactSecrets(
        `warning: ${failure.taskId} step ${failure.step}: the ${role} reply had no parsable action (${failure.reason}; ${consequence}): "${excerptOf(failure.reply, 120)}"`,
        environment.env,
      ),
    );
  };
  const approx = stoppable(
    createAiSdkAgent({
      model: approxModel.model,
      actionSpace: openAgiActionSpace,
      strategy: approxStrategy,
      onUnparsable: 'mismatch',
      onParseFailure: onParseFailure('approx'),
    }),
    stopSignal,
  );
  const target = stoppable(
    createAiSdkAgent({
      model: targetModel.model,
      actionSpace: openAgiActionSpace,
      strategy: targetStrategy,
      onUnparsable: 'throw',
      onParseFailure: onParseFailure('target'),
    }),
    stopSignal,
  );
  const models = { approx: approxModel.modelName, target: targetModel.modelName };
  // Build the tokenizers now: building one blocks for about a second, which must not happen mid-run.
  await preloadTokenCounters([approxModel.modelName, targetModel.modelName]);

  // Created last, so that nothing can fail before the `finally` that closes it (a dsp policy owns a worker).
  const policy = createPolicy(policySpec, {}, {
    // Live: a learning policy never makes planning wait for its trainer.
    deterministic: false,
    ...(options.predictorState === undefined ? {} : { predictorStatePath: options.predictorState }),
  });
  const results: TaskResult[] = [];
  const baselines: TaskResult[] = [];
  let interrupted = false;
  const common = {
    approx,
    target,
    clock,
    actionsMatch: openAgiActionSpace.actionsMatch,
    isTerminal: openAgiActionSpace.isTerminal,
    maxSteps,
    kMax,
    priceTable,
    models,
  };
  try {
    for (const [index, task] of tasks.entries()) {
      if (stopSignal.aborted) {
        interrupted = true;
        break;
      }
      let result: TaskResult;
      try {
        result = await runTask({ ...common, task, policy });
      } catch (error) {
        if (stopSignal.aborted) {
          interrupted = true;
          break;
        }
        throw error;
      }
      results.push(result);
      recorder?.append(
        traceFromTaskResult(task, result, {
          id: `${options.suite}/${task.id}/${runId}`,
          suite: options.suite,
          models: { approx: modelLabel(approxModel), target: modelLabel(targetModel) },
          extra: {
            strategies: { approx: approxStrategy.name, target: targetStrategy.name },
            policy: policy.name,
          },
        }),
      );
      let baseline: TaskResult | undefined;
      if (options.sequentialBaseline === true) {
        try {
          baseline = await runTask({ ...common, task, policy: sequentialPolicy() });
          baselines.push(baseline);
        } catch (error) {
          if (!stopSignal.aborted) throw error;
          interrupted = true;
        }
      }
      environment.print(renderTaskLine({ index, total: tasks.length, task, result, baseline }));
      if (interrupted) break;
    }
  } finally {
    await policy.close?.();
  }
  return { tasks, results, baselines, interrupted, metrics: suiteMetrics(results), priceTable };
}

/** An agent whose calls are also cancelled when `stopSignal` aborts (the user stopped the run). */
function stoppable(agent: Agent, stopSignal: AbortSignal): Agent {
  return (context, options) =>
    agent(context, { ...options, signal: AbortSignal.any([options.signal, stopSignal]) });
}

function modelLabel(model: ProviderModel): string {
  return `${model.spec.provider}:${model.spec.modelId}`;
}

function positiveWhole(value: number, source: string): number {
  return parseWholeNumber(String(value), source, 1);
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

/** The summary printed at the end of a run (pure). */
export function renderRunSummary(input: {
  outcome: RunOutcome;
  options: RunOptions;
  recordedTo?: string | undefined;
}): string {
  const { outcome, options } = input;
  const metrics = outcome.metrics;
  const lines: string[] = [];
  const finished = `${outcome.results.length} of ${outcome.tasks.length} tasks`;
  lines.push(
    `Summary${outcome.interrupted ? ' (interrupted)' : ''}: ${finished}, policy ${options.policy ?? runDefaults.policy}`,
    `  approx ${options.approx} (${options.approxStrategy ?? runDefaults.approxStrategy}), target ${options.target} (${options.targetStrategy ?? runDefaults.targetStrategy})`,
  );
  if (outcome.results.length === 0) {
    lines.push('  no task finished');
  } else {
    lines.push(
      `  latency        ${seconds(metrics.latencyMs)} per task (sequential estimate ${seconds(metrics.sequentialLatencyMs)}, speedup ×${metrics.speedup.toFixed(2)})`,
    );
    if (outcome.baselines.length > 0) {
      const mean = outcome.baselines.reduce((sum, result) => sum + result.metrics.latencyMs, 0) / outcome.baselines.length;
      const measured = outcome.results
        .slice(0, outcome.baselines.length)
        .map((result, index) => (result.metrics.latencyMs > 0 ? outcome.baselines[index]!.metrics.latencyMs / result.metrics.latencyMs : 1));
      const meanSpeedup = measured.reduce((sum, value) => sum + value, 0) / measured.length;
      const samePlans = outcome.baselines.filter(
        (baseline, index) => JSON.stringify(baseline.plan) === JSON.stringify(outcome.results[index]!.plan),
      ).length;
      lines.push(
        `  sequential run ${seconds(mean)} per task measured (speedup ×${meanSpeedup.toFixed(2)}; same plan on ${samePlans} of ${outcome.baselines.length} tasks)`,
      );
    }
    lines.push(
      `  cost           $${formatUsd(metrics.costUsd)} per task (sequential $${formatUsd(metrics.sequentialCostUsd)}, overhead $${formatUsd(metrics.overheadCostUsd)}, wasted $${formatUsd(metrics.wastedCostUsd)}; prices: ${outcome.priceTable.name})`,
      `  concurrency    peak ${metrics.peakConcurrency.toFixed(1)}, mean ${metrics.meanConcurrency.toFixed(2)}; mean k ${metrics.meanK.toFixed(2)}`,
    );
    if (metrics.unpricedCalls > 0) {
      lines.push(`  unpriced calls ${metrics.unpricedCalls} (their model is not in the price table; pass --prices FILE)`);
    }
  }
  if (input.recordedTo !== undefined) lines.push(`  recorded       ${outcome.results.length} traces appended to ${input.recordedTo}`);
  return lines.join('\n');
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
 * Runs `dsp run`: prints a line per task and the summary. Throws typed errors for the CLI's entry point to print
 * (messages passed through `redactSecrets`), and `RunInterruptedError` after the summary when the run was stopped.
 */
export async function runCommandAction(options: RunOptions, environment: RunEnvironment): Promise<RunOutcome> {
  let outcome: RunOutcome;
  try {
    outcome = await runLiveSuite(options, environment);
  } catch (error) {
    if (error instanceof Error) error.message = redactSecrets(error.message, environment.env);
    throw error;
  }
  environment.print(renderRunSummary({ outcome, options, recordedTo: options.record }));
  if (outcome.interrupted) throw new RunInterruptedError();
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
    .addHelpText(
      'after',
      '\nModel specs: openai:MODEL, deepseek:MODEL, anthropic:MODEL, openai-compatible:MODEL@http://host:port/v1.\n' +
        'API keys are read from OPENAI_API_KEY, DEEPSEEK_API_KEY, ANTHROPIC_API_KEY and (optional)\n' +
        'DSP_OPENAI_COMPATIBLE_API_KEY; they are never printed or recorded.',
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
