/**
 * Importer of the DSP authors' k-labelled datasets (`dataset_value_func_*.json`, `dataset_predict_k_*.json`; see
 * shared/data/dsp/FORMATS.md) as modelled traces: the actions and where A agreed come from the data, latencies
 * and tokens are drawn from a timing model fitted to measured traces.
 *
 * A dataset holds states, not plans. Each state is the task and the planner's history at that moment: A's guesses
 * (`Approximation Step N: X`, stale speculative ones included) and T's verified steps (`Target Step N: Y`) in the
 * order they were logged, with a label. Consecutive states of one task whose histories extend each other are one
 * run. A run's plan is rebuilt from its longest history and its labels:
 *
 * - T's steps 1..n are the `Target Step` events (they must be exactly 1..n, in order).
 * - A's guess on the true prefix for step s ≤ n is the last `Approximation Step s` event before `Target Step s`
 *   (later guesses of a step replace the stale ones made on a wrong prefix).
 * - The history stops before the end of the plan. The last label says how many more steps there were: a label k
 *   at a round-start state with n' committed steps means steps n'+1..n'+k−1 were accepted and n'+k was the break.
 *   The last break of a run is its last step. Accepted steps past n take A's guess as T's action (they agreed);
 *   the last step is T's terminal action (`TERMINATE`, an assumption: the data never shows it).
 * - The data never hold A's guess at the terminal step. Left out, it would make every replay stop speculating for
 *   free exactly where the plan ends, which no live run can do; so the guess is modelled like the timings: the
 *   terminal action with the rate measured on the timing traces, else a wrong, non-terminal guess (see
 *   `modelFinalGuess`).
 * - When the data cannot say (a guess that the labels call accepted is missing from every history, or the
 *   history outruns the labels without ending in the terminal action) the run is kept up to the last step the
 *   data supports, marked `terminal: false`, and reported as truncated.
 *
 * The labels of the known steps are checked against the history (A's guess equal to T's action); disagreements
 * are counted, not fatal: the history is the direct record, the labels were derived from it by the authors' code.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';
import { describeValidationIssues } from '../../core/validation-issues.js';
import { hashText, seededRandom, type Random } from '../../core/rng.js';
import type { Trace, TraceStep } from '../schema.js';
import type { SkippedRun } from './dsp-logs.js';
import { topLevelElementLines } from './json-element-lines.js';
import { fitFinalGuess, fitTimingModel, sampleCall, type CallScale, type FinalGuessModel, type TimingModel } from './timing-model.js';
import { readTextFile } from '../../io/read-text.js';

/** Options of `importDspDataset`. */
export interface DspDatasetImportOptions {
  /** Measured traces (e.g. the imported run logs) to fit the timing model to. Only `measured` ones are used. */
  timingFrom: readonly Trace[];
  /** Seed of the timing draws. Each trace draws from its own stream (seed + trace id), so traces are independent. */
  seed: number;
  /** Suite name written into the traces and used as the id prefix, e.g. `openagi-cot`. */
  suite: string;
  /** LLM calls the target makes per plan step: CoT 1, ReAct 2, multi-agent debate 5. */
  targetCallsPerStep: number;
  /** LLM calls per step of the target in `timingFrom`. Default 2 (the measured ReAct target). */
  measuredCallsPerStep?: number;
  /**
   * Multipliers of the target's sampled latency and tokens. Default: each is
   * `targetCallsPerStep / measuredCallsPerStep` (a debate of 5 calls against ReAct's 2 costs and takes 5/2 as
   * much). A field given here replaces that default for its quantity.
   */
  targetScale?: Partial<CallScale>;
  /** Models named in the traces. Default gpt-4.1-mini on both sides (the authors' released code's default). */
  models?: { approx: string; target: string };
  /** The task list (one task per line, line 0 first): ids become `<suite>/task-<line>`; otherwise `<suite>/run-<n>`. */
  taskList?: readonly string[];
  /**
   * Other datasets recorded from the same runs (e.g. `dataset_stepwise_ma.json` beside
   * `dataset_predict_k_ma.json`). Their histories — never their labels — extend a run's history when they are a
   * longer record of the same run (same task, one history a prefix of the other).
   */
  historyFiles?: readonly string[];
  /** The plan's terminal action. Default `TERMINATE`. */
  terminalAction?: string;
  /**
   * The probability that A's guess at a plan's terminal step, which the datasets never record, is the terminal
   * action. Default: the rate measured on the `timingFrom` traces (`fitFinalGuess`; 21 of 25 on openagi-react).
   */
  finalGuessTerminalRate?: number;
}

/** Counts that describe how well the data held together. */
export interface DspDatasetImportStats {
  /** Runs found in the dataset. */
  runs: number;
  /** Labels that could be compared with the history (their segment is inside the known steps). */
  labelsChecked: number;
  /** Of those, labels that disagree with the history (the history wins). */
  labelsDisagreeing: number;
  /** Runs whose history was extended by a history file. */
  historiesExtended: number;
  /** Runs for which a history file held a different record of the same task (not used). */
  historyConflicts: number;
  /** Traces whose terminal step was given a modelled A guess (the data hold none there). */
  finalGuessesModelled: number;
  /** Of those, guesses that are the terminal action (the rest are wrong, non-terminal guesses). */
  finalGuessesTerminal: number;
}

/** What `importDspDataset` returns. */
export interface DspDatasetImportResult {
  /** One trace per usable run, in the dataset's order. */
  traces: Trace[];
  /** Runs that gave no trace. */
  skipped: SkippedRun[];
  /** Runs kept with `terminal: false` because the data does not reach the end of the plan (`run` is the trace id). */
  truncated: SkippedRun[];
  stats: DspDatasetImportStats;
  /** The timing model the figures were drawn from. */
  timingModel: TimingModel;
  /** How A's guesses at terminal steps were modelled. */
  finalGuess: FinalGuessModel;
  /** The multipliers applied to the target's draws. */
  targetScale: CallScale;
}

/** What a dataset's labels mean. */
type DatasetKind = 'value-function' | 'predict-k' | 'stepwise';

/** One `Approximation Step N: X` or `Target Step N: Y` line of a state's history. */
interface HistoryEvent {
  role: 'approx' | 'target';
  step: number;
  action: string;
}

interface DatasetState {
  /** 0-based index of the top-level record (trajectory or input/output pair). */
  record: number;
  task: string;
  events: HistoryEvent[];
  /** k (value function, predict-k) or 0/1 (stepwise). */
  label: number;
  /** Value-function states only. */
  reward: number | undefined;
}

interface Dataset {
  path: string;
  kind: DatasetKind;
  states: DatasetState[];
}

const trajectoryRecordSchema = z.object({
  trajectory: z.array(
    z.object({ state: z.string(), reward: z.union([z.literal(0), z.literal(1)]), k: z.number().int().nonnegative() }),
  ),
});
const pairRecordSchema = z.object({ input: z.string(), output: z.number().int().nonnegative() });
const trajectoryShape = '{"trajectory": [{"state": string, "reward": 0 or 1, "k": integer >= 0}, ...]}';
const pairShape = '{"input": string, "output": integer >= 0}';

/**
 * Imports a k-labelled dataset as modelled traces. Throws `InvalidInputError` naming the file, the line of the
 * record and what was expected when the file is malformed, when it is a stepwise (0/1-labelled) dataset, or when
 * `timingFrom` is too small to fit a timing model. Runs the data cannot support are skipped with the reason.
 */
export function importDspDataset(file: string, options: DspDatasetImportOptions): DspDatasetImportResult {
  if (!(options.targetCallsPerStep > 0)) throw new InvalidInputError('targetCallsPerStep must be a positive number', { source: 'targetCallsPerStep' });
  const measuredCallsPerStep = options.measuredCallsPerStep ?? 2;
  if (!(measuredCallsPerStep > 0)) throw new InvalidInputError('measuredCallsPerStep must be a positive number', { source: 'measuredCallsPerStep' });
  const timingModel = fitTimingModel(options.timingFrom);
  const finalGuess = finalGuessModel(options);
  const ratio = options.targetCallsPerStep / measuredCallsPerStep;
  const targetScale: CallScale = {
    latencyMs: options.targetScale?.latencyMs ?? ratio,
    inputTokens: options.targetScale?.inputTokens ?? ratio,
    outputTokens: options.targetScale?.outputTokens ?? ratio,
  };
  const terminalAction = options.terminalAction ?? 'TERMINATE';
  const models = options.models ?? { approx: 'gpt-4.1-mini', target: 'gpt-4.1-mini' };

  const dataset = readDataset(file);
  if (dataset.kind === 'stepwise') {
    throw new InvalidInputError(
      'this is a stepwise dataset: its 0/1 labels do not say where a segment ends (expected a dataset_value_func_* or dataset_predict_k_* file; pass a stepwise file as a history file instead)',
      { source: file },
    );
  }
  const runs = groupRuns(dataset.states, dataset.lines);
  const stats: DspDatasetImportStats = {
    runs: runs.length,
    labelsChecked: 0,
    labelsDisagreeing: 0,
    historiesExtended: 0,
    historyConflicts: 0,
    finalGuessesModelled: 0,
    finalGuessesTerminal: 0,
  };
  extendHistories(runs, options.historyFiles ?? [], stats);

  const taskIndex = new Map<string, number>();
  options.taskList?.forEach((task, index) => {
    if (!taskIndex.has(task)) taskIndex.set(task, index);
  });
  const usedIds = new Map<string, number>();
  const traces: Trace[] = [];
  const skipped: SkippedRun[] = [];
  const truncated: SkippedRun[] = [];

  runs.forEach((run, runIndex) => {
    const index = taskIndex.get(run.task);
    const baseId = index === undefined ? `${options.suite}/run-${runIndex + 1}` : `${options.suite}/task-${index}`;
    const seen = (usedIds.get(baseId) ?? 0) + 1;
    usedIds.set(baseId, seen);
    const id = seen === 1 ? baseId : `${baseId}/run-${seen}`;
    const location = `record ${run.states[0]!.record + 1}, line ${run.firstLine}`;

    const plan = reconstructPlan(run, dataset.kind, terminalAction, stats);
    if ('skip' in plan) {
      // No trace gets this id; name the run by where it starts in the file.
      skipped.push({ run: `${id.slice(options.suite.length + 1)} (${location})`, reason: plan.skip });
      return;
    }
    if (plan.truncatedBecause !== undefined) truncated.push({ run: id, reason: `${plan.truncatedBecause} (${location})` });
    if (plan.terminal) {
      // Its own stream, so that the timing draws below are the same with or without the modelled guess.
      const modelled = modelFinalGuess(plan.steps, terminalAction, finalGuess.terminalRate, seededRandom(hashText(`${options.seed}/${id}/final-guess`)));
      if (modelled !== undefined) {
        stats.finalGuessesModelled += 1;
        if (modelled === terminalAction) stats.finalGuessesTerminal += 1;
      }
    }

    const random = seededRandom(hashText(`${options.seed}/${id}`));
    const steps: TraceStep[] = plan.steps.map((step, stepIndex) => {
      const stepNumber = stepIndex + 1;
      const traceStep: TraceStep = { target: { action: step.target, ...sampleCall(timingModel.target, stepNumber, random, targetScale) } };
      if (step.approx !== undefined) traceStep.approx = { action: step.approx, ...sampleCall(timingModel.approx, stepNumber, random) };
      return traceStep;
    });
    traces.push({
      format: 'dsp-trace/1',
      id,
      suite: options.suite,
      task: run.task,
      timing: 'modelled',
      models: { approx: models.approx, target: models.target },
      terminal: plan.terminal,
      steps,
    });
  });

  return { traces, skipped, truncated, stats, timingModel, finalGuess, targetScale };
}

/** The final-guess model: the rate given in the options, else the one measured on the timing traces. */
function finalGuessModel(options: DspDatasetImportOptions): FinalGuessModel {
  const rate = options.finalGuessTerminalRate;
  if (rate === undefined) return fitFinalGuess(options.timingFrom);
  if (!(rate >= 0 && rate <= 1)) {
    throw new InvalidInputError(`finalGuessTerminalRate must be a probability between 0 and 1, got ${rate}`, { source: 'finalGuessTerminalRate' });
  }
  return { terminalRate: rate, runs: 0, terminalGuesses: 0 };
}

/**
 * Gives a plan's terminal step the A guess the data do not hold, in place, and returns it (undefined when the step
 * already has a guess, or the plan has a single step). With probability `terminalRate` (one draw of `random`) it
 * is the terminal action. Otherwise it is a wrong, non-terminal guess: A's own guess at the step before, or T's
 * action there when that guess is missing or is the terminal action. A wrong final guess lets A speculate past the
 * plan's end as far as k allows, which is what the measured A did (every wrong final guess on openagi-react names a
 * tool; 3 of the 4 repeat a tool A had just named); which tool it names changes no figure of a replay, only what a
 * learning policy's features see.
 */
export function modelFinalGuess(steps: PlannedStep[], terminalAction: string, terminalRate: number, random: Random): string | undefined {
  const last = steps[steps.length - 1];
  const previous = steps[steps.length - 2];
  if (last === undefined || last.approx !== undefined || previous === undefined) return undefined;
  const guessesTerminal = random() < terminalRate;
  const wrong = previous.approx === undefined || previous.approx === terminalAction ? previous.target : previous.approx;
  last.approx = guessesTerminal ? terminalAction : wrong;
  return last.approx;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

function readDataset(path: string): Dataset & { lines: number[] } {
  const text = readTextFile(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`not valid JSON (${(error as Error).message}); expected a JSON list of dataset records`, { source: path });
  }
  if (!Array.isArray(value)) throw new InvalidInputError(`line 1: expected a JSON list of ${trajectoryShape} or ${pairShape} records`, { source: path });
  const lines = topLevelElementLines(text);
  const lineOf = (record: number): number => lines[record] ?? 1;

  const states: (DatasetState & { instruction: string | undefined })[] = [];
  let shape: 'trajectory' | 'pair' | undefined;
  value.forEach((record: unknown, recordIndex) => {
    const where = `line ${lineOf(recordIndex)} (record ${recordIndex + 1})`;
    const isTrajectory = typeof record === 'object' && record !== null && 'trajectory' in record;
    const recordShape = isTrajectory ? 'trajectory' : 'pair';
    shape ??= recordShape;
    const expected = shape === 'trajectory' ? trajectoryShape : pairShape;
    if (recordShape !== shape) throw new InvalidInputError(`${where}: expected ${expected} like the first record`, { source: path });
    if (shape === 'trajectory') {
      const parsed = trajectoryRecordSchema.safeParse(record);
      if (!parsed.success) throw new InvalidInputError(`${where}: ${describeValidationIssues(parsed.error.issues)}; expected ${expected}`, { source: path });
      parsed.data.trajectory.forEach((entry, position) => {
        const state = parseState(entry.state, path, `${where}, state ${position + 1}`);
        states.push({ record: recordIndex, ...state, label: entry.k, reward: entry.reward });
      });
    } else {
      const parsed = pairRecordSchema.safeParse(record);
      if (!parsed.success) throw new InvalidInputError(`${where}: ${describeValidationIssues(parsed.error.issues)}; expected ${expected}`, { source: path });
      const state = parseState(parsed.data.input, path, where);
      states.push({ record: recordIndex, ...state, label: parsed.data.output, reward: undefined });
    }
  });
  if (states.length === 0) throw new InvalidInputError('the dataset holds no state (expected a non-empty JSON list of records)', { source: path });
  const stepwise = states.some((state) => state.instruction?.includes('whether approximation should continue') === true);
  const kind: DatasetKind = shape === 'trajectory' ? 'value-function' : stepwise ? 'stepwise' : 'predict-k';
  return { path, kind, states: states.map(({ instruction: _instruction, ...state }) => state), lines };
}

const historyLinePattern = /^(Approximation|Target) Step (\d+): ?(.*)$/;

function parseState(text: string, path: string, where: string): { task: string; events: HistoryEvent[]; instruction: string | undefined } {
  const lines = text.split('\n');
  const task = lines[0]!.trim();
  if (task === '') throw new InvalidInputError(`${where}: expected the task on the state's first line`, { source: path });
  const events: HistoryEvent[] = [];
  let instruction: string | undefined;
  lines.slice(1).forEach((line, index) => {
    if (line.trim() === '' || line === 'Previous history:') return;
    const match = historyLinePattern.exec(line);
    if (match !== null) {
      events.push({ role: match[1] === 'Approximation' ? 'approx' : 'target', step: Number(match[2]), action: match[3]! });
      return;
    }
    if (line.startsWith('Now, please predict ')) {
      instruction = line;
      return;
    }
    throw new InvalidInputError(
      `${where}, state line ${index + 2}: expected "Previous history:", "Approximation Step N: ACTION", "Target Step N: ACTION" or "Now, please predict ...", found ${JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line)}`,
      { source: path },
    );
  });
  return { task, events, instruction };
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

interface Run {
  task: string;
  states: DatasetState[];
  /** The longest history of the run (possibly extended from a history file). */
  history: HistoryEvent[];
  firstLine: number;
}

function isPrefix(shorter: readonly HistoryEvent[], longer: readonly HistoryEvent[]): boolean {
  return (
    shorter.length <= longer.length &&
    shorter.every((event, index) => {
      const other = longer[index]!;
      return event.role === other.role && event.step === other.step && event.action === other.action;
    })
  );
}

/** Consecutive states of one task whose histories extend each other (a run never goes back to an empty history). */
function groupRuns(states: readonly DatasetState[], lines: readonly number[] = []): Run[] {
  const runs: Run[] = [];
  let current: Run | undefined;
  for (const state of states) {
    const continues =
      current !== undefined &&
      current.task === state.task &&
      !(state.events.length === 0 && current.history.length > 0) &&
      (isPrefix(current.history, state.events) || isPrefix(state.events, current.history));
    if (continues) {
      current!.states.push(state);
      if (state.events.length > current!.history.length) current!.history = state.events;
    } else {
      current = { task: state.task, states: [state], history: state.events, firstLine: lines[state.record] ?? state.record + 1 };
      runs.push(current);
    }
  }
  return runs;
}

function extendHistories(runs: Run[], historyFiles: readonly string[], stats: DspDatasetImportStats): void {
  if (historyFiles.length === 0) return;
  const runsByTask = new Map<string, Run[]>();
  for (const run of runs) runsByTask.set(run.task, [...(runsByTask.get(run.task) ?? []), run]);
  const extended = new Set<Run>();
  for (const historyFile of historyFiles) {
    const other = readDataset(historyFile);
    const otherByTask = new Map<string, Run[]>();
    for (const run of groupRuns(other.states)) otherByTask.set(run.task, [...(otherByTask.get(run.task) ?? []), run]);
    for (const [task, mine] of runsByTask) {
      const theirs = otherByTask.get(task);
      // Only an unambiguous pairing (one run of the task on each side) can be merged.
      if (theirs === undefined || mine.length !== 1 || theirs.length !== 1) continue;
      const run = mine[0]!;
      const history = theirs[0]!.history;
      if (isPrefix(run.history, history)) {
        if (history.length > run.history.length) {
          run.history = history;
          extended.add(run);
        }
      } else if (!isPrefix(history, run.history)) {
        stats.historyConflicts += 1;
      }
    }
  }
  stats.historiesExtended = extended.size;
}

// ---------------------------------------------------------------------------------------------------------------
// Plans

/** One step of a rebuilt plan. */
export interface PlannedStep {
  target: string;
  /** Absent when the data holds no guess of A for the step. */
  approx: string | undefined;
}

type Plan = { skip: string } | { steps: PlannedStep[]; terminal: boolean; truncatedBecause: string | undefined };

/** A label anchored at a round start: `k` steps from step `start` up to and including the break. */
interface Anchor {
  start: number;
  k: number;
}

// one pass over a run's events in order (docs/timing-model.md).
// eslint-disable-next-line max-lines-per-function -- must stay one piece, see the comment above
function reconstructPlan(run: Run, kind: DatasetKind, terminalAction: string, stats: DspDatasetImportStats): Plan {
  const history = run.history;
  const targetPositions: number[] = [];
  const targetActions: string[] = [];
  for (const [position, event] of history.entries()) {
    if (event.role !== 'target') continue;
    if (event.step !== targetActions.length + 1) {
      const steps = history.filter((other) => other.role === 'target').map((other) => other.step);
      return { skip: `T's steps in the history are not 1..n in order (${steps.join(', ')})` };
    }
    targetPositions.push(position);
    targetActions.push(event.action);
  }
  const known = targetActions.length;
  const earlyTerminal = targetActions.findIndex((action, index) => action === terminalAction && index < known - 1);
  if (earlyTerminal !== -1) return { skip: `T's step ${earlyTerminal + 1} is the terminal action but the history goes on` };

  // A's guess on the true prefix: the last guess for the step logged before T's verdict on it.
  const guesses: (string | undefined)[] = targetActions.map((_, index) => {
    const step = index + 1;
    let guess: string | undefined;
    for (let position = 0; position < targetPositions[index]!; position += 1) {
      const event = history[position]!;
      if (event.role === 'approx' && event.step === step) guess = event.action;
    }
    return guess;
  });

  const anchors = labelAnchors(run, kind);
  for (const anchor of anchors) {
    const breakStep = anchor.start + anchor.k - 1;
    let compared = false;
    let agrees = true;
    for (let step = anchor.start; step <= Math.min(breakStep, known); step += 1) {
      const guess = guesses[step - 1];
      if (guess === undefined) continue;
      compared = true;
      const accepted = guess === targetActions[step - 1];
      const isBreak = step === breakStep;
      // The break is a mismatch or the terminal step; every step before it was accepted.
      if (isBreak ? accepted && targetActions[step - 1] !== terminalAction : !accepted) agrees = false;
    }
    if (compared) {
      stats.labelsChecked += 1;
      if (!agrees) stats.labelsDisagreeing += 1;
    }
  }

  const steps: PlannedStep[] = targetActions.map((action, index) => ({ target: action, approx: guesses[index] }));
  if (known > 0 && targetActions[known - 1] === terminalAction) return { steps, terminal: true, truncatedBecause: undefined };

  const last = anchors[anchors.length - 1];
  if (last === undefined) {
    if (known === 0) return { skip: 'no T step and no label to rebuild a plan from' };
    return { steps, terminal: false, truncatedBecause: `no label says where the plan ends; kept the ${known} recorded step(s)` };
  }
  const finalStep = last.start + last.k - 1;
  if (finalStep <= known) {
    return {
      steps,
      terminal: false,
      truncatedBecause: `the last label ends the plan at step ${finalStep} but the history records T's steps up to ${known} without the terminal action; kept ${known} step(s)`,
    };
  }

  // Steps after the last recorded T step that the labels call accepted: T's action is A's guess.
  let lastBreakPosition = -1;
  guesses.forEach((guess, index) => {
    if (guess !== targetActions[index]) lastBreakPosition = targetPositions[index]!;
  });
  for (let step = known + 1; step < finalStep; step += 1) {
    let guess: string | undefined;
    history.forEach((event, position) => {
      if (event.role === 'approx' && event.step === step && position > lastBreakPosition) guess = event.action;
    });
    if (guess === undefined) {
      if (steps.length === 0) return { skip: `the labels call A's guess for step ${step} accepted but no history records it` };
      return {
        steps,
        terminal: false,
        truncatedBecause: `the labels call A's guess for step ${step} accepted but no history records it; kept ${steps.length} step(s) of ${finalStep}`,
      };
    }
    steps.push({ target: guess, approx: guess });
    if (guess === terminalAction) return { steps, terminal: true, truncatedBecause: undefined };
  }
  // The last break ends the plan: T's terminal action (assumed; the data never records it). A's guess there is
  // modelled by the caller (`modelFinalGuess`).
  steps.push({ target: terminalAction, approx: undefined });
  return { steps, terminal: true, truncatedBecause: undefined };
}

/**
 * The labels that start at a round start, in file order. A value-function trajectory is one segment: its first
 * rewarded state opens it. A predict-k state is a round start. Either way the start step is the number of T steps
 * in the state's history plus one.
 */
function labelAnchors(run: Run, kind: DatasetKind): Anchor[] {
  const anchors: Anchor[] = [];
  const startOf = (state: DatasetState): number => state.events.filter((event) => event.role === 'target').length + 1;
  if (kind === 'value-function') {
    const seenRecords = new Set<number>();
    for (const state of run.states) {
      if (seenRecords.has(state.record)) continue;
      seenRecords.add(state.record);
      if (state.reward === 1 && state.label >= 1) anchors.push({ start: startOf(state), k: state.label });
    }
  } else {
    for (const state of run.states) if (state.label >= 1) anchors.push({ start: startOf(state), k: state.label });
  }
  return anchors;
}

