import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../../core/errors.js';
import { databaseTexts } from './database-build.js';
import { databaseFiles } from './database-files.js';
import { TravelPlannerDatabase, defaultDatabaseDirectory } from './database.js';
import { createTravelPlannerEnvironment } from './environment.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const sharedData = resolve(repoRoot, '../shared/data');
const haveSharedData = existsSync(join(sharedData, 'travelplanner', 'database', 'train_ref_info.jsonl'));

describe('the shipped database', () => {
  it('is in data/travelplanner and holds every table', async () => {
    expect(defaultDatabaseDirectory).toBe(join(repoRoot, 'data', 'travelplanner') + '/');
    const database = new TravelPlannerDatabase();
    expect(await database.searchableCities()).toHaveLength(311);
    expect(await database.states()).toHaveLength(65);
    expect(await database.citiesOf('Mississippi')).toEqual(['Gulfport', 'Jackson', 'Hattiesburg']);
    expect((await database.flights('Rockford', 'St. Petersburg', '2022-03-18')).rows).toEqual([
      ['F3573120', 346, '19:00', '22:43', '2 hours 43 minutes', '2022-03-18', 'Rockford', 'St. Petersburg', 1049],
    ]);
  });

  it('reports a damaged file by its path, and a search then fails instead of answering wrongly', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'dsp-travelplanner-db-'));
    writeFileSync(join(directory, databaseFiles.citySet.file), gzipSync('town\nRockford\n'));
    const database = new TravelPlannerDatabase({ directory });
    await expect(database.searchableCities()).rejects.toThrow(/city-set\.csv\.gz: expected the columns city, found town/);
    const environment = createTravelPlannerEnvironment({ database });
    await expect(environment.execute('AttractionSearch[Rockford]', { signal: new AbortController().signal, state: new Map() })).rejects.toThrow(
      /city-set\.csv\.gz/,
    );
    await expect(new TravelPlannerDatabase({ directory }).accommodationsIn('Rockford')).rejects.toThrow(/accommodations\.csv\.gz: cannot read/);
  });
});

describe.skipIf(!haveSharedData)(`rebuilt from ${sharedData} (skipped when that folder is absent: the published files are not part of this repository)`, () => {
  it('gives the committed tables byte for byte (compared unzipped: gzip bytes depend on the zlib build)', () => {
    const { texts } = databaseTexts(sharedData);
    expect([...texts.keys()].sort()).toEqual(Object.keys(databaseFiles).sort());
    for (const [name, { text }] of texts) {
      const committed = gunzipSync(readFileSync(join(defaultDatabaseDirectory, databaseFiles[name].file))).toString('utf8');
      expect(committed === text, `${name} differs from the committed file; run npx tsx scripts/build-travelplanner-db.ts`).toBe(true);
    }
  });

  it("answers every search of the training queries' reference information as the benchmark did", async () => {
    const database = new TravelPlannerDatabase();
    const environment = createTravelPlannerEnvironment({ database });
    const execute = (action: string): Promise<string> => environment.execute(action, { signal: new AbortController().signal, state: new Map() });
    const lines = readFileSync(join(sharedData, 'travelplanner', 'database', 'train_ref_info.jsonl'), 'utf8').trim().split('\n');
    const checked = new Map<string, number>();
    const count = (kind: string): void => void checked.set(kind, (checked.get(kind) ?? 0) + 1);
    for (const line of lines) {
      for (const [heading, value] of Object.entries(JSON.parse(line) as Record<string, unknown>)) {
        const city = /^(Accommodations|Restaurants|Attractions) in (.+)$/.exec(heading);
        if (city !== null) {
          const slice =
            city[1] === 'Accommodations' ? await database.accommodationsIn(city[2]!) : city[1] === 'Restaurants' ? await database.restaurantsIn(city[2]!) : await database.attractionsIn(city[2]!);
          const names = slice.columns.map((column) => column.name);
          const rows = slice.rows.map((row) => Object.fromEntries(row.map((cell, index) => [names[index]!, cell])));
          expect(rows, heading).toEqual(value);
          count(city[1]!);
          continue;
        }
        const drive = /^(Self-driving|Taxi) from (.+) to (.+)$/.exec(heading);
        if (drive !== null) {
          const mode = drive[1] === 'Taxi' ? 'taxi' : 'self-driving';
          expect(await execute(`GoogleDistanceMatrix[${drive[2]}, ${drive[3]}, ${mode}]`), heading).toBe(value);
          count(drive[1]!);
          continue;
        }
        const flight = /^Flight from (.+) to (.+) on (.+)$/.exec(heading);
        if (flight !== null) {
          const observation = await execute(`FlightSearch[${flight[1]}, ${flight[2]}, ${flight[3]}]`);
          if (typeof value === 'string') expect(observation, heading).toBe(value);
          else {
            const rows = observation.split('\n').slice(1);
            const flights = value as { 'Flight Number': string; Price: number; DepTime: string }[];
            expect(rows.map((row) => row.trim().split(/ +/).slice(0, 3)), heading).toEqual(
              flights.map((row) => [row['Flight Number'], String(row.Price), row.DepTime]),
            );
          }
          count('Flight');
        }
      }
    }
    expect(Object.fromEntries(checked)).toEqual({ Accommodations: 90, Restaurants: 90, Attractions: 90, 'Self-driving': 135, Taxi: 135, Flight: 135 });
  });

  it('names the published file when it is malformed', () => {
    const broken = mkdtempSync(join(tmpdir(), 'dsp-travelplanner-shared-'));
    try {
      databaseTexts(broken);
      expect.unreachable();
    } catch (error) {
      expect(isInvalidInputError(error)).toBe(true);
      expect((error as Error).message).toMatch(/clean_accommodations_2022\.csv: no such file/);
    }
  });
});
