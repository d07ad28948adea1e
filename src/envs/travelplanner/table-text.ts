/**
 * Text renderings the TravelPlanner benchmark's tools produce from Python values: tables as pandas prints a
 * DataFrame (`to_string`), and lists and strings as Python's `repr` prints them. The agent reads these texts as
 * its observations, so an observation here looks like one in the benchmark. The rendering follows pandas' default
 * rules for the values this database holds (right-aligned columns separated by one space, floats with six decimals
 * and the trailing zeros the whole column shares removed, tabs and line breaks inside a cell escaped); it is not a
 * re-implementation of pandas for every dtype.
 */

/** A column of a table: its header and how its values print. */
export interface TableColumn {
  readonly name: string;
  /** `text` prints as is; `int` as a whole number; `float` with the column's shared number of decimals. */
  readonly kind: 'text' | 'int' | 'float';
}

/** One table cell: a string for `text` columns, a number for `int` and `float` columns. */
export type TableCell = string | number;

/** Options of `tableText`. */
export interface TableTextOptions {
  /**
   * Row labels printed as a first, left-aligned column with an empty header (pandas' `to_string()` with its index);
   * omitted, no label column (`to_string(index=False)`).
   */
  readonly rowLabels?: readonly (string | number)[];
}

/** The table as pandas' `DataFrame.to_string` prints it (see the module comment). */
export function tableText(columns: readonly TableColumn[], rows: readonly (readonly TableCell[])[], options: TableTextOptions = {}): string {
  const cells = columns.map((column, columnIndex) => formatColumn(column, rows.map((row) => row[columnIndex]!)));
  const widths = columns.map((column, columnIndex) =>
    Math.max(column.name.length, ...cells[columnIndex]!.map((cell) => cell.length)),
  );
  const labels = options.rowLabels?.map((label) => escapeCell(String(label)));
  const labelWidth = labels === undefined ? 0 : Math.max(0, ...labels.map((label) => label.length));
  const line = (label: string | undefined, values: readonly string[]): string => {
    const parts = values.map((value, columnIndex) => value.padStart(widths[columnIndex]!));
    return label === undefined ? parts.join(' ') : `${label.padEnd(labelWidth)} ${parts.join(' ')}`;
  };
  const lines = [line(labels === undefined ? undefined : '', columns.map((column) => column.name))];
  rows.forEach((_, rowIndex) => {
    lines.push(line(labels?.[rowIndex], cells.map((column) => column[rowIndex]!)));
  });
  return lines.join('\n');
}

function formatColumn(column: TableColumn, values: readonly TableCell[]): string[] {
  if (column.kind === 'text') return values.map((value) => escapeCell(String(value)));
  if (column.kind === 'int') return values.map((value) => String(value));
  return formatFloats(values.map(Number));
}

/**
 * Floats as pandas prints a float column: six decimals, then the trailing zeros that every value has dropped
 * together, keeping at least one decimal (`[131.0, 548.5]` → `131.0`, `548.5`; `[42.2773242]` → `42.277324`).
 */
export function formatFloats(values: readonly number[]): string[] {
  let texts = values.map((value) => (Number.isFinite(value) ? value.toFixed(6) : String(value)));
  const trimmable = (): boolean =>
    texts.length > 0 && texts.every((text) => text.endsWith('0') && /\.\d{2,}$/.test(text));
  while (trimmable()) texts = texts.map((text) => text.slice(0, -1));
  return texts;
}

/** pandas escapes these characters inside a cell, so a value never breaks a table's lines. */
function escapeCell(text: string): string {
  return text.replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** A string as Python's `repr` prints it: single quotes unless the text holds one and no double quote. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const character of text) {
    if (character === '\\') body += '\\\\';
    else if (character === quote) body += `\\${quote}`;
    else if (character === '\n') body += '\\n';
    else if (character === '\r') body += '\\r';
    else if (character === '\t') body += '\\t';
    else body += character;
  }
  return `${quote}${body}${quote}`;
}

/** A value Python's `str` of a list or dict would print for it. */
export type PythonValue = string | number | null | readonly PythonValue[] | { readonly [key: string]: PythonValue };

/** `str(value)` in Python for the values above: strings inside containers are `repr`ed, `null` is `None`. */
export function pythonText(value: PythonValue, nested = false): string {
  if (value === null) return 'None';
  if (typeof value === 'string') return nested ? pythonStringRepr(value) : value;
  if (typeof value === 'number') return String(value);
  if (isList(value)) return `[${value.map((item) => pythonText(item, true)).join(', ')}]`;
  const entries = Object.entries(value).map(([key, item]) => `${pythonStringRepr(key)}: ${pythonText(item, true)}`);
  return `{${entries.join(', ')}}`;
}

function isList(value: PythonValue): value is readonly PythonValue[] {
  return Array.isArray(value);
}
