/**
 * What `dsp bench` and `dsp sweep` share: the options that choose the suites, the prices, k-max and the seed; their
 * checks, done before anything runs; and one pipeline that replays the suites under the policies, prints the
 * command's rendering of the summaries and writes the results file and report asked for.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../core/errors.js';
import { builtinPriceTable, findPrice, type PriceTable } from '../ledger/prices.js';
import { engineDefaults } from '../engine/run-task.js';
import { checkCommandFiles } from '../io/command-files.js';
import { loadPriceTable } from '../io/price-file.js';
import { lockPredictorState } from '../predictor/persistence/file-state-store.js';
import { parsePolicyList, type PolicySpec } from '../policies/registry.js';
import { combinedSummary, runBench, type BenchSuiteResult, type BenchSummary } from '../suite/bench.js';
import { createPolicy, validatePolicySpecs } from '../suite/create-policy.js';
import { selectSuites, type Suite } from '../suite/embedded-suites.js';
import { buildResults } from '../report/build-results.js';
import { writeOutputs, type WrittenFile } from '../report/write-outputs.js';
import type { CliIo } from './io.js';
import { checkPoliciesWithinKMax, listOption, parseWholeNumber, splitList } from './options.js';
import { createProgress } from './progress.js';

/** The shared options, as Commander parses them (list options as typed: see `listOption`). */
export interface ReplayOptionValues {
  traces?: string[];
  suite?: string[];
  seed: string;
  prices?: string;
  kMax: string;
  maxSteps: string;
  out?: string;
  report?: string;
  quiet?: boolean;
  /** Only on commands that offer `--predictor-state`. */
  predictorState?: string;
}

/** Adds `--traces` and `--suite`, the options that choose what runs (first in the help). */
export function addSuiteOptions(command: Command): Command {
  return command
    .addOption(
      listOption('--traces <files...>', 'dsp-trace/1 JSONL files, or folders of them (their .jsonl files, by name); grouped into suites by their "suite" field'),
    )
    .addOption(
      listOption('--suite <names...>', 'embedded suites by name (see `dsp suites`), e.g. openagi-react,synthetic; openagi = every openagi-* suite'),
    );
}

/** Adds `--seed`, `--prices`, `--k-max`, `--out`, `--report` and `--quiet` (after the command's own options). */
export function addReplayOptions(command: Command): Command {
  return command
    .option('--seed <n>', 'seed of the synthetic suite and of learning policies', '1')
    .option('--prices <file>', 'JSON price table laid over the built-in one')
    .option('--k-max <n>', 'largest k any policy may choose', '8')
    .option(
      '--max-steps <n>',
      'step limit of the replayed runs; a plan that ended by its terminal action is replayed under it',
      String(engineDefaults.maxSteps),
    )
    .option('--out <file>', 'also write the results JSON (for `dsp report`) to this file')
    .option('--report <file>', 'also write a self-contained HTML report to this file')
    .option('--quiet', 'no progress output');
}

/**
 * Parses the texts of a policy list option (`flag`; comma-separated, `dsp:tau=0.7,beta=1` kept together)
 * and checks the options of every dsp spec, so that a typo fails before any suite runs. A policy named twice runs
 * once. Errors name `flag`; no policy at all is an error unless `allowNone`.
 */
export function parsePolicyOption(texts: readonly string[], flag: string, options: { allowNone?: boolean } = {}): PolicySpec[] {
  const given = texts.filter((text) => text.trim() !== '');
  if (given.length === 0 && options.allowNone === true) return [];
  // One list, so that `dsp:tau=0.7 beta=1` (two words) reads as `dsp:tau=0.7,beta=1`, as with a comma.
  const policies = parsePolicyList(given.join(','), flag);
  validatePolicySpecs(policies, flag);
  return policies.filter((policy, index) => policies.findIndex((other) => other.name === policy.name) === index);
}

/** A replay as asked for on the command line, resolved and checked. */
export interface ReplayRequest {
  suites: Suite[];
  /** No `--traces` or `--suite` was given: the default suites run (the command says so). */
  usedDefault: boolean;
  policies: PolicySpec[];
  priceTable: PriceTable;
  kMax: number;
  maxSteps: number;
  seed: number;
  /** The dsp policy loads its learned state from this file (when it exists) before each suite and saves it after. */
  predictorStatePath: string | undefined;
}

/**
 * Resolves the shared options for `policies`: the seed, k-max (which no policy may name a larger k than), prices
 * and suites, and `--predictor-state`, which needs exactly one dsp policy (among those given in `policiesFlag`); and
 * checks the files (`checkCommandFiles`: the outputs can be written, no output is an input or another output).
 * Throws `InvalidInputError` naming the option.
 */
export function resolveReplay(options: ReplayOptionValues, policies: PolicySpec[], policiesFlag = '--policies'): ReplayRequest {
  const seed = parseWholeNumber(options.seed, '--seed', 0);
  const kMax = parseWholeNumber(options.kMax, '--k-max', 1);
  const maxSteps = parseWholeNumber(options.maxSteps, '--max-steps', 1);
  checkPoliciesWithinKMax(policies, kMax, policiesFlag);
  if (options.predictorState !== undefined && policies.filter((policy) => policy.kind === 'dsp').length !== 1) {
    throw new InvalidInputError(`needs exactly one dsp policy in ${policiesFlag} (the one whose learning it keeps)`, {
      source: '--predictor-state',
    });
  }
  checkCommandFiles([
    ...(options.traces ?? []).map((path) => ({ path, flag: '--traces', use: 'read' as const })),
    { path: options.prices, flag: '--prices', use: 'read' },
    { path: options.predictorState, flag: '--predictor-state', use: 'read-write' },
    { path: options.out, flag: '--out', use: 'write' },
    { path: options.report, flag: '--report', use: 'write' },
  ]);
  const priceTable = options.prices === undefined ? builtinPriceTable : loadPriceTable(options.prices);
  const { suites, usedDefault } = selectSuites({ traces: splitList(options.traces), suite: splitList(options.suite) }, seed, '--suite');
  return { suites, usedDefault, policies, priceTable, kMax, maxSteps, seed, predictorStatePath: options.predictorState };
}

/** The line a command prints before its table when it runs the default suites; `verb` e.g. `running`. */
export function defaultSuitesNote(request: ReplayRequest, verb: string): string {
  if (!request.usedDefault) return '';
  return `No --traces or --suite given: ${verb} the default suites (${request.suites.map((suite) => suite.name).join(', ')}).\n\n`;
}

/**
 * Replays every suite under every policy (progress on stderr unless `--quiet`), prints `render(summaries)` on
 * stdout (one summary per suite, plus the combined one when there are several suites), then writes the results
 * file (`--out`) and the HTML report (`--report`) when asked for, naming them on stderr.
 */
export async function runReplay(input: {
  io: CliIo;
  command: Command;
  options: ReplayOptionValues;
  request: ReplayRequest;
  render: (summaries: BenchSummary[]) => string;
}): Promise<void> {
  const { io, command, options, request } = input;
  const { suites, policies, priceTable, kMax, maxSteps, seed, predictorStatePath } = request;
  const progress = createProgress(io.stderr, { quiet: options.quiet });
  // Held for the whole run: another run on the same state is refused now, not after this one's work.
  const onWarning = (message: string): void => void io.stderr.write(`warning: ${message}\n`);
  for (const message of unpricedModelWarnings(suites, priceTable, options.prices)) onWarning(message);
  const stateLock = predictorStatePath === undefined ? undefined : lockPredictorState(predictorStatePath, { onWarning });
  let results: BenchSuiteResult[];
  try {
    results = await runBench({
      suites,
      policies,
      priceTable,
      kMax,
      maxSteps,
      buildPolicy: (spec, context) => createPolicy(spec, context, { seed, predictorStatePath }),
      onProgress: (done, total, label) => progress.update(done, total, label),
    });
  } finally {
    stateLock?.release();
  }
  progress.done();

  const summaries = results.map((result) => result.summary);
  if (summaries.length > 1) summaries.push(combinedSummary(results, priceTable.name));
  io.stdout.write(input.render(summaries));

  if (options.out === undefined && options.report === undefined) return;
  const written = await writeOutputs({
    results: buildResults({ results, suites, priceTable, kMax, seed, command: describeCommandLine(command), createdAt: new Date() }),
    out: options.out,
    report: options.report,
    env: io.env,
    onProgress: (done, total, label) => progress.update(done, total, `rendering ${label}`),
  });
  progress.done();
  if (options.quiet !== true) io.stderr.write(describeWritten(written));
}

/**
 * One warning per model the traces name (A's, T's, a tool's) that has no price in the table, with the suites that
 * use it: the tables only say that some cost is unknown, and the user needs to know which model to add
 * (`pricesPath`: the `--prices` file given, if any).
 */
export function unpricedModelWarnings(suites: readonly Suite[], priceTable: PriceTable, pricesPath: string | undefined): string[] {
  const suitesByModel = new Map<string, Set<string>>();
  const note = (model: string | undefined, suite: string): void => {
    if (model === undefined || findPrice(priceTable, model) !== undefined) return;
    suitesByModel.set(model, (suitesByModel.get(model) ?? new Set()).add(suite));
  };
  for (const suite of suites) {
    for (const trace of suite.traces) {
      note(trace.models.approx, suite.name);
      note(trace.models.target, suite.name);
      for (const step of trace.steps) {
        note(step.target.tool?.model, suite.name);
        note(step.approx?.tool?.model, suite.name);
      }
    }
  }
  const remedy = pricesPath === undefined ? 'pass --prices FILE with its price' : `add it to ${pricesPath}`;
  return [...suitesByModel].map(
    ([model, names]) =>
      `no price for model "${model}" (suite ${[...names].join(', ')}) in the price table ${priceTable.name}: ` +
      `a cost that includes its calls is unknown (?); ${remedy}`,
  );
}

/**
 * The command line that ran `command`, rebuilt from what the user typed (options left at their defaults are
 * omitted), e.g. `dsp bench --suite synthetic --out r.json`. Recorded in results files and reports.
 */
export function describeCommandLine(command: Command): string {
  const quote = (value: string): string => (/^[\w.,:=/+@-]+$/.test(value) ? value : JSON.stringify(value));
  const parts = ['dsp', command.name(), ...command.args.map(quote)];
  for (const option of command.options) {
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== 'cli') continue;
    const value: unknown = command.getOptionValue(key);
    const flag = option.long ?? option.short ?? key;
    if (typeof value === 'boolean') parts.push(flag);
    else if (Array.isArray(value)) parts.push(flag, ...value.map((item) => quote(String(item))));
    else parts.push(flag, quote(String(value)));
  }
  return parts.join(' ');
}

/** Describes files written, one per line (`report: path`). */
export function describeWritten(files: readonly WrittenFile[]): string {
  return files.map((file) => `${file.kind}: ${file.path}\n`).join('');
}
