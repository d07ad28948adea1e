/**
 * Latency of the TravelPlanner sandbox tools: every committed step of the embedded `travelplanner-react` suite
 * (the Planner excepted: it is a model call) executed in order against the shipped database, with the task's
 * notebook state and prefix, as a run would execute it. The database is loaded by a first, unmeasured pass.
 * The median is the default tool latency of the TravelPlanner importer (`defaultToolLatencyMs`).
 *
 *   npm run build --silent && node --import tsx bench/travelplanner-tools.ts [--json]
 */
import { embeddedSuite } from '../dist/suite/embedded-suites.js';
import { createTravelPlannerEnvironment, parseTravelPlannerAction } from '../dist/envs/travelplanner/index.js';
import type { Action } from '../dist/core/types.js';

const json = process.argv.includes('--json');
const environment = createTravelPlannerEnvironment();
const traces = embeddedSuite('travelplanner-react', 1).traces;

async function pass(): Promise<Map<string, number[]>> {
  const byTool = new Map<string, number[]>();
  const signal = new AbortController().signal;
  for (const trace of traces) {
    const state = new Map<string, unknown>();
    const prefix: Action[] = [];
    for (const step of trace.steps) {
      const action = step.target.action;
      if (environment.isTerminal(action)) break;
      const start = performance.now();
      await environment.execute(action, { signal, state, prefix });
      const elapsedMs = performance.now() - start;
      const tool = parseTravelPlannerAction(action)?.tool ?? '(malformed)';
      byTool.set(tool, [...(byTool.get(tool) ?? []), elapsedMs]);
      prefix.push(action);
    }
  }
  return byTool;
}

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

await pass();
const measured = new Map<string, number[]>();
for (let round = 0; round < 3; round += 1) {
  for (const [tool, values] of await pass()) measured.set(tool, [...(measured.get(tool) ?? []), ...values]);
}
const all = [...measured.values()].flat();
const rows = [...measured.entries()].map(([tool, values]) => ({
  tool,
  executions: values.length,
  medianMs: quantile(values, 0.5),
  p90Ms: quantile(values, 0.9),
  maxMs: Math.max(...values),
}));
const overall = { executions: all.length, medianMs: quantile(all, 0.5), p90Ms: quantile(all, 0.9), maxMs: Math.max(...all) };
if (json) {
  console.log(JSON.stringify({ tools: rows, overall }, null, 2));
} else {
  for (const row of rows) {
    console.log(`${row.tool.padEnd(22)} ${String(row.executions).padStart(5)} runs  median ${row.medianMs.toFixed(3)} ms  p90 ${row.p90Ms.toFixed(3)} ms  max ${row.maxMs.toFixed(3)} ms`);
  }
  console.log(`${'all tools'.padEnd(22)} ${String(overall.executions).padStart(5)} runs  median ${overall.medianMs.toFixed(3)} ms  p90 ${overall.p90Ms.toFixed(3)} ms  max ${overall.maxMs.toFixed(3)} ms`);
}
