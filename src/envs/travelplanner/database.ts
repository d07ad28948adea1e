/**
 * The TravelPlanner sandbox database, read from the compact files shipped in `data/travelplanner/` (see
 * `database-files.ts`). Nothing is read until a search needs it: each table is loaded, parsed with a CSV parser and
 * indexed on its first use, once per database object.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { CorruptStateError } from '../../core/errors.js';
import { databaseFiles, type DatabaseFileSpec, type DatabaseTableName } from './database-files.js';
import type { TableCell, TableColumn } from './table-text.js';

const gunzipAsync = promisify(gunzip);

/** The folder of the shipped database (`data/travelplanner` at the package root). */
export const defaultDatabaseDirectory = fileURLToPath(new URL('../../../data/travelplanner/', import.meta.url));

/** Rows of one table selected by a search, ready to print. */
export interface TableSlice {
  readonly columns: readonly TableColumn[];
  readonly rows: readonly (readonly TableCell[])[];
  /** Row labels the tool prints (the restaurant tool's index), when it prints any. */
  readonly rowLabels?: readonly number[];
}

/** A driving distance between two places; a field is undefined where the published matrix has no value. */
export interface DistanceEntry {
  readonly duration: string | undefined;
  readonly distance: string | undefined;
}

interface LoadedTable {
  readonly spec: DatabaseFileSpec;
  readonly rows: readonly (readonly TableCell[])[];
}

interface CityIndex {
  readonly columns: readonly TableColumn[];
  readonly byCity: ReadonlyMap<string, (readonly TableCell[])[]>;
  readonly labels: ReadonlyMap<string, number[]> | undefined;
}

/** Reads the shipped database lazily. Create one per process (or share one): tables are cached inside. */
export class TravelPlannerDatabase {
  readonly directory: string;
  private readonly tables = new Map<DatabaseTableName, Promise<LoadedTable>>();
  private readonly derived = new Map<string, Promise<unknown>>();

  /** `directory` defaults to the database shipped with the package. */
  constructor(options: { directory?: string } = {}) {
    this.directory = options.directory ?? defaultDatabaseDirectory;
  }

  /** The cities the searches accept, in the benchmark's order (`citySet.txt`). */
  async searchableCities(): Promise<readonly string[]> {
    return this.memo('searchable-cities', async () => (await this.table('citySet')).rows.map((row) => String(row[0])));
  }

  /** The cities of a state (`citySet_with_states.txt` order), or `undefined` for a state the benchmark does not know. */
  async citiesOf(state: string): Promise<readonly string[] | undefined> {
    const byState = await this.memo('cities-by-state', async () => {
      const map = new Map<string, string[]>();
      for (const row of (await this.table('cities')).rows) {
        const [city, stateName] = [String(row[0]), String(row[1])];
        appendTo(map, stateName, city);
      }
      return map;
    });
    return byState.get(state);
  }

  /** The benchmark's state set (`stateSet.txt`). */
  async states(): Promise<readonly string[]> {
    return this.memo('states', async () => (await this.table('stateSet')).rows.map((row) => String(row[0])));
  }

  /** Accommodations whose `city` is exactly `city`, in file order. */
  async accommodationsIn(city: string): Promise<TableSlice> {
    return this.citySlice(await this.cityIndex('accommodations', 'city'), city);
  }

  /** Attractions whose `City` is exactly `city`, in file order. */
  async attractionsIn(city: string): Promise<TableSlice> {
    return this.citySlice(await this.cityIndex('attractions', 'City'), city);
  }

  /** Restaurants whose `City` is exactly `city`, in file order, labelled with their row in the published file. */
  async restaurantsIn(city: string): Promise<TableSlice> {
    return this.citySlice(await this.cityIndex('restaurants', 'City', 'index'), city);
  }

  /** Flights from `origin` to `destination` on `date` (YYYY-MM-DD), exact matches, in file order. */
  async flights(origin: string, destination: string, date: string): Promise<TableSlice> {
    const table = await this.table('flights');
    const column = (name: string): number => table.spec.columns.findIndex((candidate) => candidate.name === name);
    const [originAt, destinationAt, dateAt] = [column('OriginCityName'), column('DestCityName'), column('FlightDate')];
    const rows = table.rows.filter((row) => row[originAt] === origin && row[destinationAt] === destination && row[dateAt] === date);
    return { columns: table.spec.columns, rows };
  }

  /** The first entry of the distance matrix from `origin` to `destination`, or `undefined` when there is none. */
  async distance(origin: string, destination: string): Promise<DistanceEntry | undefined> {
    const index = await this.memo('distances', async () => {
      const map = new Map<string, DistanceEntry>();
      for (const row of (await this.table('distances')).rows) {
        const key = `${String(row[0])}\u0000${String(row[1])}`;
        if (map.has(key)) continue;
        const missing = (cell: TableCell | undefined): string | undefined => (cell === '' || cell === undefined ? undefined : String(cell));
        map.set(key, { duration: missing(row[2]), distance: missing(row[3]) });
      }
      return map;
    });
    return index.get(`${origin}\u0000${destination}`);
  }

  private citySlice(index: CityIndex, city: string): TableSlice {
    const rows = index.byCity.get(city) ?? [];
    const labels = index.labels?.get(city);
    return labels === undefined ? { columns: index.columns, rows } : { columns: index.columns, rows, rowLabels: labels };
  }

  private async cityIndex(name: 'accommodations' | 'attractions' | 'restaurants', cityColumn: string, labelColumn?: string): Promise<CityIndex> {
    return this.memo(`city-index/${name}`, async () => {
      const table = await this.table(name);
      const columns = table.spec.columns;
      const cityAt = columns.findIndex((column) => column.name === cityColumn);
      const labelAt = labelColumn === undefined ? -1 : columns.findIndex((column) => column.name === labelColumn);
      const shown = columns.filter((_, index) => index !== labelAt);
      const byCity = new Map<string, (readonly TableCell[])[]>();
      const labels = labelAt === -1 ? undefined : new Map<string, number[]>();
      for (const row of table.rows) {
        const city = String(row[cityAt]);
        const kept = labelAt === -1 ? row : row.filter((_, index) => index !== labelAt);
        appendTo(byCity, city, kept);
        if (labels !== undefined) appendTo(labels, city, Number(row[labelAt]));
      }
      return { columns: shown, byCity, labels };
    });
  }

  private memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    let promise = this.derived.get(key) as Promise<T> | undefined;
    if (promise === undefined) {
      promise = load();
      this.derived.set(key, promise);
      // A failed load is not cached, so a later call can retry (e.g. after the files are restored).
      promise.catch(() => this.derived.delete(key));
    }
    return promise;
  }

  private table(name: DatabaseTableName): Promise<LoadedTable> {
    let promise = this.tables.get(name);
    if (promise === undefined) {
      promise = readTable(join(this.directory, databaseFiles[name].file), databaseFiles[name]);
      this.tables.set(name, promise);
      promise.catch(() => this.tables.delete(name));
    }
    return promise;
  }
}

function appendTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Reads, unzips and parses one table file, checking its header and turning numeric columns into numbers. */
export async function readTable(path: string, spec: DatabaseFileSpec): Promise<LoadedTable> {
  let text: string;
  try {
    text = (await gunzipAsync(await readFile(path))).toString('utf8');
  } catch (error) {
    throw new CorruptStateError(path, `cannot read the TravelPlanner database file (${(error as Error).message}); reinstall the package or rebuild it with scripts/build-travelplanner-db.ts`, {
      cause: error,
    });
  }
  let records: string[][];
  try {
    records = parse(text, { relaxColumnCount: false, skipEmptyLines: false });
  } catch (error) {
    throw new CorruptStateError(path, `not valid CSV (${(error as Error).message})`, { cause: error });
  }
  const header = records[0] ?? [];
  const expected = spec.columns.map((column) => column.name);
  if (header.join('\u0000') !== expected.join('\u0000')) {
    throw new CorruptStateError(path, `expected the columns ${expected.join(', ')}, found ${header.join(', ')}`);
  }
  const rows = records.slice(1).map((record, index) =>
    record.map((value, columnIndex): TableCell => {
      const kind = spec.columns[columnIndex]!.kind;
      if (kind === 'text' || value === '') return value;
      const number = Number(value);
      if (!Number.isFinite(number)) throw new CorruptStateError(path, `line ${index + 2}: ${spec.columns[columnIndex]!.name} is not a number: ${value}`);
      return number;
    }),
  );
  return { spec, rows };
}
