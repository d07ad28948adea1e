/**
 * Writes data/examples/travelplanner-mini.jsonl: four traces of the embedded suite travelplanner-react, the
 * TravelPlanner example that `dsp serve` replays with no key (README, dsp run --help) and that the end-to-end tests of
 * `dsp run --env travelplanner` replay. Four complete runs (ending with the Planner) of 7 to 11 steps, with A's
 * guesses both confirmed and wrong, among them wrong NotebookWrite guesses (written on a fork, then dropped):
 *
 *   npx tsx scripts/build-travelplanner-example.ts
 *
 * Deterministic: the traces are copied unchanged, in the suite's order.
 */
import { resolve } from 'node:path';
import { loadTraces, writeTraces } from '../src/traces/format.js';

const repoRoot = resolve(import.meta.dirname, '..');
export const exampleTraceIds = ['travelplanner-react/val-2', 'travelplanner-react/val-9', 'travelplanner-react/val-14', 'travelplanner-react/val-15'];

const suite = loadTraces(resolve(repoRoot, 'data/suites/travelplanner-react.jsonl'));
const traces = suite.filter((trace) => exampleTraceIds.includes(trace.id));
if (traces.length !== exampleTraceIds.length) throw new Error('a trace of the example is missing from the embedded suite');
const out = resolve(repoRoot, 'data/examples/travelplanner-mini.jsonl');
writeTraces(out, traces);
process.stdout.write(`${traces.length} traces, ${traces.reduce((sum, trace) => sum + trace.steps.length, 0)} steps -> ${out}\n`);
