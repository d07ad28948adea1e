/**
 * The layout of the compact TravelPlanner database shipped in `data/travelplanner/`: one gzipped CSV file per
 * table, with a header row. The build (`database-build.ts`) writes these files and the loader (`database.ts`) reads
 * them; both take the file names and columns from here.
 */
import type { TableColumn } from './table-text.js';

/** One table file: its name and its columns in file order. */
export interface DatabaseFileSpec {
  readonly file: string;
  readonly columns: readonly TableColumn[];
}

const text = (name: string): TableColumn => ({ name, kind: 'text' });
const int = (name: string): TableColumn => ({ name, kind: 'int' });
const float = (name: string): TableColumn => ({ name, kind: 'float' });

/**
 * The tables. The columns of the four searchable tables are those the benchmark's tools show, in their order
 * (`restaurants` adds `index`, the row's position in the published file, which the restaurant tool prints as the
 * table's row labels). The kinds are the dtypes pandas gives these columns.
 */
export const databaseFiles = {
  accommodations: {
    file: 'accommodations.csv.gz',
    columns: [
      text('NAME'),
      float('price'),
      text('room type'),
      text('house_rules'),
      float('minimum nights'),
      int('maximum occupancy'),
      float('review rate number'),
      text('city'),
    ],
  },
  attractions: {
    file: 'attractions.csv.gz',
    columns: [text('Name'), float('Latitude'), float('Longitude'), text('Address'), text('Phone'), text('Website'), text('City')],
  },
  restaurants: {
    file: 'restaurants.csv.gz',
    columns: [int('index'), text('Name'), int('Average Cost'), text('Cuisines'), float('Aggregate Rating'), text('City')],
  },
  flights: {
    file: 'flights.csv.gz',
    columns: [
      text('Flight Number'),
      int('Price'),
      text('DepTime'),
      text('ArrTime'),
      text('ActualElapsedTime'),
      text('FlightDate'),
      text('OriginCityName'),
      text('DestCityName'),
      float('Distance'),
    ],
  },
  /** Driving duration and distance per ordered pair of places; empty fields are missing values. */
  distances: {
    file: 'distances.csv.gz',
    columns: [text('origin'), text('destination'), text('duration'), text('distance')],
  },
  /** Every city with its state (the benchmark's `citySet_with_states.txt`, in its order). */
  cities: { file: 'cities.csv.gz', columns: [text('city'), text('state')] },
  /** The cities the searches accept (the benchmark's `citySet.txt`, in its order: its error message lists them). */
  citySet: { file: 'city-set.csv.gz', columns: [text('city')] },
  /** The benchmark's state set (`stateSet.txt`). */
  stateSet: { file: 'state-set.csv.gz', columns: [text('state')] },
} as const satisfies Record<string, DatabaseFileSpec>;

/** The name of a table. */
export type DatabaseTableName = keyof typeof databaseFiles;
