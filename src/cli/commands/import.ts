/**
 * `dsp import`: turn the DSP authors' published run logs and k-labelled datasets into dsp-trace/1 files.
 *
 *   dsp import dsp-logs DIR --out FILE
 *   dsp import dsp-dataset FILE --timing-from TRACES --out FILE
 *   dsp import dsp-dataset dataset_sft_travelplanner.json --preset travelplanner --timing-from TRACES --out FILE
 */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { checkCommandFiles } from '../../io/command-files.js';
import { readTextFile } from '../../io/read-text.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Trace } from '../../traces/schema.js';
import { embeddedSuiteSeed, modelledSuiteModels, modelledSuites } from '../../traces/importers/build-suites.js';
import { importDspDataset } from '../../traces/importers/dsp-dataset.js';
import { importDspLogs, type SkippedRun } from '../../traces/importers/dsp-logs.js';
import {
  defaultToolLatencyMs,
  importDspTravelPlannerDataset,
  looksLikeTravelPlannerDataset,
  readTravelPlannerQueryIds,
  travelPlannerSuiteName,
} from '../../traces/importers/dsp-travelplanner.js';
import { formatSummary, summarizeTraces } from '../../traces/importers/suite-summary.js';
import type { CallScale } from '../../traces/importers/timing-model.js';
import { loadTraces, writeTraces } from '../../traces/format.js';
import type { CliIo, OutputStream } from '../io.js';
import { listOption, parseDecimalNumber, parseName, parseWholeNumber, splitList } from '../options.js';

interface LogsCommandOptions {
  out: string;
  suite: string;
}

interface DatasetCommandOptions {
  out: string;
  timingFrom: string;
  suite?: string;
  targetCallsPerStep?: string;
  seed: string;
  taskList?: string;
  historyFrom?: string[];
  approxModel: string;
  targetModel: string;
  preset?: string;
  queries?: string;
  toolLatencyMs?: string;
}

/** Presets of `dsp import dsp-dataset --preset`. */
const presetNames = ['openagi-cot', 'openagi-mad', 'travelplanner'];
/** The examples at the end of each `--help`. */
const importExamples =
  "\nExamples, in a clone of the DSP authors' repository (github.com/guanyilin428/Dynamic-Speculative-Planning):\n" +
  '  $ dsp import dsp-logs 4_8/logs/react/dyn_k --out react.jsonl\n' +
  '  $ dsp import dsp-dataset dataset_predict_k_ma.json --timing-from react.jsonl --out mad.jsonl\n';

const logsExamples =
  "\nExamples, in a clone of the DSP authors' repository (github.com/guanyilin428/Dynamic-Speculative-Planning):\n" +
  '  $ dsp import dsp-logs 4_8/logs/react/dyn_k --out react.jsonl\n' +
  '  $ dsp bench --traces react.jsonl --quiet\n';

const datasetExamples =
  "\nExamples, in a clone of the DSP authors' repository (github.com/guanyilin428/Dynamic-Speculative-Planning),\n" +
  'with react.jsonl made by `dsp import dsp-logs`:\n' +
  '  $ dsp import dsp-dataset dataset_predict_k_ma.json --history-from dataset_stepwise_ma.json \\\n' +
  '      --timing-from react.jsonl --out mad.jsonl\n';

/** Adds `dsp import dsp-logs` and `dsp import dsp-dataset` to `program`. */
// a declaration: two subcommands' options and their actions, in the order `--help` prints them.
// eslint-disable-next-line max-lines-per-function -- must stay one piece, see the comment above
export function registerImportCommand(program: Command, io: CliIo): void {
  const command = program
    .command('import')
    .description("turn the DSP authors' published logs and datasets into dsp-trace/1 files")
    .addHelpText('after', importExamples);

  command
    .command('dsp-logs')
    .description('import run logs (approximation_/target_/simulation_datapointN.log, searched recursively) as measured traces')
    .argument('<dir>', 'folder holding the run folders')
    .requiredOption('--out <file>', 'where to write the traces (JSON Lines, written atomically)')
    .option('--suite <name>', 'suite name written into the traces', (text: string) => parseName(text, '--suite'), 'openagi-react')
    .addHelpText('after', logsExamples)
    .action((dir: string, options: LogsCommandOptions) => {
      checkCommandFiles([
        { path: dir, flag: '<dir>', use: 'read' },
        { path: options.out, flag: '--out', use: 'write' },
      ]);
      const result = importDspLogs(dir, { suite: options.suite });
      finish(io.stdout, options.out, result.traces, [['skipped', result.skipped]]);
    });

  command
    .command('dsp-dataset')
    .description('import a k-labelled dataset (dataset_value_func_*.json, dataset_predict_k_*.json, dataset_sft_travelplanner.json) as modelled traces')
    .argument('<file>', 'the dataset')
    .requiredOption('--timing-from <traces>', 'measured traces to fit the timing model to, e.g. the output of `dsp import dsp-logs`')
    .requiredOption('--out <file>', 'where to write the traces (JSON Lines, written atomically)')
    .option('--suite <name>', 'suite name; default from the file name: openagi-cot (…cot…) or openagi-mad (…_ma…)', (text: string) =>
      parseName(text, '--suite'),
    )
    .option('--target-calls-per-step <n>', "the target's LLM calls per step (CoT 1, debate 5); default from the suite, and scales its figures by n/2")
    .option('--seed <n>', 'seed of the timing draws', String(embeddedSuiteSeed))
    .option('--task-list <file>', 'task list (one task per line, line 0 first) to name traces <suite>/task-<line>')
    .addOption(listOption('--history-from <files...>', 'datasets of the same runs whose longer histories fill in guesses (e.g. dataset_stepwise_ma.json)'))
    .option('--approx-model <name>', 'model named for A', (text: string) => parseName(text, '--approx-model'), modelledSuiteModels.approx)
    .option('--target-model <name>', 'model named for T', (text: string) => parseName(text, '--target-model'), modelledSuiteModels.target)
    .option('--preset <name>', `which dataset this is: ${presetNames.join(', ')}; default from the file name or its content`)
    .option('--queries <file>', "travelplanner: the benchmark's query file (JSON Lines with idx and query, e.g. postprocess/example_evaluation.jsonl) to name traces val-<idx>")
    .option('--tool-latency-ms <ms>', `travelplanner: latency of each tool execution written into the steps (default ${defaultToolLatencyMs}; 800 for slow web tools)`)
    .addHelpText('after', datasetExamples)
    .action((file: string, options: DatasetCommandOptions) => {
      checkCommandFiles([
        { path: file, flag: '<file>', use: 'read' },
        { path: options.timingFrom, flag: '--timing-from', use: 'read' },
        { path: options.taskList, flag: '--task-list', use: 'read' },
        ...(options.historyFrom ?? []).map((path) => ({ path, flag: '--history-from', use: 'read' as const })),
        { path: options.out, flag: '--out', use: 'write' },
      ]);
      if (options.preset !== undefined && !presetNames.includes(options.preset)) {
        throw new InvalidInputError(`unknown preset "${options.preset}"; expected one of ${presetNames.join(', ')}`, { source: '--preset' });
      }
      if (isTravelPlannerImport(file, options)) {
        importTravelPlanner(file, options, io.stdout);
        return;
      }
      for (const [given, option] of [
        [options.queries, '--queries'],
        [options.toolLatencyMs, '--tool-latency-ms'],
      ] as const) {
        if (given !== undefined) throw new InvalidInputError('is for the TravelPlanner dataset (--preset travelplanner)', { source: option });
      }
      const preset = presetFor(options.preset ?? options.suite ?? suiteFromFileName(file));
      const suite = options.suite ?? preset?.name;
      if (suite === undefined) {
        throw new InvalidInputError('cannot tell the target agent from the file name; pass --suite and --target-calls-per-step', { source: file });
      }
      let targetCallsPerStep = preset?.targetCallsPerStep;
      let targetScale: Partial<CallScale> = preset?.targetScale ?? {};
      if (options.targetCallsPerStep !== undefined) {
        targetCallsPerStep = parseWholeNumber(options.targetCallsPerStep, '--target-calls-per-step', 1);
        targetScale = {};
      }
      if (targetCallsPerStep === undefined) {
        throw new InvalidInputError(`suite ${suite} has no preset; pass --target-calls-per-step`, { source: '--target-calls-per-step' });
      }
      const timingFrom = loadMeasuredTraces(options.timingFrom);
      const result = importDspDataset(file, {
        timingFrom,
        seed: parseWholeNumber(options.seed, '--seed', 0),
        suite,
        targetCallsPerStep,
        targetScale,
        models: { approx: options.approxModel, target: options.targetModel },
        taskList: options.taskList === undefined ? undefined : readTaskList(options.taskList),
        historyFiles: splitList(options.historyFrom),
      });
      finish(io.stdout, options.out, result.traces, [
        ['skipped', result.skipped],
        ['truncated (kept with terminal: false)', result.truncated],
      ]);
    });
}

/** The TravelPlanner dataset: named by --preset or --suite, else recognised by its file name or its content. */
function isTravelPlannerImport(file: string, options: DatasetCommandOptions): boolean {
  if (options.preset !== undefined) return options.preset === 'travelplanner';
  if (options.suite !== undefined) return options.suite === travelPlannerSuiteName;
  return /travel_?planner/i.test(basename(file)) || looksLikeTravelPlannerDataset(readTextFile(file));
}

function importTravelPlanner(file: string, options: DatasetCommandOptions, stdout: OutputStream): void {
  for (const [given, option] of [
    [options.targetCallsPerStep, '--target-calls-per-step'],
    [options.historyFrom, '--history-from'],
    [options.taskList, '--task-list'],
  ] as const) {
    if (given !== undefined) throw new InvalidInputError('is for the OpenAGI datasets, not the TravelPlanner one', { source: option });
  }
  const timingFrom = loadMeasuredTraces(options.timingFrom);
  const result = importDspTravelPlannerDataset(file, {
    timingFrom,
    seed: parseWholeNumber(options.seed, '--seed', 0),
    suite: options.suite ?? travelPlannerSuiteName,
    models: { approx: options.approxModel, target: options.targetModel },
    queryIds: options.queries === undefined ? undefined : readTravelPlannerQueryIds(options.queries),
    toolLatencyMs: options.toolLatencyMs === undefined ? undefined : parseMilliseconds(options.toolLatencyMs, '--tool-latency-ms'),
  });
  const stats = result.stats;
  stdout.write(
    `${stats.records} records, ${stats.runs} runs; the authors' labels agree with exact acceptance for ${stats.labelsAgreeing}/${stats.labelsChecked} recorded rounds; ` +
      `${stats.acceptedByAuthorsRuleOnly} guesses their runs accepted by argument similarity are breaks here; ${stats.assumedPlannerSteps} runs end with the assumed Planner step\n`,
  );
  finish(stdout, options.out, result.traces, [
    ['skipped', result.skipped],
    ['truncated (kept with terminal: false)', result.truncated],
  ]);
}

function parseMilliseconds(text: string, option: string): number {
  return parseDecimalNumber(text, option, 'a decimal number of milliseconds ≥ 0', (value) => value >= 0);
}

function loadMeasuredTraces(path: string): Trace[] {
  const traces = loadTraces(path);
  if (!traces.some((trace) => trace.timing === 'measured')) {
    throw new InvalidInputError('holds no measured trace to fit the timing model to (expected e.g. the output of `dsp import dsp-logs`)', { source: path });
  }
  return traces;
}

function finish(
  stdout: OutputStream,
  out: string,
  traces: readonly Trace[],
  lists: readonly (readonly [string, readonly SkippedRun[]])[],
): void {
  const write = (text: string): void => void stdout.write(text);
  for (const [label, runs] of lists) {
    if (runs.length === 0) continue;
    write(`${label} ${runs.length} run(s):\n`);
    for (const run of runs) write(`  ${run.run}: ${run.reason}\n`);
  }
  if (traces.length === 0) throw new InvalidInputError('no run could be imported; nothing written', { source: out });
  writeTraces(out, traces);
  write(`imported ${traces.length} run(s): ${formatSummary(summarizeTraces(traces))} -> ${out}\n`);
}

function suiteFromFileName(file: string): string | undefined {
  const name = basename(file);
  if (/cot/i.test(name)) return 'openagi-cot';
  if (/_ma[._]/i.test(name)) return 'openagi-mad';
  return undefined;
}

function presetFor(suite: string | undefined): { name: string; targetCallsPerStep: number; targetScale: Partial<CallScale> } | undefined {
  const preset = modelledSuites.find((candidate) => candidate.name === suite);
  return preset === undefined ? undefined : { name: preset.name, targetCallsPerStep: preset.targetCallsPerStep, targetScale: { ...preset.targetScale } };
}

/** The lines of a task list, line 0 first (blank lines keep their place); CRLF line ends are read as LF. */
function readTaskList(path: string): string[] {
  const text = readTextFile(path);
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.every((line) => line.trim() === '')) {
    throw new InvalidInputError('the task list has no tasks (expected one task per line, line 0 first)', { source: path });
  }
  return lines;
}
