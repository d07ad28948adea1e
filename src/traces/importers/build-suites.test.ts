import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTraces } from '../format.js';
import { buildEmbeddedSuites } from './build-suites.js';
import { summarizeTraces } from './suite-summary.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const sharedData = resolve(repoRoot, '../shared/data');
const suitesDir = resolve(repoRoot, 'data/suites');
const openAgiSuiteFiles = ['openagi-cot.jsonl', 'openagi-mad.jsonl', 'openagi-react.jsonl'];
const suiteFiles = [...openAgiSuiteFiles, 'travelplanner-react.jsonl'];
const haveSharedData = ['dsp', 'openagi', 'travelplanner'].every((folder) => existsSync(join(sharedData, folder)));

describe('embedded suites', () => {
  it('are committed, load as dsp-trace/1 files and use only standard OpenAGI tasks', () => {
    for (const file of openAgiSuiteFiles) {
      const traces = loadTraces(join(suitesDir, file));
      const summary = summarizeTraces(traces);
      expect(summary.tasks).toBeGreaterThan(0);
      expect(new Set(traces.map((trace) => trace.suite))).toEqual(new Set([file.replace('.jsonl', '')]));
      for (const trace of traces) expect(trace.task).toMatch(/^Given .* step by step\?$/);
    }
    const react = loadTraces(join(suitesDir, 'openagi-react.jsonl'));
    expect(react.every((trace) => trace.timing === 'measured')).toBe(true);
    const modelled = [...loadTraces(join(suitesDir, 'openagi-cot.jsonl')), ...loadTraces(join(suitesDir, 'openagi-mad.jsonl'))];
    expect(modelled.every((trace) => trace.timing === 'modelled')).toBe(true);
  });

  it.skipIf(!haveSharedData)(
    `regenerate byte for byte from ${sharedData} (skipped when that folder is absent: the third-party inputs are not part of this repository)`,
    () => {
      const outDir = mkdtempSync(join(tmpdir(), 'dsp-suites-'));
      const result = buildEmbeddedSuites({ sharedDir: sharedData, outDir });
      expect(result.suites.map((suite) => `${suite.name}.jsonl`).sort()).toEqual(suiteFiles);
      expect(readdirSync(outDir).sort()).toEqual(suiteFiles);
      for (const file of suiteFiles) {
        const rebuilt = readFileSync(join(outDir, file));
        const committed = readFileSync(join(suitesDir, file));
        expect(rebuilt.equals(committed), `${file} differs from the committed suite; run npx tsx scripts/build-suites.ts`).toBe(true);
      }
    },
  );
});
