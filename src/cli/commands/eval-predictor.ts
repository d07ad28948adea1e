/**
 * `dsp eval-predictor`: replays a k-labelled dataset through the DSP predictor online (predict each state, then
 * learn it, in order) and prints accuracy (k̂ ∈ {k, k+1}), MAE and a calibration table; with `--baseline-log`, the
 * same figures for the authors' DistilBERT predictions.
 */
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { parsePolicySpec } from '../../policies/registry.js';
import {
  evaluateOnline,
  loadBaselineLog,
  loadKDataset,
  parseDspOptions,
  summarizePredictions,
  type BaselinePrediction,
  type CalibrationRow,
  type EvaluationResult,
  type KDataset,
  type PredictionSummary,
} from '../../predictor/index.js';
import { formatFixed } from '../../ledger/format.js';
import { renderTextTable, type TextColumn } from '../../report/text-table.js';
import type { CliIo } from '../io.js';
import { parseWholeNumber } from '../options.js';

interface EvalPredictorOptions {
  dataset: string;
  baselineLog?: string;
  policy: string;
  seed: string;
  format: 'table' | 'json';
}

/** How a baseline log lines up with the dataset. */
export interface BaselineComparison {
  file: string;
  summary: PredictionSummary;
  /** True when the log's ground-truth k sequence equals the dataset's labels, in order. */
  aligned: boolean;
  /** How the log lines up with the dataset, in words. */
  note: string;
}

/** Everything `eval-predictor` reports; also its JSON output. */
export interface EvalPredictorReport {
  dataset: string;
  kind: KDataset['kind'];
  states: number;
  skippedStates: number;
  policy: string;
  summary: PredictionSummary;
  trainings: number;
  calibration: CalibrationRow[];
  /** The constant k̂ with the best accuracy in hindsight: a reference, not a predictor. */
  bestConstant: { predictedK: number; accuracy: number };
  baseline?: BaselineComparison;
}

/** Registers `dsp eval-predictor` on the program. */
export function registerEvalPredictorCommand(program: Command, io: CliIo): void {
  program
    .command('eval-predictor')
    .description('replay a k-labelled dataset through the DSP predictor online and report its accuracy')
    .requiredOption('--dataset <file>', 'a dataset_value_func_*.json or dataset_predict_k_*.json file')
    .option('--baseline-log <file>', "the authors' predictor log (JSONL with ground_truth_k and predicted_k) to compare with")
    .option('--policy <spec>', 'the dsp policy spec, e.g. dsp:tau=0.5,beta=0', 'dsp')
    .option('--seed <n>', "seed of the trainer's sampling", '1')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText(
      'after',
      "\nExamples, in a clone of the DSP authors' repository (github.com/guanyilin428/Dynamic-Speculative-Planning):\n" +
        '  $ dsp eval-predictor --dataset dataset_predict_k_ma.json --policy dsp:tau=0.5,beta=0 \\\n' +
        '      --baseline-log OpenAGI/predict_k/sft_ppo_distilbert_log/sft_ppo_distilbert_ma_log.jsonl\n',
    )
    .action((options: EvalPredictorOptions) => {
      const report = evalPredictor(options);
      io.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${renderEvalReport(report)}\n`);
    });
}

function evalPredictor(options: EvalPredictorOptions): EvalPredictorReport {
  const spec = parsePolicySpec(options.policy, '--policy');
  if (spec.kind !== 'dsp') throw new InvalidInputError(`"${options.policy}" is not a dsp policy`, { source: '--policy' });
  const settings = parseDspOptions(spec.options, '--policy');
  const seed = parseWholeNumber(options.seed, '--seed', 0);
  const dataset = loadKDataset(options.dataset);
  const result: EvaluationResult = evaluateOnline(dataset, { settings, seed });
  const labels = result.predictions.map((prediction) => prediction.label);
  const report: EvalPredictorReport = {
    dataset: options.dataset,
    kind: dataset.kind,
    states: result.predictions.length,
    skippedStates: dataset.skippedStates,
    policy: spec.name,
    summary: result.summary,
    trainings: result.trainings,
    calibration: result.calibration,
    bestConstant: bestConstant(labels, settings.kMax),
  };
  if (options.baselineLog !== undefined) report.baseline = compareBaseline(options.baselineLog, labels);
  return report;
}

function bestConstant(labels: readonly number[], kMax: number): { predictedK: number; accuracy: number } {
  let best = { predictedK: 1, accuracy: -1 };
  for (let predictedK = 1; predictedK <= kMax; predictedK += 1) {
    const accuracy = summarizePredictions(labels.map((label) => ({ label, predictedK }))).accuracy;
    if (accuracy > best.accuracy) best = { predictedK, accuracy };
  }
  return best;
}

function compareBaseline(path: string, labels: readonly number[]): BaselineComparison {
  const log: BaselinePrediction[] = loadBaselineLog(path);
  const aligned = log.length === labels.length && log.every((entry, index) => entry.groundTruthK === labels[index]);
  const summary = summarizePredictions(log.map((entry) => ({ label: entry.groundTruthK, predictedK: entry.predictedK })));
  return {
    file: path,
    summary,
    aligned,
    note: aligned
      ? 'same states in the same order as the dataset'
      : `not aligned with the dataset (${log.length} predictions vs ${labels.length} states): figures are over the log's own states`,
  };
}

const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;

function summaryLine(summary: PredictionSummary): string {
  return (
    `accuracy (k̂ ∈ {k, k+1}) ${percent(summary.accuracy)}, exact ${percent(summary.exact)}, ` +
    `MAE ${summary.meanAbsoluteError.toFixed(3)}, coverage (k̂ ≥ k) ${percent(summary.coverage)}, ` +
    `mean k̂ ${summary.meanPredictedK.toFixed(2)} vs mean k ${summary.meanLabel.toFixed(2)} (${summary.count} states)`
  );
}

const calibrationColumns: ReadonlyArray<TextColumn<CalibrationRow>> = [
  { header: 'k̂', cell: (row) => String(row.predictedK), align: 'right' },
  { header: 'states', cell: (row) => String(row.count) },
  { header: 'mean V̂', cell: (row) => formatFixed(row.meanValue) },
  { header: 'mean k', cell: (row) => formatFixed(row.meanLabel) },
  { header: 'k = k̂', cell: (row) => percent(row.exact) },
  { header: 'k ≤ k̂', cell: (row) => percent(row.coverage) },
];

/** The plain-text report. Pure: report in, text out. */
export function renderEvalReport(report: EvalPredictorReport): string {
  const lines = [
    `dataset ${basename(report.dataset)}: ${report.kind}, ${report.states} labelled states` +
      (report.skippedStates > 0 ? ` (${report.skippedStates} stale states with k = 0 left out)` : ''),
    `predictor ${report.policy}: online from empty, each state predicted before it is learned; ${report.trainings} training runs`,
    `ours:     ${summaryLine(report.summary)}`,
  ];
  if (report.baseline !== undefined) {
    lines.push(`baseline: ${summaryLine(report.baseline.summary)}`);
    lines.push(`          ${basename(report.baseline.file)}: ${report.baseline.note}; trained offline on part of the data`);
  }
  lines.push(
    `reference: the best constant k̂ in hindsight (${report.bestConstant.predictedK}) scores ${percent(report.bestConstant.accuracy)}`,
    '',
    'calibration (rows by the k̂ chosen):',
  );
  lines.push(renderTextTable(calibrationColumns, report.calibration));
  return lines.join('\n');
}
