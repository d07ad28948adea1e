/**
 * Importer of the DSP authors' TravelPlanner runs (`dataset_sft_travelplanner.json`) as modelled traces: the
 * actions and where A agreed come from the data, call latencies and tokens from the timing model fitted to measured
 * traces, tool latency from a stated parameter. docs/travelplanner.md explains the file and every choice below.
 *
 * The file is a JSON list of `{input, output}` records. A record's input is a TravelPlanner query (quoted, first
 * line), `Previous History:`, then the run's history so far, one line per event: `Approximation Step j: Tool[args]`
 * (a guess of A) or `Target Step j: Tool[args]` (a step of T). Records of one query are consecutive and each is the
 * state at the start of one round: the first has an empty history, and each next one adds the events of the round
 * that just ended (the round's guesses, T's steps that were logged, sometimes a stale guess of the round before).
 * `output` is the authors' label for the round about to start: how many of its steps A gets right, the break
 * included (0: no break was logged in that round).
 *
 * How a run is rebuilt:
 * - A round starts at the smallest step any guess of its events names; A's guess for a step is the round's last
 *   line for that step (stale lines come first). The round ends where the next one starts.
 * - T's action at a step is T's logged line when there is one. A step T did not log was accepted: T's action is A's
 *   guess.
 * - The authors' runs committed a round with their own rule (`authorsRuleAccepts`): T's step replaced A's guess only
 *   where the tool names differ or the arguments are at most 50% similar, so a round could go on past a guess that
 *   was not exactly T's step. Their labels count exact equality. The traces follow the labels: T's logged text is
 *   T's action, so a guess that differs in any character is a break in the replay — the acceptance the labels
 *   describe, and what a lossless engine does. The authors' rule is used only to find where the last recorded
 *   round ended (the file shows no next round for it).
 * - The last record starts the final round, which the file never shows. A last label of 1 means its first step was
 *   the run's last: T's terminal `Planner[…]`. Its text is not recorded; the trace takes `Planner[<query>]` as T's
 *   action, with no A guess. Any other last label means steps the file does not hold: the trace stops before them
 *   (`terminal: false`).
 * - A guess that reads `cancelled` was cut off when its round ended: it is no guess. Where T's step is not logged
 *   either (or a label puts a break at a step T did not log), T's action is unknown and the trace stops before it.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';
import { hashText, seededRandom } from '../../core/rng.js';
import { describeValidationIssues } from '../../core/validation-issues.js';
import { readTextFile } from '../../io/read-text.js';
import type { Trace, TraceStep } from '../schema.js';
import type { SkippedRun } from './dsp-logs.js';
import { topLevelElementLines } from './json-element-lines.js';
import { fitTimingModel, sampleCall, type CallScale, type TimingModel } from './timing-model.js';

/** The suite name of the embedded suite. */
export const travelPlannerSuiteName = 'travelplanner-react';

/**
 * Latency of one sandbox tool execution in milliseconds: the median `bench/travelplanner-tools.ts` measured for the
 * shipped environment over the suite's steps (0.032 ms on the development machine; a search over the in-memory
 * database). A stated parameter, not a measurement of the authors' runs; a web tool takes far longer
 * (docs/travelplanner.md uses 800 ms for that setting).
 */
export const defaultToolLatencyMs = 0.03;

/**
 * Effect class of each TravelPlanner tool (the same table as `travelPlannerToolEffects` in the environment, which
 * this layer may not import; a test checks they agree). Anything else is an error observation: `pure`.
 */
const toolEffects: Readonly<Record<string, 'pure' | 'sandboxed' | 'irreversible'>> = {
  FlightSearch: 'pure',
  GoogleDistanceMatrix: 'pure',
  AccommodationSearch: 'pure',
  RestaurantSearch: 'pure',
  AttractionSearch: 'pure',
  CitySearch: 'pure',
  NotebookWrite: 'sandboxed',
  Planner: 'irreversible',
};

/** A call's tool execution: its effect class, and its latency unless it is irreversible (never run on a guess). */
function toolRecord(action: string, latencyMs: number): { effect: 'pure' | 'sandboxed' | 'irreversible'; latencyMs?: number } {
  const effect = travelPlannerToolEffect(action);
  return effect === 'irreversible' ? { effect } : { effect, latencyMs };
}

/** The effect class of an action string, by its tool name (see `toolEffects`). */
export function travelPlannerToolEffect(action: string): 'pure' | 'sandboxed' | 'irreversible' {
  const tool = /^([\p{L}\p{N}_]+)\[.+\]$/u.exec(action)?.[1];
  return (tool === undefined ? undefined : toolEffects[tool]) ?? 'pure';
}

/** Options of `importDspTravelPlannerDataset`. */
export interface TravelPlannerImportOptions {
  /** Measured traces (e.g. the imported OpenAGI run logs) to fit the timing model to. */
  timingFrom: readonly Trace[];
  /** Seed of the timing draws; each trace draws from its own stream (seed + trace id). */
  seed: number;
  /** Suite name written into the traces and used as the id prefix. Default `travelplanner-react`. */
  suite?: string;
  /** Models named in the traces. Default gpt-4.1-mini on both sides (the authors' TravelPlanner code's default). */
  models?: { approx: string; target: string };
  /**
   * Ids for queries, e.g. `val-12` for the 12th query of the benchmark's validation set: a trace of a listed
   * query is `<suite>/<id>`, of any other `<suite>/query-<8 hex digits of a hash of the query>`.
   */
  queryIds?: ReadonlyMap<string, string>;
  /** Latency of each tool execution written into the steps' `tool` field. Default `defaultToolLatencyMs`. */
  toolLatencyMs?: number;
  /**
   * Multipliers of the target's sampled figures. Default 1: T is a ReAct agent (two calls per step), like the
   * measured target the model is fitted to.
   */
  targetScale?: Partial<CallScale>;
}

/** How the file and the rebuilt traces held together. */
export interface TravelPlannerImportStats {
  records: number;
  runs: number;
  /** Labels of recorded rounds compared with the rebuilt trace (exact acceptance). */
  labelsChecked: number;
  /** Of those, labels that agree: the first step whose guess is not exactly T's action is where the label says. */
  labelsAgreeing: number;
  /** Logged T steps whose text differs from A's guess but that the authors' rule accepted (their run went on). */
  acceptedByAuthorsRuleOnly: number;
  /** Recorded rounds whose first guess is not exactly T's logged step. */
  roundsOpeningWithWrongGuess: number;
  /** Of those, rounds the authors' rule let go on past that step (so a final round may have too). */
  roundsContinuedPastWrongGuess: number;
  /** Guesses that read `cancelled`. */
  cancelledGuesses: number;
  /** Runs ended by the assumed terminal `Planner[<query>]` step. */
  assumedPlannerSteps: number;
}

/** What `importDspTravelPlannerDataset` returns. */
export interface TravelPlannerImportResult {
  traces: Trace[];
  skipped: SkippedRun[];
  /** Runs kept with `terminal: false` (`run` is the trace id). */
  truncated: SkippedRun[];
  stats: TravelPlannerImportStats;
  timingModel: TimingModel;
  targetScale: CallScale;
}

interface HistoryEvent {
  role: 'approx' | 'target';
  step: number;
  action: string;
}

interface DatasetRecord {
  /** 0-based index in the file's list. */
  index: number;
  line: number;
  query: string;
  events: HistoryEvent[];
  label: number;
  /** What in the record could not be read (its run is skipped), e.g. a history line of another form. */
  problem: string | undefined;
}

interface Run {
  query: string;
  records: DatasetRecord[];
}

const recordSchema = z.object({ input: z.string(), output: z.number().int().nonnegative() });
const recordShape = '{"input": string, "output": integer >= 0}';
const historyLine = /^(Approximation|Target) Step (\d+): ?(.*)$/;
const cancelledGuess = 'cancelled';

/** True when `text` (a JSON file's content) looks like the authors' TravelPlanner dataset. */
export function looksLikeTravelPlannerDataset(text: string): boolean {
  // The OpenAGI datasets write "Previous history:"; this one "Previous History:" and tool calls.
  return /"input":\s*"[^\n]*?\\nPrevious History:\\n/.test(text.slice(0, 20_000));
}

/**
 * Imports the authors' TravelPlanner dataset. Throws `InvalidInputError` naming the file, the record and its line
 * when the file is not such a dataset (not a JSON list of `{input, output}` records, or a first record with no
 * `Previous History:`), or when `timingFrom` is too small to fit a timing model. Runs that cannot be rebuilt, a
 * record with a line of another form among them, are skipped with the reason; runs rebuilt only in part are kept
 * with `terminal: false`.
 */
export function importDspTravelPlannerDataset(file: string, options: TravelPlannerImportOptions): TravelPlannerImportResult {
  const suite = options.suite ?? travelPlannerSuiteName;
  const toolLatencyMs = options.toolLatencyMs ?? defaultToolLatencyMs;
  if (!(toolLatencyMs >= 0) || !Number.isFinite(toolLatencyMs)) throw new InvalidInputError('toolLatencyMs must be a number >= 0', { source: 'toolLatencyMs' });
  const timingModel = fitTimingModel(options.timingFrom);
  const targetScale: CallScale = {
    latencyMs: options.targetScale?.latencyMs ?? 1,
    inputTokens: options.targetScale?.inputTokens ?? 1,
    outputTokens: options.targetScale?.outputTokens ?? 1,
  };
  const models = options.models ?? { approx: 'gpt-4.1-mini', target: 'gpt-4.1-mini' };

  const records = readRecords(file);
  const runs = groupRuns(records);
  const stats: TravelPlannerImportStats = {
    records: records.length,
    runs: runs.length,
    labelsChecked: 0,
    labelsAgreeing: 0,
    acceptedByAuthorsRuleOnly: 0,
    roundsOpeningWithWrongGuess: 0,
    roundsContinuedPastWrongGuess: 0,
    cancelledGuesses: records.length === 0 ? 0 : countCancelled(runs),
    assumedPlannerSteps: 0,
  };

  const traces: Trace[] = [];
  const skipped: SkippedRun[] = [];
  const truncated: SkippedRun[] = [];
  const usedIds = new Map<string, number>();
  for (const run of runs) {
    const first = run.records[0]!;
    const baseId = `${suite}/${options.queryIds?.get(run.query) ?? `query-${hashText(run.query).toString(16).padStart(8, '0')}`}`;
    const seen = (usedIds.get(baseId) ?? 0) + 1;
    usedIds.set(baseId, seen);
    const id = seen === 1 ? baseId : `${baseId}/run-${seen}`;
    const location = `record ${first.index + 1}, line ${first.line}`;

    const plan = rebuildRun(run, stats);
    if (plan.steps.length === 0) {
      skipped.push({ run: `${id.slice(suite.length + 1)} (${location})`, reason: plan.stoppedBecause ?? 'no step could be rebuilt' });
      continue;
    }
    if (plan.stoppedBecause !== undefined) truncated.push({ run: id, reason: `${plan.stoppedBecause} (${location})` });

    const random = seededRandom(hashText(`${options.seed}/${id}`));
    const steps: TraceStep[] = plan.steps.map((step, index) => {
      const stepNumber = index + 1;
      const traceStep: TraceStep = { target: { action: step.target, ...sampleCall(timingModel.target, stepNumber, random, targetScale) } };
      if (step.approx !== undefined) traceStep.approx = { action: step.approx, ...sampleCall(timingModel.approx, stepNumber, random) };
      // Each call's action runs a tool (docs/tools.md): T's, and A's guess, which a live run executes on its guessed
      // prefix when the tool allows it. The assumed Planner step records no execution: its model call is not traced.
      if (!step.assumedPlanner) traceStep.target.tool = toolRecord(step.target, toolLatencyMs);
      if (traceStep.approx !== undefined) traceStep.approx.tool = toolRecord(step.approx!, toolLatencyMs);
      return traceStep;
    });
    traces.push({
      format: 'dsp-trace/1',
      id,
      suite,
      task: run.query,
      timing: 'modelled',
      models: { approx: models.approx, target: models.target },
      terminal: plan.terminal,
      steps,
    });
  }
  return { traces, skipped, truncated, stats, timingModel, targetScale };
}

/**
 * Ids `val-<idx>` for the queries of a TravelPlanner query file: JSON Lines of objects with `idx` and `query`, as
 * the benchmark's `postprocess/example_evaluation.jsonl` (its 180 validation queries) is.
 */
export function readTravelPlannerQueryIds(path: string): Map<string, string> {
  const ids = new Map<string, string>();
  readTextFile(path)
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new InvalidInputError(`line ${index + 1}: not valid JSON (${(error as Error).message}); expected {"idx": integer, "query": string, ...}`, { source: path });
      }
      const parsed = queryLineSchema.safeParse(value);
      if (!parsed.success) throw new InvalidInputError(`line ${index + 1}: ${describeValidationIssues(parsed.error.issues)}; expected {"idx": integer, "query": string, ...}`, { source: path });
      if (!ids.has(parsed.data.query)) ids.set(parsed.data.query, `val-${parsed.data.idx}`);
    });
  return ids;
}

const queryLineSchema = z.looseObject({ idx: z.number().int().nonnegative(), query: z.string() });

// ---------------------------------------------------------------------------------------------------------------
// Reading

function readRecords(path: string): DatasetRecord[] {
  const text = readTextFile(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`not valid JSON (${(error as Error).message}); expected a JSON list of ${recordShape} records`, { source: path });
  }
  if (!Array.isArray(value)) throw new InvalidInputError(`line 1: expected a JSON list of ${recordShape} records`, { source: path });
  const lines = topLevelElementLines(text);
  const records = value.map((item: unknown, index): DatasetRecord => {
    const line = lines[index] ?? 1;
    const where = `line ${line} (record ${index + 1})`;
    const parsed = recordSchema.safeParse(item);
    if (!parsed.success) throw new InvalidInputError(`${where}: ${describeValidationIssues(parsed.error.issues)}; expected ${recordShape}`, { source: path });
    return { index, line, label: parsed.data.output, ...parseInput(parsed.data.input, where) };
  });
  const first = records[0];
  if (first !== undefined && first.problem !== undefined && first.events.length === 0 && first.query === '') {
    throw new InvalidInputError(`${first.problem}; this is not the authors' TravelPlanner dataset`, { source: path });
  }
  return records;
}

/**
 * Reads a record's input. A line of another form does not stop the import: the record's `problem` says what and
 * where, and its run is skipped.
 */
function parseInput(input: string, where: string): { query: string; events: HistoryEvent[]; problem: string | undefined } {
  const lines = input.split('\n');
  const headingAt = lines.indexOf('Previous History:');
  if (headingAt < 1) return { query: '', events: [], problem: `${where}: expected the query, then a line "Previous History:"` };
  const events: HistoryEvent[] = [];
  let problem: string | undefined;
  lines.slice(headingAt + 1).forEach((line, offset) => {
    if (line.trim() === '' || line.startsWith('Now, please predict ')) return;
    const match = historyLine.exec(line);
    if (match === null) {
      const shown = line.length > 80 ? `${line.slice(0, 77)}...` : line;
      problem ??= `${where}, input line ${headingAt + offset + 2}: expected "Approximation Step N: ACTION", "Target Step N: ACTION" or "Now, please predict ...", found ${JSON.stringify(shown)}`;
      return;
    }
    events.push({ role: match[1] === 'Approximation' ? 'approx' : 'target', step: Number(match[2]), action: match[3]! });
  });
  return { query: unquoteQuery(lines.slice(0, headingAt).join('\n')), events, problem };
}

/** The query is written as a quoted string followed by a comma (`"Please plan ...",`). */
function unquoteQuery(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('"') && trimmed.endsWith('",')) return trimmed.slice(1, -2);
  if (trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2) return trimmed.slice(1, -1);
  return trimmed;
}

function sameEvent(left: HistoryEvent, right: HistoryEvent): boolean {
  return left.role === right.role && left.step === right.step && left.action === right.action;
}

/** Consecutive records of one query whose histories extend each other; an empty history starts a run. */
function groupRuns(records: readonly DatasetRecord[]): Run[] {
  const runs: Run[] = [];
  let current: Run | undefined;
  for (const record of records) {
    const previous = current?.records[current.records.length - 1];
    // A record that could not be read in full stays with its query's run, which is then skipped for it.
    const extendsPrevious =
      previous !== undefined &&
      record.events.length > 0 &&
      previous.events.length <= record.events.length &&
      previous.events.every((event, index) => sameEvent(event, record.events[index]!));
    const continues = current !== undefined && current.query === record.query && (record.problem !== undefined || extendsPrevious);
    if (continues) current!.records.push(record);
    else {
      current = { query: record.query, records: [record] };
      runs.push(current);
    }
  }
  return runs;
}

function countCancelled(runs: readonly Run[]): number {
  let count = 0;
  for (const run of runs) {
    const last = run.records[run.records.length - 1]!;
    for (const event of last.events) if (event.role === 'approx' && event.action === cancelledGuess) count += 1;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------------
// Rebuilding a run

interface RebuiltStep {
  target: string;
  /** Absent when the file holds no usable guess for the step. */
  approx: string | undefined;
  assumedPlanner: boolean;
}

interface RebuiltRun {
  steps: RebuiltStep[];
  terminal: boolean;
  /** Why the trace stops before the end of the run (undefined when it reaches the Planner). */
  stoppedBecause: string | undefined;
}

interface Round {
  start: number;
  label: number;
  /** A's guess per step: the round's last line for the step. */
  guesses: Map<number, string>;
  /** T's logged step per step (the first line; a later different line is an inconsistency). */
  targets: Map<number, string>;
  /** Steps with two different T lines. */
  conflictingTargets: number[];
}

function rebuildRun(run: Run, stats: TravelPlannerImportStats): RebuiltRun {
  const records = run.records;
  const steps: RebuiltStep[] = [];
  const stop = (reason: string): RebuiltRun => ({ steps, terminal: false, stoppedBecause: reason });
  const unreadable = records.find((record) => record.problem !== undefined);
  if (unreadable !== undefined) return stop(unreadable.problem!);
  if (records[0]!.events.length > 0) return stop("the run's first record already has a history: its start is not in the file");

  const rounds: Round[] = [];
  for (let index = 0; index + 1 < records.length; index += 1) {
    const events = records[index + 1]!.events.slice(records[index]!.events.length);
    const guesses = new Map<number, string>();
    const targets = new Map<number, string>();
    const conflictingTargets: number[] = [];
    let start = Number.POSITIVE_INFINITY;
    for (const event of events) {
      if (event.role === 'approx') {
        guesses.set(event.step, event.action);
        start = Math.min(start, event.step);
      } else if (!targets.has(event.step)) targets.set(event.step, event.action);
      else if (targets.get(event.step) !== event.action) conflictingTargets.push(event.step);
    }
    rounds.push({ start, label: records[index]!.label, guesses, targets, conflictingTargets });
  }

  let next = 1;
  for (const [index, round] of rounds.entries()) {
    const record = records[index + 1]!;
    if (!Number.isFinite(round.start)) return stop(`the round recorded by record ${record.index + 1} holds no guess of A`);
    if (round.start !== next) return stop(`the round recorded by record ${record.index + 1} starts at step ${round.start}, expected step ${next}`);
    if (round.conflictingTargets.length > 0) return stop(`record ${record.index + 1} logs two different T actions for step ${round.conflictingTargets[0]}`);

    // Where the authors' rule broke the round: the first logged T step it did not accept.
    const loggedSteps = [...round.targets.keys()].sort((left, right) => left - right);
    const authorsBreak = loggedSteps.find((step) => {
      const guess = round.guesses.get(step);
      return guess === undefined || !authorsRuleAccepts(guess, round.targets.get(step)!);
    });
    const nextRound = rounds[index + 1];
    let end: number;
    let endKnown = true;
    if (nextRound !== undefined) {
      end = nextRound.start - 1;
      if (authorsBreak !== undefined && authorsBreak !== end) {
        return stop(`the round recorded by record ${record.index + 1} breaks at step ${authorsBreak} by the authors' rule, but the next round starts at step ${nextRound.start}`);
      }
    } else if (authorsBreak !== undefined) {
      end = authorsBreak;
    } else {
      // The last recorded round ended after its last logged step; where exactly, the file does not say.
      end = loggedSteps[loggedSteps.length - 1] ?? round.start - 1;
      endKnown = false;
    }
    if (end < round.start - (endKnown ? 0 : 1)) return stop(`the round recorded by record ${record.index + 1} ends before it starts`);

    const openingStep = round.targets.get(round.start);
    if (openingStep !== undefined && openingStep !== round.guesses.get(round.start)) {
      stats.roundsOpeningWithWrongGuess += 1;
      if (end > round.start) stats.roundsContinuedPastWrongGuess += 1;
    }
    const labelBreak = round.label >= 1 ? round.start + round.label - 1 : undefined;
    for (let step = round.start; step <= end; step += 1) {
      const logged = round.targets.get(step);
      const guess = round.guesses.get(step);
      const usableGuess = guess === cancelledGuess ? undefined : guess;
      if (logged === undefined && (usableGuess === undefined || step === labelBreak)) {
        const why = usableGuess === undefined ? `A's guess is ${guess === undefined ? 'missing' : cancelledGuess}` : "the label puts a break there";
        return stop(`T's action at step ${step} is not recorded (${why}); kept ${steps.length} step(s)`);
      }
      if (logged !== undefined && usableGuess !== undefined && logged !== usableGuess && authorsRuleAccepts(usableGuess, logged)) {
        stats.acceptedByAuthorsRuleOnly += 1;
      }
      steps.push({ target: logged ?? usableGuess!, approx: usableGuess, assumedPlanner: false });
    }
    if (!endKnown) return stop(`the last recorded round (record ${record.index + 1}) does not say where it ended; kept the ${steps.length} step(s) T logged`);
    checkLabel(round, end, steps, stats);
    next = end + 1;
  }

  const finalLabel = records[records.length - 1]!.label;
  if (finalLabel !== 1) {
    return stop(`the last label (${finalLabel}) says the final round, which the file does not show, had ${finalLabel === 0 ? 'no logged break' : `${finalLabel - 1} more accepted step(s)`}; kept ${steps.length} step(s)`);
  }
  stats.assumedPlannerSteps += 1;
  steps.push({ target: `Planner[${run.query}]`, approx: undefined, assumedPlanner: true });
  return { steps, terminal: true, stoppedBecause: undefined };
}

/** Compares a round's label with the rebuilt steps: where does the first exact mismatch from the round start fall? */
function checkLabel(round: Round, end: number, steps: readonly RebuiltStep[], stats: TravelPlannerImportStats): void {
  let firstBreak: number | undefined;
  for (let step = round.start; step <= end; step += 1) {
    const rebuilt = steps[step - 1]!;
    if (rebuilt.approx === undefined || rebuilt.approx !== rebuilt.target) {
      firstBreak = step;
      break;
    }
  }
  stats.labelsChecked += 1;
  const agrees = round.label === 0 ? firstBreak === undefined : firstBreak === round.start + round.label - 1;
  if (agrees) stats.labelsAgreeing += 1;
}

/**
 * The authors' runtime rule for committing A's guess (`judge_to_be_true` in their TravelPlanner code): the same
 * tool name and arguments more than 50% similar by edit distance, compared from the `[` up to the first `]`; when
 * either string has no brackets, exact equality. Used only to find where a recorded round ended — never to match.
 */
export function authorsRuleAccepts(guess: string, target: string): boolean {
  const argumentsOf = (text: string): string | undefined => {
    const open = text.indexOf('[');
    const close = text.indexOf(']');
    return open === -1 || close === -1 ? undefined : text.slice(open, Math.max(open, close)).trim();
  };
  const [guessArguments, targetArguments] = [argumentsOf(guess), argumentsOf(target)];
  if (guessArguments === undefined || targetArguments === undefined) return guess === target;
  const longest = Math.max([...guessArguments].length, [...targetArguments].length);
  if (longest === 0) return guess === target;
  if (guess.split('[')[0]!.trim() !== target.split('[')[0]!.trim()) return false;
  return 1 - editDistance(guessArguments, targetArguments) / longest > 0.5;
}

/** Levenshtein distance over code points (insertions, deletions and substitutions all cost 1). */
function editDistance(left: string, right: string): number {
  const a = [...left];
  const b = [...right];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length]!;
}

