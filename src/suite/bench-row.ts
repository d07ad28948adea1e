/**
 * The rows of `dsp bench`: one per policy over a suite, with the fields and table columns derived from `figures`.
 * JSON, CSV, the results file's schema and the text and HTML tables all take their fields from `benchColumns`.
 */
import {
  figureCell,
  figureHeader,
  figures,
  isRatioFigure,
  isRowFigure,
  isUnknowable,
  isWholeNumber,
  outputValue,
  unknownCell,
  type FigureTable,
  type RatioFigure,
  type RowFigure,
  type UnknowableFigure,
} from '../ledger/figures.js';
import { formatFixed } from '../ledger/format.js';
import type { SuiteRun } from './replay-suite.js';

/**
 * One policy's figures over a suite, as `dsp bench --format json` prints them: `policy`, the figures of bench rows
 * (means per task, times in seconds; money null when unknown), `lossless`, then each ratio to the `fixed:2` row (null
 * without one, or when either cost is unknown). The fields are those of `figures`; their names are fixed (other tools
 * parse them).
 */
export type BenchRow = { policy: string } & {
  [Figure in RowFigure as Figure['row']['field']]: Figure extends UnknowableFigure ? number | null : number;
} & {
  /** True when every task's committed plan equals the plan T alone produces. */
  lossless: boolean;
} & Record<RatioFigure['ratio']['field'], number | null>;

/** A field of bench rows as they are computed: a figure's output value by field (null when unknown). */
type FigureValues = Record<RowFigure['row']['field'], number | null>;

/**
 * What a bench row's field holds: a name, a whole number, a number, a number or null when unknown (money), a ratio
 * (or null), a yes/no.
 */
export type BenchFieldKind = 'text' | 'whole' | 'number' | 'unknowable' | 'ratio' | 'flag';

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
  /** Tables show the column only when some row's value is not 0. */
  onlyWhenNonZero?: boolean;
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
  const column: BenchColumn = {
    field,
    kind: isUnknowable(figure) ? 'unknowable' : isWholeNumber(figure) ? 'whole' : 'number',
    header: figureHeader(figure),
    about: figure.about,
    tables: figure.row.tables,
    cell: (row) => figureCell(figure, row[field]),
  };
  if ('onlyWhenNonZero' in figure.row) column.onlyWhenNonZero = true;
  return column;
}

/**
 * The column of a ratio to fixed:2. Its cell reads `?` when the row's or the fixed:2 row's value is unknown, `-`
 * when there is no fixed:2 row (or its value is 0).
 */
function ratioColumn(figure: RatioFigure, base: BenchRow | undefined): BenchColumn {
  const field = figure.ratio.field;
  const unknown = (row: BenchRow | undefined): boolean => row !== undefined && row[figure.row.field] === null;
  return {
    field,
    kind: 'ratio',
    header: figure.ratio.header,
    about: `${figureHeader(figure)} ÷ ${figureHeader(figure)} of the fixed:2 row.`,
    tables: figure.ratio.tables,
    cell: (row) => (row[field] === null && (unknown(row) || unknown(base)) ? unknownCell : formatFixed(row[field])),
  };
}

const figureColumns = figures.filter(isRowFigure).map(figureColumn);
const ratioColumns = (base: BenchRow | undefined): BenchColumn[] => figures.filter(isRatioFigure).map((figure) => ratioColumn(figure, base));

/** Every field of bench rows in their order in JSON and CSV: policy, the figures, lossless, the ratios to fixed:2. */
export const benchColumns: readonly BenchColumn[] = [policyColumn, ...figureColumns, losslessColumn, ...ratioColumns(undefined)];

/**
 * The columns of a table of `rows`, in order: policy, the figures, the ratios to fixed:2, lossless (the verdict reads
 * last). A column shown only when non-zero (unpriced calls) is left out when every row's value is 0. `summaryRows`:
 * every row of the summary the ratios were taken in (the fixed:2 row among them), when the table shows only some.
 */
export function tableColumns(table: FigureTable, rows: readonly BenchRow[], summaryRows: readonly BenchRow[] = rows): BenchColumn[] {
  const base = summaryRows.find((row) => row.policy === baseRowPolicy);
  return [policyColumn, ...figureColumns, ...ratioColumns(base), losslessColumn].filter(
    (column) => column.tables.includes(table) && (column.onlyWhenNonZero !== true || rows.some((row) => row[column.field] !== 0)),
  );
}

/** The policy of the row every ratio is taken to (the paper's normalisation). */
export const baseRowPolicy = 'fixed:2';

/** Rows of a suite's runs, with ratios to the `fixed:2` run when present and both values are known. */
export function benchRows(runs: readonly SuiteRun[]): BenchRow[] {
  const values = runs.map(figureValues);
  const base = values[runs.findIndex((run) => run.policy === baseRowPolicy)];
  return runs.map((run, index) => {
    const row: Record<string, string | number | boolean | null> = { policy: run.policy, ...values[index], lossless: run.lossless };
    for (const figure of figures.filter(isRatioFigure)) {
      // Ratios of the output values (seconds, not ms), as they always were, so the printed figures stay the same.
      const reference = base?.[figure.row.field] ?? null;
      const value = values[index]![figure.row.field];
      row[figure.ratio.field] = reference === null || reference === 0 || value === null ? null : value / reference;
    }
    return row as BenchRow;
  });
}

/** A run's figures as bench rows show them (times in seconds, unknown money null), by field. */
function figureValues(run: SuiteRun): FigureValues {
  const entries = figures.filter(isRowFigure).map((figure) => [figure.row.field, outputValue(figure, run.metrics[figure.key])] as const);
  return Object.fromEntries(entries) as FigureValues;
}
