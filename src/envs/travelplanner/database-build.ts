/**
 * Builds the compact TravelPlanner database (`data/travelplanner/*.csv.gz`, see `database-files.ts`) from the
 * benchmark's published sandbox files in `shared/data/travelplanner` (github.com/OSU-NLP-Group/TravelPlanner, MIT).
 * Run by `scripts/build-travelplanner-db.ts`; the environment itself never reads the published files.
 *
 * What the build keeps is what the benchmark's tools can show:
 * - accommodations, attractions and restaurants: the columns each tool prints, and only the rows pandas keeps after
 *   the tool's `dropna()` (a row with an empty field, or one of pandas' default missing-value markers such as `NA`,
 *   is never shown, so it is left out);
 * - the distance matrix: origin, destination, duration and distance (the published `cost` column is empty and
 *   unused) and, for an ordered pair listed more than once, only its first entry (the tool reads the first);
 * - flights: the published repository has no flights table; the rows of every "Flight from X to Y on DATE" entry of
 *   `train_ref_info.jsonl` (the reference information of the 45 training queries) are the whole flights table here;
 * - the city and state lists, in their published order.
 *
 * The CSV text of each table is deterministic. Gzip's bytes can differ between zlib versions and platforms, so a
 * table file is rewritten only when its text changed, and the rebuild test compares texts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { InvalidInputError } from '../../core/errors.js';
import { readTextFile } from '../../io/read-text.js';
import { databaseFiles, type DatabaseFileSpec, type DatabaseTableName } from './database-files.js';

/** Where to read and write. */
export interface BuildDatabaseOptions {
  /** The `shared/data` folder (holding `travelplanner/database/`). */
  sharedDir: string;
  /** The folder that receives the table files, e.g. `data/travelplanner`. */
  outDir: string;
}

/** One table file of the build. */
export interface BuiltTable {
  name: DatabaseTableName;
  path: string;
  rows: number;
  /** Size of the gzipped file in bytes. */
  bytes: number;
  /** Size of its CSV text in bytes. */
  textBytes: number;
  /** False when the file already held this text and was left as it was. */
  written: boolean;
}

/** What the build wrote and what it left out. */
export interface BuildDatabaseResult {
  tables: BuiltTable[];
  /** Published rows not kept, per table, with why. */
  dropped: { table: DatabaseTableName; rows: number; reason: string }[];
}

/** pandas' default missing-value markers (`read_csv` `na_values`): a field equal to one of them is missing. */
const pandasMissingMarkers = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN',
  'None', 'n/a', 'nan', 'null',
]);

/** The CSV text of every table, computed from the published files (no file is written). */
export function databaseTexts(sharedDir: string): { texts: Map<DatabaseTableName, { text: string; rows: number }>; dropped: BuildDatabaseResult['dropped'] } {
  const root = join(sharedDir, 'travelplanner', 'database');
  const texts = new Map<DatabaseTableName, { text: string; rows: number }>();
  const dropped: BuildDatabaseResult['dropped'] = [];
  const put = (name: DatabaseTableName, rows: readonly (readonly string[])[]): void => {
    texts.set(name, { text: csvText(databaseFiles[name], rows), rows: rows.length });
  };

  // Searchable tables: the tool's columns, rows pandas keeps after dropna().
  const searchable: { name: 'accommodations' | 'attractions' | 'restaurants'; file: string }[] = [
    { name: 'accommodations', file: 'accommodations/clean_accommodations_2022.csv' },
    { name: 'attractions', file: 'attractions/attractions.csv' },
    { name: 'restaurants', file: 'restaurants/clean_restaurant_2022.csv' },
  ];
  for (const { name, file } of searchable) {
    const path = join(root, file);
    const [header, ...records] = readCsv(path);
    const spec = databaseFiles[name];
    const sourceAt = spec.columns.map((column) =>
      column.name === 'index' ? -1 : columnIndex(header!, column.name, path),
    );
    const rows: string[][] = [];
    let missing = 0;
    records.forEach((record, position) => {
      if (record.some((value) => pandasMissingMarkers.has(value))) {
        missing += 1;
        return;
      }
      rows.push(sourceAt.map((at) => (at === -1 ? String(position) : record[at]!)));
    });
    checkNumbers(spec, rows, path);
    put(name, rows);
    if (missing > 0) dropped.push({ table: name, rows: missing, reason: 'a field is missing (pandas dropna)' });
  }

  // Distances: no dropna in the tool; the first entry of each ordered pair.
  {
    const path = join(root, 'googleDistanceMatrix', 'distance.csv');
    const [header, ...records] = readCsv(path);
    const at = ['origin', 'destination', 'duration', 'distance'].map((name) => columnIndex(header!, name, path));
    const seen = new Set<string>();
    const rows: string[][] = [];
    for (const record of records) {
      const row = at.map((index) => record[index]!);
      const key = `${row[0]}\u0000${row[1]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(row.map((value, index) => (index >= 2 && pandasMissingMarkers.has(value) ? '' : value)));
    }
    put('distances', rows);
    dropped.push({ table: 'distances', rows: records.length - rows.length, reason: 'a later entry of an ordered pair already listed (the tool reads the first)' });
  }

  put('flights', flightRows(join(root, 'train_ref_info.jsonl')));

  const lines = (file: string): string[] => readTextFile(join(root, 'background', file)).trim().split('\n');
  put('citySet', lines('citySet.txt').map((city) => [city]));
  put('stateSet', lines('stateSet.txt').map((state) => [state]));
  put(
    'cities',
    lines('citySet_with_states.txt').map((line, index) => {
      const parts = line.split('\t');
      if (parts.length !== 2) throw new InvalidInputError(`line ${index + 1}: expected "city<TAB>state"`, { source: join(root, 'background', 'citySet_with_states.txt') });
      return parts;
    }),
  );
  return { texts, dropped };
}

/** Writes the table files into `outDir` (only those whose text changed) and says what it did. */
export function buildTravelPlannerDatabase(options: BuildDatabaseOptions): BuildDatabaseResult {
  const { texts, dropped } = databaseTexts(options.sharedDir);
  mkdirSync(options.outDir, { recursive: true });
  const tables: BuiltTable[] = [];
  for (const [name, { text, rows }] of texts) {
    const path = join(options.outDir, databaseFiles[name].file);
    const unchanged = existsSync(path) && gunzipSync(readFileSync(path)).toString('utf8') === text;
    if (!unchanged) writeFileSync(path, gzipSync(Buffer.from(text, 'utf8'), { level: 9 }));
    tables.push({ name, path, rows, bytes: readFileSync(path).length, textBytes: Buffer.byteLength(text), written: !unchanged });
  }
  return { tables, dropped };
}

const flightHeading = /^Flight from (.+) to (.+) on (\d{4}-\d{2}-\d{2})$/;

/** The rows of every flight entry of the reference information, each once, in order of first appearance. */
function flightRows(path: string): string[][] {
  const spec = databaseFiles.flights;
  const rows: string[][] = [];
  const seen = new Set<string>();
  readTextFile(path)
    .split('\n')
    .forEach((line, lineIndex) => {
      if (line.trim() === '') return;
      const where = `line ${lineIndex + 1}`;
      let entries: unknown;
      try {
        entries = JSON.parse(line);
      } catch (error) {
        throw new InvalidInputError(`${where}: not valid JSON (${(error as Error).message})`, { source: path });
      }
      for (const [heading, value] of Object.entries(entries as Record<string, unknown>)) {
        const match = flightHeading.exec(heading);
        // A string value says there is no such flight; a route absent from the table gives the same answer.
        if (match === null || !Array.isArray(value)) continue;
        for (const flight of value as Record<string, unknown>[]) {
          const row = spec.columns.map((column) => {
            const cell = flight[column.name];
            const ok = column.kind === 'text' ? typeof cell === 'string' : typeof cell === 'number' && Number.isFinite(cell);
            if (!ok) throw new InvalidInputError(`${where}: "${heading}": ${column.name} is not a ${column.kind === 'text' ? 'string' : 'number'}`, { source: path });
            return String(cell);
          });
          const [origin, destination, date] = [row[6], row[7], row[5]];
          if (origin !== match[1] || destination !== match[2] || date !== match[3]) {
            throw new InvalidInputError(`${where}: a flight under "${heading}" goes from ${origin} to ${destination} on ${date}`, { source: path });
          }
          const key = row.join('\u0000');
          if (seen.has(key)) continue;
          seen.add(key);
          rows.push(row);
        }
      }
    });
  return rows;
}

function readCsv(path: string): string[][] {
  const text = readTextFile(path);
  try {
    return parse(text, { relaxColumnCount: false });
  } catch (error) {
    throw new InvalidInputError(`not valid CSV (${(error as Error).message})`, { source: path });
  }
}

function columnIndex(header: readonly string[], name: string, path: string): number {
  const index = header.indexOf(name);
  if (index === -1) throw new InvalidInputError(`no column "${name}" (found ${header.join(', ')})`, { source: path });
  return index;
}

function checkNumbers(spec: DatabaseFileSpec, rows: readonly (readonly string[])[], path: string): void {
  spec.columns.forEach((column, index) => {
    if (column.kind === 'text') return;
    for (const row of rows) {
      const value = row[index]!;
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number) || (column.kind === 'int' && !Number.isInteger(number))) {
        throw new InvalidInputError(`${column.name}: expected ${column.kind === 'int' ? 'a whole number' : 'a number'}, found ${JSON.stringify(value)}`, { source: path });
      }
    }
  });
}

/** CSV with a header row; a field is quoted when it holds a comma, a quote or a line break. */
export function csvText(spec: DatabaseFileSpec, rows: readonly (readonly string[])[]): string {
  const field = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const lines = [spec.columns.map((column) => field(column.name)), ...rows.map((row) => row.map(field))];
  return `${lines.map((line) => line.join(',')).join('\n')}\n`;
}
