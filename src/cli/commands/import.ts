/**
 * `dsp import`: turn the DSP authors' published run logs and k-labelled datasets into dsp-trace/1 files.
 *
 *   dsp import dsp-logs DIR --out FILE
 *   dsp import dsp-dataset FILE --timing-from TRACES --out FILE
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
import { formatSummary, summarizeTraces } from '../../traces/importers/suite-summary.js';
import type { CallScale } from '../../traces/importers/timing-model.js';
import { loadTraces, writeTraces } from '../../traces/format.js';
import type { CliIo, OutputStream } from '../io.js';
import { parseWholeNumber } from '../options.js';

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
}

/** Adds `dsp import dsp-logs` and `dsp import dsp-dataset` to `program`. */
export function registerImportCommand(program: Command, io: CliIo): void {
  const command = program.command('import').description("turn the DSP authors' published logs and datasets into dsp-trace/1 files");

  command
    .command('dsp-logs')
    .description('import run logs (approximation_/target_/simulation_datapointN.log, searched recursively) as measured traces')
    .argument('<dir>', 'folder holding the run folders')
    .requiredOption('--out <file>', 'where to write the traces (JSON Lines, written atomically)')
    .option('--suite <name>', 'suite name written into the traces', 'openagi-react')
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
    .description('import a k-labelled dataset (dataset_value_func_*.json, dataset_predict_k_*.json) as modelled traces')
    .argument('<file>', 'the dataset')
    .requiredOption('--timing-from <traces>', 'measured traces to fit the timing model to, e.g. the output of `dsp import dsp-logs`')
    .requiredOption('--out <file>', 'where to write the traces (JSON Lines, written atomically)')
    .option('--suite <name>', 'suite name; default from the file name: openagi-cot (…cot…) or openagi-mad (…_ma…)')
    .option('--target-calls-per-step <n>', "the target's LLM calls per step (CoT 1, debate 5); default from the suite, and scales its figures by n/2")
    .option('--seed <n>', 'seed of the timing draws', String(embeddedSuiteSeed))
    .option('--task-list <file>', 'task list (one task per line, line 0 first) to name traces <suite>/task-<line>')
    .option('--history-from <files...>', 'datasets of the same runs whose longer histories fill in guesses (e.g. dataset_stepwise_ma.json)')
    .option('--approx-model <name>', 'model named for A', modelledSuiteModels.approx)
    .option('--target-model <name>', 'model named for T', modelledSuiteModels.target)
    .action((file: string, options: DatasetCommandOptions) => {
      checkCommandFiles([
        { path: file, flag: '<file>', use: 'read' },
        { path: options.timingFrom, flag: '--timing-from', use: 'read' },
        { path: options.taskList, flag: '--task-list', use: 'read' },
        ...(options.historyFrom ?? []).map((path) => ({ path, flag: '--history-from', use: 'read' as const })),
        { path: options.out, flag: '--out', use: 'write' },
      ]);
      const preset = presetFor(options.suite ?? suiteFromFileName(file));
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
      const timingFrom = loadTraces(options.timingFrom);
      if (!timingFrom.some((trace) => trace.timing === 'measured')) {
        throw new InvalidInputError('holds no measured trace to fit the timing model to (expected e.g. the output of `dsp import dsp-logs`)', {
          source: options.timingFrom,
        });
      }
      const result = importDspDataset(file, {
        timingFrom,
        seed: parseWholeNumber(options.seed, '--seed', 0),
        suite,
        targetCallsPerStep,
        targetScale,
        models: { approx: options.approxModel, target: options.targetModel },
        taskList: options.taskList === undefined ? undefined : readTaskList(options.taskList),
        historyFiles: options.historyFrom ?? [],
      });
      finish(io.stdout, options.out, result.traces, [
        ['skipped', result.skipped],
        ['truncated (kept with terminal: false)', result.truncated],
      ]);
    });
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

function readTaskList(path: string): string[] {
  const text = readTextFile(path);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
