/**
 * Where suites come from: trace files given by the user, the embedded suites shipped in `data/suites/`, and the
 * built-in synthetic suite generated on the fly.
 *
 * Suite names. An embedded suite is named `<environment>-<target>`: the tasks' environment and how the target agent
 * T planned (`openagi-react`: OpenAGI tasks, a ReAct T). The environment alone names the family: `openagi` in a
 * replay stands for every embedded `openagi-*` suite, and in a live run (`dsp run --suite`) for OpenAGI's tasks
 * with T's strategy left to the command line, while `openagi-cot` there means those tasks with a chain-of-thought T,
 * so that a recording is named and planned as the embedded suite it can be compared with.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import { resolveRealPath } from '../io/real-path.js';
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
export const defaultSuiteNames = ['openagi-react', 'openagi-cot', 'openagi-mad', 'travelplanner-react'];

/**
 * How T planned in a suite, by the part of its name after the environment: `react`, `cot` (chain of thought) and
 * `mad` (multi-agent debate: the `debate` strategy).
 */
export const suiteTargetStrategies: Readonly<Record<string, 'react' | 'cot' | 'debate'>> = { react: 'react', cot: 'cot', mad: 'debate' };

/** A suite name read as a live run reads it: the environment, and T's strategy when the name sets one. */
export interface LiveSuiteName {
  /** The name as given, written into recorded traces (`openagi`, `openagi-react`…). */
  name: string;
  /** The tasks' environment, e.g. `openagi`. */
  environment: string;
  /** T's strategy that the name implies (`openagi-mad`: `debate`); undefined for an environment name. */
  targetStrategy: 'react' | 'cot' | 'debate' | undefined;
}

/**
 * Reads a suite name for a live run: an environment of `environments` alone (`openagi`) or followed by a target
 * suffix of `suiteTargetStrategies` (`openagi-cot`) that the environment takes (`suffixes`: per environment, the
 * suffixes its agents have; by default every one). Anything else (`synthetic`, which has no agents to run, a suffix
 * the environment has no agent for, or a typo) throws `InvalidInputError` naming `source` and the valid names.
 */
export function liveSuiteName(
  name: string,
  environments: readonly string[],
  source = 'suite name',
  suffixes: Readonly<Record<string, readonly string[]>> = {},
): LiveSuiteName {
  const suffixesOf = (environment: string): readonly string[] => suffixes[environment] ?? Object.keys(suiteTargetStrategies);
  const dash = name.lastIndexOf('-');
  const suffix = dash < 0 ? undefined : name.slice(dash + 1);
  const environment = name.slice(0, dash);
  if (environments.includes(name)) return { name, environment: name, targetStrategy: undefined };
  // An environment and a known target suffix, though perhaps not one this environment has agents for.
  const knownSuffix = suffix !== undefined && environments.includes(environment) && Object.hasOwn(suiteTargetStrategies, suffix);
  if (knownSuffix && suffixesOf(environment).includes(suffix)) {
    return { name, environment, targetStrategy: suiteTargetStrategies[suffix] };
  }
  const valid = environments.flatMap((each) => [each, ...suffixesOf(each).map((part) => `${each}-${part}`)]);
  const why =
    name === 'synthetic'
      ? 'the synthetic suite is generated for replay and has no tasks to plan live'
      : knownSuffix
        ? `${environment} has no "${suffix}" agent, so no suite "${name}"`
        : `unknown suite "${name}"`;
  throw new InvalidInputError(`${why}; valid suites: ${valid.join(', ')}`, { source });
}

/**
 * The embedded suites a name stands for in a replay: the suite of that name, or for an environment name with no
 * suite of its own (`openagi`) every `openagi-*` suite (the default suites' order first, then by name). Other names
 * are returned as they are, for `embeddedSuite` to load or refuse.
 */
export function expandSuiteName(name: string): string[] {
  const available = availableSuiteNames();
  if (available.includes(name)) return [name];
  const family = available.filter((suite) => suite.startsWith(`${name}-`));
  if (family.length === 0) return [name];
  const rank = (suite: string): number => {
    const index = defaultSuiteNames.indexOf(suite);
    return index < 0 ? defaultSuiteNames.length : index;
  };
  return family.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

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
    const families = [...new Set(availableSuiteNames().filter((suite) => suite.includes('-')).map((suite) => suite.slice(0, suite.lastIndexOf('-'))))];
    const familyNote = families.length === 0 ? '' : ` (or ${families.map((family) => `${family} for every ${family}-* suite`).join(', ')})`;
    throw new InvalidInputError(`unknown suite "${name}"; available: ${availableSuiteNames().join(', ')}${familyNote}`, { source });
  }
  return { name, traces: loadTraces(path), source: `embedded suite data/suites/${name}.jsonl` };
}

/** The suites `dsp bench` runs with no suite named: the embedded OpenAGI suites, else the synthetic one. */
export function defaultSuites(seed: number): Suite[] {
  const present = defaultSuiteNames.filter((name) => existsSync(join(embeddedSuitesDir, `${name}.jsonl`)));
  return present.length > 0 ? present.map((name) => embeddedSuite(name, seed)) : [syntheticSuite(seed)];
}

/**
 * The trace files that `paths` name: each file as it is, and for each folder its `.jsonl` files (not those of its
 * subfolders), by name. A folder with none throws `InvalidInputError` naming it; a missing path is left for the
 * reader to report.
 */
export function traceFilesOf(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (!existsSync(path) || !statSync(path).isDirectory()) return [path];
    const files = readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.name.endsWith('.jsonl') && !entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    if (files.length === 0) throw new InvalidInputError('a folder with no .jsonl file (expected dsp-trace/1 files, *.jsonl)', { source: path });
    return files.map((file) => join(path, file));
  });
}

/**
 * Loads trace files (a folder stands for its `.jsonl` files: see `traceFilesOf`) and groups their traces by the
 * `suite` field, keeping file order. A file named twice (or by itself and by its folder) is read once; a trace id
 * found in two files of one suite throws `InvalidInputError` naming both, since its task would count twice.
 */
export function suitesFromFiles(paths: readonly string[]): Suite[] {
  const bySuite = new Map<string, Suite>();
  const filesRead = new Set<string>();
  const fileOfTrace = new Map<string, string>();
  for (const path of traceFilesOf(paths)) {
    const realPath = resolveRealPath(path);
    if (filesRead.has(realPath)) continue;
    filesRead.add(realPath);
    for (const trace of loadTraces(path)) {
      const key = JSON.stringify([trace.suite, trace.id]);
      const firstFile = fileOfTrace.get(key);
      if (firstFile !== undefined) {
        throw new InvalidInputError(
          `trace id ${JSON.stringify(trace.id)} of suite ${JSON.stringify(trace.suite)} is also in ${firstFile}; expected each trace once in a suite`,
          { source: path },
        );
      }
      fileOfTrace.set(key, path);
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
 * The suites a command runs: the trace files (or folders of them), then the embedded suites named (an environment
 * name such as `openagi` stands for its every suite, see `expandSuiteName`); when neither is given, the default
 * suites (`usedDefault` says so, for the command to tell the user). An unknown suite name is an error naming
 * `suiteSource` (see `embeddedSuite`). A suite named twice runs once.
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
    ...[...new Set((options.suite ?? []).flatMap(expandSuiteName))].map((name) => embeddedSuite(name, seed, suiteSource)),
  ];
  const usedDefault = suites.length === 0;
  if (usedDefault) suites.push(...defaultSuites(seed));
  if (suites.length === 0) throw new InvalidInputError('no suite to run');
  return { suites, usedDefault };
}
