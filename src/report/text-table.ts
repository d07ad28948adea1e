/**
 * The plain-text table of every command that prints one (`dsp bench`, `dsp sweep`, `dsp suites`,
 * `dsp eval-predictor`). Pure: columns and rows in, text out.
 */

/** A column of a text table: its header and how a row's cell reads. */
export interface TextColumn<Row> {
  header: string;
  cell: (row: Row) => string;
  /** Default: the first column (names) left, the others (numbers) right. */
  align?: 'left' | 'right';
}

/**
 * The header line and one line per row, each column as wide as its widest cell and two spaces from the next. The
 * last column, when left-aligned, is not padded (no trailing spaces). Widths count characters as a terminal shows
 * them: combining marks (the hat of `k̂`) take no room.
 */
export function renderTextTable<Row>(columns: ReadonlyArray<TextColumn<Row>>, rows: readonly Row[]): string {
  const lines = [columns.map((column) => column.header), ...rows.map((row) => columns.map((column) => column.cell(row)))];
  const widths = columns.map((_column, index) => Math.max(...lines.map((cells) => displayWidth(cells[index]!))));
  const last = columns.length - 1;
  return lines
    .map((cells) =>
      cells
        .map((cell, index) => {
          const padding = ' '.repeat(widths[index]! - displayWidth(cell));
          if ((columns[index]!.align ?? (index === 0 ? 'left' : 'right')) === 'right') return `${padding}${cell}`;
          return index === last ? cell : `${cell}${padding}`;
        })
        .join('  '),
    )
    .join('\n');
}

/** How many characters wide a text shows in a terminal: its code points, combining marks left out. */
export function displayWidth(text: string): number {
  return [...text.replace(/\p{M}/gu, '')].length;
}
