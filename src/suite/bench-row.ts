/**
 * The rows of `dsp bench`: one per policy over a suite, with the fields and table columns derived from `figures`.
 * JSON, CSV, the results file's schema and the text and HTML tables all take their fields from `benchColumns`.
 */
import {
  figureHeader,
  figures,
  isRatioFigure,
  isRowFigure,
  isWholeNumber,
  outputValue,
  type FigureTable,
  type RatioFigure,
  type RowFigure,
} from '../ledger/figures.js';
import { formatFixed } from '../ledger/format.js';
import type { SuiteRun } from './replay-suite.js';

/**
 * One policy's figures over a suite, as `dsp bench --format json` prints them: `policy`, the figures of bench rows
 * (means per task, times in seconds), `lossless`, then each ratio to the `fixed:2` row (null without one). The
 * fields are those of `figures`; their names are fixed (other tools parse them).
 */
export type BenchRow = { policy: string } & Record<RowFigure['row']['field'], number> & {
  /** True when every task's committed plan equals the plan T alone produces. */
  lossless: boolean;
} & Record<RatioFigure['ratio']['field'], number | null>;

/** What a bench row's field holds: a name, a whole number, a number, a ratio (or null), a yes/no. */
export type BenchFieldKind = 'text' | 'whole' | 'number' | 'ratio' | 'flag';

/** A field of bench rows with its column in tables: JSON, CSV, the results file's schema and the tables use it. */
export interface BenchColumn {
  /** The field name, fixed (e.g. `latencySec`). */
  field: keyof BenchRow;
  kind: BenchFieldKind;
  /** Table header, e.g. `latency s`. */
  header: string;
  /** What it is, in a sentence. */
  about: string;
  /** The tables that show it. */
  tables: readonly FigureTable[];
  /** Its table cell. */
  cell: (row: BenchRow) => string;
}

const policyColumn: BenchColumn = {
  field: 'policy',
  kind: 'text',
  header: 'policy',
  about: 'The k-policy.',
  tables: ['bench', 'sweep'],
  cell: (row) => row.policy,
};

const losslessColumn: BenchColumn = {
  field: 'lossless',
  kind: 'flag',
  header: 'lossless',
  about: "Whether every committed plan equalled the target agent's plan.",
  tables: ['bench'],
  cell: (row) => (row.lossless ? 'yes' : 'NO'),
};

function figureColumn(figure: RowFigure): BenchColumn {
  const field = figure.row.field;
  return {
    field,
    kind: isWholeNumber(figure) ? 'whole' : 'number',
    header: figureHeader(figure),
    about: figure.about,
    tables: figure.row.tables,
    cell: (row) => figure.format(row[field]),
  };
}

function ratioColumn(figure: RatioFigure): BenchColumn {
  const field = figure.ratio.field;
  return {
    field,
    kind: 'ratio',
    header: figure.ratio.header,
    about: `${figureHeader(figure)} ÷ ${figureHeader(figure)} of the fixed:2 row.`,
    tables: figure.ratio.tables,
    cell: (row) => formatFixed(row[field]),
  };
}

const figureColumns = figures.filter(isRowFigure).map(figureColumn);
const ratioColumns = figures.filter(isRatioFigure).map(ratioColumn);

/** Every field of bench rows in their order in JSON and CSV: policy, the figures, lossless, the ratios to fixed:2. */
export const benchColumns: readonly BenchColumn[] = [policyColumn, ...figureColumns, losslessColumn, ...ratioColumns];

/** The columns of a table, in order: policy, the figures, the ratios to fixed:2, lossless (the verdict reads last). */
export function tableColumns(table: FigureTable): BenchColumn[] {
  return [policyColumn, ...figureColumns, ...ratioColumns, losslessColumn].filter((column) => column.tables.includes(table));
}

/** Rows of a suite's runs, with ratios to the `fixed:2` run when present. */
export function benchRows(runs: readonly SuiteRun[]): BenchRow[] {
  const values = runs.map(figureValues);
  const base = values[runs.findIndex((run) => run.policy === 'fixed:2')];
  return runs.map((run, index) => {
    const row: Record<string, string | number | boolean | null> = { policy: run.policy, ...values[index], lossless: run.lossless };
    for (const figure of figures.filter(isRatioFigure)) {
      // Ratios of the output values (seconds, not ms), as they always were, so the printed figures stay the same.
      const reference = base?.[figure.row.field];
      row[figure.ratio.field] = reference === undefined || reference === 0 ? null : values[index]![figure.row.field] / reference;
    }
    return row as BenchRow;
  });
}

/** A run's figures as bench rows show them (times in seconds), by field. */
function figureValues(run: SuiteRun): Record<RowFigure['row']['field'], number> {
  const entries = figures.filter(isRowFigure).map((figure) => [figure.row.field, outputValue(figure, run.metrics[figure.key])] as const);
  return Object.fromEntries(entries) as Record<RowFigure['row']['field'], number>;
}
