/**
 * The metric figures of spec §5, each described once: its name in code, its unit, its label, how it is formatted,
 * how a suite's value comes from its tasks' and which outputs show it. The suite metrics, the rows of `dsp bench`
 * (JSON, CSV, the results file and its schema), the per-task arrays of the results file and the columns of the text
 * and HTML tables are all derived from this list, so a figure added here appears in each output that names it.
 *
 * Inside the code every time is in milliseconds. Outputs that other tools parse show times in seconds, under field
 * names ending in `Sec`; those names and their values are fixed. Pure.
 *
 * Money can be unknown: a figure marked `unknownIfUnpriced` is `null` when it includes a call with known usage but
 * no price (its model is not in the price table). Unknown is never 0: JSON shows `null`, tables `?`, ratios to it are
 * null, a suite's mean over tasks of which one is unknown is unknown, and `unpricedCalls` says how many calls.
 */
import type { TaskMetrics } from '../core/types.js';
import { formatCount, formatFixed, formatTimes, formatUsd } from './format.js';

/** The unit of a figure in code: `ms` (shown in seconds), `usd`, `ratio` (a multiple), `count` (calls, steps, k…). */
export type FigureUnit = 'ms' | 'usd' | 'ratio' | 'count';

/**
 * The text tables that show figures: `bench` is the table of `dsp bench` and the summary table of the HTML report,
 * `sweep` the frontier table of `dsp sweep`.
 */
export type FigureTable = 'bench' | 'sweep';

/** The figures of a suite that are not figures of a task: the task count and the mean of the per-task speedups. */
export type SuiteOnlyKey = 'tasks' | 'meanTaskSpeedup';

/**
 * How a suite's value comes from its tasks': their count, the sum or the mean of the figure, the ratio of the means
 * of two task figures (1 when the denominator's mean is 0), or the mean of another task figure.
 */
export type SuiteRule =
  | 'count'
  | 'sum'
  | 'mean'
  | { readonly ratioOf: readonly [numerator: keyof TaskMetrics, denominator: keyof TaskMetrics] }
  | { readonly meanOf: keyof TaskMetrics };

/** How a figure is described. */
export interface FigureDescription {
  /** Its name in code: a key of `TaskMetrics`, or of `SuiteMetrics` only (`tasks`, `meanTaskSpeedup`). */
  key: keyof TaskMetrics | SuiteOnlyKey;
  unit: FigureUnit;
  /** A short label; table headers add the unit (`latency` → `latency s`, `cost` → `cost $`). */
  label: string;
  /** What it is, in a sentence (shown as the title of HTML table headers). */
  about: string;
  /** The table cell of its output value (seconds for `ms` figures), e.g. `formatUsd`. An unknown value reads `?`. */
  format: (value: number) => string;
  /** Money: unknown (`null`) when it includes a call with known usage whose model has no price. Absent: always known. */
  unknownIfUnpriced?: true;
  /** How a suite's value comes from its tasks'. Absent: a task figure only. */
  suite?: SuiteRule;
  /** Whether the results file keeps its value for every task (in `perTask`, in code units: ms, USD…). */
  perTask: boolean;
  /**
   * Its field in bench rows (JSON, CSV, the results file) and the tables that show it. Absent: not in bench rows.
   * `onlyWhenNonZero`: a table shows the column only when some row's value is not 0.
   */
  row?: { field: string; tables: readonly FigureTable[]; onlyWhenNonZero?: true };
  /** Its ratio to the `fixed:2` row's value (the paper's normalisation): a field of bench rows, its header, its tables. */
  ratio?: { field: string; header: string; tables: readonly FigureTable[] };
}

/** Every figure, in the order of `TaskMetrics`, of bench rows and of table columns. */
export const figures = [
  {
    key: 'tasks',
    unit: 'count',
    label: 'tasks',
    about: 'The number of tasks the means are taken over.',
    format: formatCount,
    suite: 'count',
    perTask: false,
    row: { field: 'tasks', tables: [] },
  },
  {
    key: 'latencyMs',
    unit: 'ms',
    label: 'latency',
    about: 'Wall time from the task start to its final commit.',
    format: formatFixed,
    suite: 'mean',
    perTask: true,
    row: { field: 'latencySec', tables: ['bench', 'sweep'] },
    ratio: { field: 'latencyRatio', header: 'lat/k2', tables: ['bench', 'sweep'] },
  },
  {
    key: 'sequentialLatencyMs',
    unit: 'ms',
    label: 'sequential latency',
    about: 'The target agent alone on the same task: the durations of its committed calls, added up.',
    format: formatFixed,
    suite: 'mean',
    perTask: true,
    row: { field: 'sequentialLatencySec', tables: [] },
  },
  {
    key: 'speedup',
    unit: 'ratio',
    label: 'speedup',
    about: 'Sequential latency ÷ latency; of a suite, its mean sequential latency ÷ its mean latency.',
    format: formatTimes,
    suite: { ratioOf: ['sequentialLatencyMs', 'latencyMs'] },
    perTask: true,
    row: { field: 'speedup', tables: ['bench', 'sweep'] },
  },
  {
    key: 'meanTaskSpeedup',
    unit: 'ratio',
    label: 'mean task speedup',
    about: 'The mean over the tasks of each task’s speedup (not the suite’s speedup: a slow task weighs as much as a fast one).',
    format: formatTimes,
    suite: { meanOf: 'speedup' },
    perTask: false,
    row: { field: 'meanTaskSpeedup', tables: [] },
  },
  {
    key: 'costUsd',
    unit: 'usd',
    unknownIfUnpriced: true,
    label: 'cost',
    about: 'The cost of every call, from the price table (with tools, their model requests too).',
    format: formatUsd,
    suite: 'mean',
    perTask: true,
    row: { field: 'costUsd', tables: ['bench', 'sweep'] },
    ratio: { field: 'costRatio', header: 'cost/k2', tables: ['bench', 'sweep'] },
  },
  {
    key: 'sequentialCostUsd',
    unit: 'usd',
    unknownIfUnpriced: true,
    label: 'sequential cost',
    about: 'The cost of the target calls that produced committed steps, and of the model requests of committed tool executions: the target agent alone.',
    format: formatUsd,
    suite: 'mean',
    perTask: true,
    row: { field: 'sequentialCostUsd', tables: [] },
  },
  {
    key: 'overheadCostUsd',
    unit: 'usd',
    unknownIfUnpriced: true,
    label: 'overhead',
    about: 'Cost − sequential cost.',
    format: formatUsd,
    suite: 'mean',
    perTask: false,
  },
  {
    key: 'wastedCostUsd',
    unit: 'usd',
    unknownIfUnpriced: true,
    label: 'wasted',
    about: 'The cost of discarded, cancelled and failed calls, and of the model requests of tool executions not committed.',
    format: formatUsd,
    suite: 'mean',
    perTask: true,
    row: { field: 'wastedCostUsd', tables: ['bench', 'sweep'] },
    ratio: { field: 'wastedCostRatio', header: 'waste/k2', tables: ['bench'] },
  },
  {
    key: 'peakConcurrency',
    unit: 'count',
    label: 'peak',
    about: 'The most calls in flight at once.',
    format: formatFixed,
    suite: 'mean',
    perTask: false,
    row: { field: 'peakConcurrency', tables: ['bench'] },
  },
  {
    key: 'meanConcurrency',
    unit: 'count',
    label: 'mean conc',
    about: 'Calls in flight on average over the task (their durations added up ÷ latency).',
    format: formatFixed,
    suite: 'mean',
    perTask: false,
    row: { field: 'meanConcurrency', tables: ['bench'] },
  },
  {
    key: 'meanK',
    unit: 'count',
    label: 'mean k',
    about: 'The mean k the policy chose per round.',
    format: formatFixed,
    suite: 'mean',
    perTask: true,
    row: { field: 'meanK', tables: ['bench', 'sweep'] },
  },
  {
    key: 'rounds',
    unit: 'count',
    label: 'rounds',
    about: 'Rounds of speculation.',
    format: formatCount,
    perTask: false,
  },
  {
    key: 'steps',
    unit: 'count',
    label: 'steps',
    about: 'Committed plan steps.',
    format: formatCount,
    perTask: false,
  },
  {
    key: 'calls',
    unit: 'count',
    label: 'calls',
    about: 'Calls of both agents.',
    format: formatCount,
    perTask: false,
  },
  {
    key: 'unpricedCalls',
    unit: 'count',
    label: 'unpriced calls',
    about: 'Calls (and tool executions that called a model) with known usage whose model is missing from the price table: the costs that include them are unknown.',
    format: formatCount,
    suite: 'sum',
    perTask: false,
    row: { field: 'unpricedCalls', tables: ['bench', 'sweep'], onlyWhenNonZero: true },
  },
] as const satisfies readonly FigureDescription[];

/** One described figure. */
export type Figure = (typeof figures)[number];

/** The figures a suite has (`SuiteMetrics`). */
export type SuiteFigure = Extract<Figure, { suite: SuiteRule }>;
/** The figures that are unknown when they include an unpriced call. */
export type UnknowableFigure = Extract<Figure, { unknownIfUnpriced: true }>;
/** The figures of bench rows. */
export type RowFigure = Extract<Figure, { row: object }>;
/** The figures with a ratio to `fixed:2` in bench rows. */
export type RatioFigure = Extract<Figure, { ratio: object }>;
/** The figures the results file keeps for every task. */
export type PerTaskFigure = Extract<Figure, { perTask: true }>;

/** Whether a suite has the figure. */
export function isSuiteFigure(figure: FigureDescription): figure is SuiteFigure {
  return figure.suite !== undefined;
}

/** Whether bench rows show the figure. */
export function isRowFigure(figure: FigureDescription): figure is RowFigure {
  return figure.row !== undefined;
}

/** Whether bench rows show the figure's ratio to `fixed:2`. */
export function isRatioFigure(figure: FigureDescription): figure is RatioFigure {
  return figure.ratio !== undefined;
}

/** Whether the results file keeps the figure for every task. */
export function isPerTaskFigure(figure: FigureDescription): figure is PerTaskFigure {
  return figure.perTask;
}

/** Whether the figure is unknown (`null`) when it includes an unpriced call. */
export function isUnknowable(figure: FigureDescription): boolean {
  return figure.unknownIfUnpriced === true;
}

/** The figure's value as outputs show it: milliseconds become seconds, everything else is kept; unknown stays null. */
export function outputValue(figure: FigureDescription, value: number | null): number | null {
  if (value === null) return null;
  return figure.unit === 'ms' ? value / 1000 : value;
}

/** What a table shows for an unknown value. */
export const unknownCell = '?';

/** The table cell of an output value: the figure's format, `?` when unknown. */
export function figureCell(figure: FigureDescription, value: number | null): string {
  return value === null ? unknownCell : figure.format(value);
}

/** The figure's table header: its label and the unit outputs show it in (`latency s`, `cost $`, `speedup`). */
export function figureHeader(figure: FigureDescription): string {
  if (figure.unit === 'ms') return `${figure.label} s`;
  if (figure.unit === 'usd') return `${figure.label} $`;
  return figure.label;
}

/** Whether a suite's value of the figure is a whole number (a count, or a sum of counts). */
export function isWholeNumber(figure: FigureDescription): boolean {
  return figure.unit === 'count' && (figure.suite === 'count' || figure.suite === 'sum');
}

/** The `TaskMetrics` keys whose value may be null. */
type NullableTaskKey = { [Key in keyof TaskMetrics]: null extends TaskMetrics[Key] ? Key : never }[keyof TaskMetrics];
/** True only when the figures marked `unknownIfUnpriced` are exactly the nullable figures of `TaskMetrics`. */
type UnknowableMatchesTaskMetrics = [UnknowableFigure['key']] extends [NullableTaskKey]
  ? [NullableTaskKey] extends [UnknowableFigure['key']]
    ? true
    : false
  : false;
// Fails to compile when a money figure of `TaskMetrics` and its description disagree on whether it may be unknown.
const unknowableMatchesTaskMetrics: UnknowableMatchesTaskMetrics = true;
void unknowableMatchesTaskMetrics;
