/**
 * Builds the embedded suites (`data/suites/*.jsonl`) from the third-party reference data in `shared/data`: the
 * same inputs always give the same bytes. Only facts and figures go into the suites — action names, latencies,
 * token counts and the standard OpenAGI task texts; tasks the DSP authors added to the OpenAGI list are left out
 * (their repository has no licence), and no file of theirs is copied.
 */
import { join } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { Trace } from '../schema.js';
import { importDspDataset, type DspDatasetImportOptions, type DspDatasetImportStats } from './dsp-dataset.js';
import { importDspLogs, type SkippedRun } from './dsp-logs.js';
import { importDspTravelPlannerDataset, readTravelPlannerQueryIds, travelPlannerSuiteName } from './dsp-travelplanner.js';
import { summarizeTraces, type SuiteSummary } from './suite-summary.js';
import type { CallScale, FinalGuessModel, TimingModel } from './timing-model.js';
import { writeTraces } from '../format.js';
import { readTextFile } from '../../io/read-text.js';

/** Where to read and write. */
export interface BuildSuitesOptions {
  /** The `shared/data` folder (holding `dsp/` and `openagi/`). */
  sharedDir: string;
  /** The folder that receives `<suite>.jsonl`. */
  outDir: string;
}

/** One suite that was written. */
export interface BuiltSuite {
  name: string;
  path: string;
  summary: SuiteSummary;
  /** Runs the importer could not use. */
  skipped: SkippedRun[];
  /** Runs kept with `terminal: false`. */
  truncated: SkippedRun[];
  /** Runs left out because their task is not a standard OpenAGI task. */
  excluded: SkippedRun[];
  /** Multipliers of the target's modelled figures (modelled suites only). */
  targetScale?: CallScale;
  /** How well the dataset's labels and histories held together (modelled suites only). */
  stats?: DspDatasetImportStats;
  /** Further lines for the build to print about the suite. */
  details?: string[];
}

/** What `buildEmbeddedSuites` produced. */
export interface BuildSuitesResult {
  suites: BuiltSuite[];
  /** The timing model fitted to `openagi-react` and used for the modelled suites. */
  timingModel: TimingModel;
  /** How often A guessed the terminal step right on `openagi-react`: the model of the modelled suites' final guesses. */
  finalGuess: FinalGuessModel;
}

/** Seed of the modelled suites' timing draws. Changing it changes the embedded suites. */
export const embeddedSuiteSeed = 1920;

/** The modelled suites: which dataset, which target, which assumptions (see docs/timing-model.md). */
export const modelledSuites = [
  {
    name: 'openagi-cot',
    dataset: 'dataset_value_func_cot_new.json',
    historyFiles: [] as string[],
    // One CoT call per step: the prompt is read once instead of ReAct's twice (input × 1/2, the proportional rule),
    // but the call writes the reasoning and the answer ReAct writes over two calls (output and latency × 1).
    targetCallsPerStep: 1,
    targetScale: { latencyMs: 1, outputTokens: 1 } as Partial<CallScale>,
  },
  {
    name: 'openagi-mad',
    dataset: 'dataset_predict_k_ma.json',
    // Same runs, a state after every A guess: it records guesses the round-start states of the predict-k file miss.
    historyFiles: ['dataset_stepwise_ma.json'],
    // Two debaters, two rounds each, then a final answer: five calls against ReAct's two (× 5/2 throughout).
    targetCallsPerStep: 5,
    targetScale: {} as Partial<CallScale>,
  },
] as const;

/** Models assumed for the modelled suites: the authors' released code runs gpt-4.1-mini on both sides by default. */
export const modelledSuiteModels = { approx: 'gpt-4.1-mini', target: 'gpt-4.1-mini' };

/**
 * Regenerates `openagi-react.jsonl`, `openagi-cot.jsonl`, `openagi-mad.jsonl` and `travelplanner-react.jsonl` in
 * `outDir`. Throws
 * `InvalidInputError` when an input is missing or malformed.
 */
export function buildEmbeddedSuites(options: BuildSuitesOptions): BuildSuitesResult {
  const dspDir = join(options.sharedDir, 'dsp');
  const standardTasks = new Set(readLines(join(options.sharedDir, 'openagi', 'task_description.txt')));
  const taskList = readLines(join(dspDir, 'openagi_task_description.txt'));

  const suites: BuiltSuite[] = [];
  const react = importDspLogs(join(dspDir, 'logs'));
  const reactKept = keepStandardTasks(react.traces, standardTasks);
  suites.push(writeSuite(options.outDir, 'openagi-react', reactKept.kept, { skipped: react.skipped, truncated: [], excluded: reactKept.excluded }));

  let timingModel: TimingModel | undefined;
  let finalGuess: FinalGuessModel | undefined;
  for (const suite of modelledSuites) {
    const importOptions: DspDatasetImportOptions = {
      timingFrom: react.traces,
      seed: embeddedSuiteSeed,
      suite: suite.name,
      targetCallsPerStep: suite.targetCallsPerStep,
      targetScale: suite.targetScale,
      models: modelledSuiteModels,
      taskList,
      historyFiles: suite.historyFiles.map((file) => join(dspDir, 'datasets', file)),
    };
    const imported = importDspDataset(join(dspDir, 'datasets', suite.dataset), importOptions);
    timingModel = imported.timingModel;
    finalGuess = imported.finalGuess;
    const { kept, excluded } = keepStandardTasks(imported.traces, standardTasks);
    suites.push(
      writeSuite(options.outDir, suite.name, kept, {
        skipped: imported.skipped,
        truncated: imported.truncated.filter((run) => kept.some((trace) => trace.id === run.run)),
        excluded,
        targetScale: imported.targetScale,
        stats: imported.stats,
      }),
    );
  }
  suites.push(buildTravelPlannerSuite(options, react.traces));
  return { suites, timingModel: timingModel!, finalGuess: finalGuess! };
}

/**
 * `travelplanner-react.jsonl` from `dataset_sft_travelplanner.json`, timed by the same model as the OpenAGI
 * modelled suites. Only runs on queries of the benchmark's published validation set (its
 * `postprocess/example_evaluation.jsonl`, MIT) are kept; they are named `val-<idx>`.
 */
function buildTravelPlannerSuite(options: BuildSuitesOptions, timingFrom: readonly Trace[]): BuiltSuite {
  const queryIds = readTravelPlannerQueryIds(join(options.sharedDir, 'travelplanner', 'postprocess', 'example_evaluation.jsonl'));
  const imported = importDspTravelPlannerDataset(join(options.sharedDir, 'dsp', 'datasets', 'dataset_sft_travelplanner.json'), {
    timingFrom,
    seed: embeddedSuiteSeed,
    suite: travelPlannerSuiteName,
    models: modelledSuiteModels,
    queryIds,
  });
  const kept = imported.traces.filter((trace) => queryIds.has(trace.task));
  const excluded = imported.traces
    .filter((trace) => !queryIds.has(trace.task))
    .map((trace) => ({ run: trace.id, reason: "not a query of the benchmark's published validation set" }));
  const stats = imported.stats;
  return writeSuite(options.outDir, travelPlannerSuiteName, kept, {
    skipped: imported.skipped,
    truncated: imported.truncated.filter((run) => kept.some((trace) => trace.id === run.run)),
    excluded,
    details: [
      `dataset: ${stats.records} records, ${stats.runs} runs; the authors' labels agree with exact acceptance for ${stats.labelsAgreeing}/${stats.labelsChecked} recorded rounds`,
      `${stats.acceptedByAuthorsRuleOnly} logged T steps their runs accepted by argument similarity are breaks here; ${stats.roundsContinuedPastWrongGuess} of ${stats.roundsOpeningWithWrongGuess} rounds opening with a wrong guess went on by that rule`,
      `${stats.cancelledGuesses} guesses read "cancelled"; ${stats.assumedPlannerSteps} runs end with the assumed Planner step`,
    ],
  });
}

function keepStandardTasks(traces: readonly Trace[], standardTasks: ReadonlySet<string>): { kept: Trace[]; excluded: SkippedRun[] } {
  const kept: Trace[] = [];
  const excluded: SkippedRun[] = [];
  for (const trace of traces) {
    if (standardTasks.has(trace.task)) kept.push(trace);
    else excluded.push({ run: trace.id, reason: 'not a standard OpenAGI task (added by the DSP authors; their texts are not redistributed)' });
  }
  return { kept, excluded };
}

function writeSuite(outDir: string, name: string, traces: Trace[], details: Omit<BuiltSuite, 'name' | 'path' | 'summary'>): BuiltSuite {
  if (traces.length === 0) throw new InvalidInputError(`suite ${name} would be empty`, { source: outDir });
  const path = join(outDir, `${name}.jsonl`);
  writeTraces(path, traces);
  return { name, path, summary: summarizeTraces(traces), ...details };
}

function readLines(path: string): string[] {
  const text = readTextFile(path);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
