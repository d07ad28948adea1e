/**
 * The package's entries, as built in dist/: the root entry `dsp-agent` loads no model SDK, no HTTP server, no chart
 * renderer; each subpath entry loads and exports its surface. Each entry is imported in a fresh Node process
 * whose module-resolution hook records every module resolved (ESM), beside the CommonJS module cache and the
 * built-in modules Node loaded, so a `require` inside a dependency is seen too.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** What one process loaded to import an entry. */
interface Loaded {
  /** Every module URL resolved through the ESM loader (`file:`, `node:`, `data:`). */
  urls: string[];
  /** Files in the CommonJS module cache. */
  commonJsFiles: string[];
  /** Built-in modules (`http`, `fs`, …) Node loaded, whoever asked for them. */
  builtins: string[];
  /** The entry's export names. */
  exports: string[];
}

// Runs in the hooks thread: sends each resolved URL to the main thread, in order.
const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  port.postMessage(result.url);
  return result;
}`;

// Runs in the main thread before the entry is imported; `reportLoads` prints what was loaded as JSON.
const recorder = `
import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (url) => urls.push(url));
port1.unref();
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}), { data: { port: port2 }, transferList: [port2] });
globalThis.reportLoads = async (exported) => {
  // Messages arrive in order: once this sentinel's URL is in, every earlier one is.
  const sentinel = 'data:text/javascript,export default "sentinel"';
  await import(sentinel);
  while (!urls.includes(sentinel)) await new Promise((resolve) => setTimeout(resolve, 5));
  const builtins = process.moduleLoadList.filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice(13));
  const commonJsFiles = Object.keys(createRequire(process.cwd() + '/').cache);
  process.stdout.write(JSON.stringify({ urls, commonJsFiles, builtins, exports: Object.keys(exported) }));
};`;

/** Imports `entry` (a specifier resolved from the package root) in a fresh process; returns what it loaded. */
function load(entry: string): Loaded {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(recorder)}`,
      '--input-type=module',
      '--eval',
      `await globalThis.reportLoads(await import(${JSON.stringify(entry)}));`,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Loaded;
}

/** Everything a load touched that belongs to a forbidden package or built-in module. */
function forbiddenLoads(loaded: Loaded): string[] {
  const packages = /\/node_modules\/(ai|@ai-sdk\/[^/]+|vega(-[^/]+)?|@resvg\/[^/]+)\//;
  const builtins = new Set(['http', 'https', '_http_server', '_http_client']);
  return [
    ...loaded.urls.filter((url) => packages.test(url) || url === 'node:http' || url === 'node:https'),
    ...loaded.commonJsFiles.filter((file) => packages.test(file)),
    ...loaded.builtins.filter((name) => builtins.has(name)),
  ];
}

describe('the root entry dsp-agent', () => {
  const entries = [
    ['the built file dist/index.js', './dist/index.js'],
    ['the package name', 'dsp-agent'],
  ];
  for (const [name, entry] of entries) {
    it(`loads no ai, @ai-sdk/*, node:http, vega or resvg (${name})`, () => {
      const loaded = load(entry!);
      expect(loaded.urls.some((url) => url.endsWith('/dist/index.js'))).toBe(true);
      expect(forbiddenLoads(loaded)).toEqual([]);
    });
  }

  it('exports the engine, policies, traces and suites, and no adapter or predictor internals', () => {
    const { exports } = load('dsp-agent');
    for (const name of ['runTask', 'RealClock', 'fixedPolicy', 'createPolicy', 'createDspPolicy', 'replaySuite', 'runBench', 'embeddedSuite', 'defaultSuites', 'loadTraces', 'createStrategyAgent', 'openAgiActionSpace']) {
      expect(exports).toContain(name);
    }
    for (const name of ['createAiSdkAgent', 'createLanguageModel', 'startReplayServer', 'renderReport', 'expectileLoss', 'SegmentBuilder', 'Featurizer', 'WorkerTrainer']) {
      expect(exports).not.toContain(name);
    }
  });

  it('replays an embedded suite from the root entry, as dsp bench does', async () => {
    const { embeddedSuite, defaultSuiteNames, runBench, parsePolicyList } = await import('../src/index.js');
    expect(defaultSuiteNames).toEqual(['openagi-react', 'openagi-cot', 'openagi-mad', 'travelplanner-react']);
    const [result] = await runBench({ suites: [embeddedSuite('openagi-cot', 1)], policies: parsePolicyList('sequential,fixed:2') });
    expect(result!.summary.tasks).toBe(121);
    const [sequential, fixed] = result!.summary.rows;
    expect(fixed!.latencySec).toBeLessThan(sequential!.latencySec);
    expect(fixed!.lossless).toBe(true);
  });

  it('exports every error the engine throws and its guard', async () => {
    const errors = await import('../src/core/errors.js');
    const names = Object.keys(errors).filter((name) => /^[A-Z].*Error$/.test(name));
    expect(names).toContain('DeadlineExceededError');
    const { exports } = load('dsp-agent');
    for (const name of names) {
      expect(exports).toContain(name);
      if (name !== 'DspError') expect(exports).toContain(`is${name}`);
    }
  });
});

describe('the subpath entries', () => {
  // Each entry loads, exports its surface, and loads the adapter packages it exists for: which also shows that the
  // recording above would see them.
  const cases = [
    { entry: 'dsp-agent/ai-sdk', names: ['createAiSdkAgent', 'callLanguageModel', 'createLanguageModel', 'parseModelSpec', 'speculate', 'runLiveSuite', 'travelPlannerLiveEnvironment', 'BudgetExceededError', 'SpeculationSkippedError'], loads: ['/node_modules/ai/', '/node_modules/@ai-sdk/openai/'] },
    { entry: 'dsp-agent/server', names: ['startReplayServer', 'isLoopbackHost'], loads: ['node:http'] },
    { entry: 'dsp-agent/report', names: ['buildResults', 'renderReport', 'renderPng', 'loadResults', 'sweepSummary'], loads: ['/node_modules/vega/', '/node_modules/vega-lite/', '/node_modules/@resvg/resvg-js/'] },
    { entry: 'dsp-agent/predictor', names: ['createDspPolicy', 'expectileLoss', 'SegmentBuilder', 'Featurizer', 'WorkerTrainer', 'evaluateOnline', 'MemoryStateStore', 'FileStateStore', 'inProcessTrainerFactory'], loads: [] },
  ];
  for (const { entry, names, loads } of cases) {
    it(`${entry} loads and exports ${names.join(', ')}`, () => {
      const loaded = load(entry);
      for (const name of names) expect(loaded.exports).toContain(name);
      const touched = [...loaded.urls, ...loaded.commonJsFiles.map((file) => `file://${file}`)];
      for (const part of loads) expect(touched.some((url) => url.includes(part)), `${entry} should load ${part}`).toBe(true);
      if (loads.length === 0) expect(forbiddenLoads(loaded)).toEqual([]);
    });
  }
});
