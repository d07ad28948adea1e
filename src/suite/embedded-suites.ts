/**
 * Where suites come from: trace files given by the user, the embedded suites shipped in `data/suites/`, and the
 * built-in synthetic suite generated on the fly.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import { loadTraces } from '../traces/format.js';
import type { Trace } from '../traces/schema.js';
import { generateSyntheticTraces } from '../traces/synthetic.js';

/** A named set of traces to replay. */
export interface Suite {
  name: string;
  traces: Trace[];
  /** Where the traces came from, shown in reports. */
  source: string;
}

/** The folder of embedded suites (`data/suites` at the package root). */
export const embeddedSuitesDir = fileURLToPath(new URL('../../data/suites/', import.meta.url));

/** The embedded suites run by default, in this order, when present. */
export const defaultSuiteNames = ['openagi-react', 'openagi-cot', 'openagi-mad'];

/** Names of the embedded suites available, plus `synthetic`. */
export function availableSuiteNames(): string[] {
  const files = existsSync(embeddedSuitesDir) ? readdirSync(embeddedSuitesDir) : [];
  const names = files.filter((file) => file.endsWith('.jsonl')).map((file) => file.slice(0, -'.jsonl'.length));
  return [...names.sort(), 'synthetic'];
}

/** The built-in synthetic suite. */
export function syntheticSuite(seed: number): Suite {
  return {
    name: 'synthetic',
    traces: generateSyntheticTraces({ seed }),
    source: `built-in synthetic suite (seeded generator, seed ${seed}): not real agent data`,
  };
}

/**
 * Loads an embedded suite (or `synthetic`) by name. An unknown name throws `InvalidInputError` naming `source`
 * (default `suite name`; a command passes its option, e.g. `--suite`).
 */
export function embeddedSuite(name: string, seed: number, source = 'suite name'): Suite {
  if (name === 'synthetic') return syntheticSuite(seed);
  const path = join(embeddedSuitesDir, `${name}.jsonl`);
  if (!existsSync(path)) {
    throw new InvalidInputError(`unknown suite "${name}"; available: ${availableSuiteNames().join(', ')}`, { source });
  }
  return { name, traces: loadTraces(path), source: `embedded suite data/suites/${name}.jsonl` };
}

/** The suites `dsp bench` runs with no suite named: the embedded OpenAGI suites, else the synthetic one. */
export function defaultSuites(seed: number): Suite[] {
  const present = defaultSuiteNames.filter((name) => existsSync(join(embeddedSuitesDir, `${name}.jsonl`)));
  return present.length > 0 ? present.map((name) => embeddedSuite(name, seed)) : [syntheticSuite(seed)];
}

/** Loads trace files and groups their traces by the `suite` field, keeping file order. */
export function suitesFromFiles(paths: readonly string[]): Suite[] {
  const bySuite = new Map<string, Suite>();
  for (const path of paths) {
    for (const trace of loadTraces(path)) {
      let suite = bySuite.get(trace.suite);
      if (suite === undefined) {
        suite = { name: trace.suite, traces: [], source: path };
        bySuite.set(trace.suite, suite);
      } else if (!suite.source.split(', ').includes(path)) {
        suite.source = `${suite.source}, ${path}`;
      }
      suite.traces.push(trace);
    }
  }
  return [...bySuite.values()];
}

/**
 * The suites a command runs: the trace files, then the embedded suites named; when neither is given, the default
 * suites (`usedDefault` says so, for the command to tell the user). An unknown suite name is an error naming
 * `suiteSource` (see `embeddedSuite`).
 */
export function selectSuites(
  options: { traces?: readonly string[]; suite?: readonly string[] },
  seed: number,
  suiteSource?: string,
): {
  suites: Suite[];
  usedDefault: boolean;
} {
  const suites: Suite[] = [
    ...suitesFromFiles(options.traces ?? []),
    ...(options.suite ?? []).map((name) => embeddedSuite(name, seed, suiteSource)),
  ];
  const usedDefault = suites.length === 0;
  if (usedDefault) suites.push(...defaultSuites(seed));
  if (suites.length === 0) throw new InvalidInputError('no suite to run');
  return { suites, usedDefault };
}
