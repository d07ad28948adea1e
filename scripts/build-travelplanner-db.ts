/**
 * Regenerates the compact TravelPlanner database in data/travelplanner/ from the benchmark's published sandbox
 * files (default ../shared/data, relative to the repository root):
 *
 *   npx tsx scripts/build-travelplanner-db.ts [--shared ../shared/data] [--out data/travelplanner]
 *
 * The CSV text of every table is deterministic; a file is rewritten only when its text changed. A test rebuilds the
 * texts and compares them with the committed files.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTravelPlannerDatabase } from '../src/envs/travelplanner/database-build.js';

const repoRoot = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    shared: { type: 'string', default: resolve(repoRoot, '../shared/data') },
    out: { type: 'string', default: resolve(repoRoot, 'data/travelplanner') },
  },
});

const result = buildTravelPlannerDatabase({ sharedDir: resolve(values.shared), outDir: resolve(values.out) });
const kilobytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
for (const table of result.tables) {
  process.stdout.write(
    `${table.name.padEnd(15)} ${String(table.rows).padStart(6)} rows  ${kilobytes(table.bytes).padStart(10)} gzipped (${kilobytes(table.textBytes)} CSV)  ${table.written ? 'written' : 'unchanged'}  ${table.path}\n`,
  );
}
const total = result.tables.reduce((sum, table) => sum + table.bytes, 0);
const totalText = result.tables.reduce((sum, table) => sum + table.textBytes, 0);
process.stdout.write(`total ${kilobytes(total)} gzipped (${kilobytes(totalText)} CSV)\n`);
for (const dropped of result.dropped) process.stdout.write(`left out of ${dropped.table}: ${dropped.rows} row(s): ${dropped.reason}\n`);
