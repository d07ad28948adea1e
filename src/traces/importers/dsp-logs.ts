/**
 * Importer of the DSP authors' run logs (OpenAGI, direct-generation A against a ReAct T, both gpt-4-turbo; the
 * formats are described in shared/data/dsp/FORMATS.md). Each run folder × task id becomes one measured trace:
 * for every committed step, T's action, latency and tokens (the last completed record of the step, both ReAct
 * sub-calls summed) and A's guess made on the true prefix, with its latency and tokens.
 *
 * The three logs of a run are read independently and must agree: the target log's round bookkeeping gives the
 * committed plan and the guesses of each round, the approximation log gives A's figures, and the simulation log's
 * story and final plan are checked against both. A run whose pieces disagree is skipped with the reason.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { InvalidInputError, isInvalidInputError } from '../../core/errors.js';
import type { Trace, TraceStep } from '../schema.js';
import { lineError, quote, readLogFile, type LogFile, type LogLine } from './log-lines.js';
import { parsePythonLiteral, parsePythonStringList } from './python-literal.js';

/** A run that could not be imported, and why. */
export interface SkippedRun {
  /** `<runfolder>/task-<ID>`. */
  run: string;
  reason: string;
}

/** What `importDspLogs` returns. */
export interface DspLogsImportResult {
  /** One trace per run folder × task id, ordered by run folder then numeric task id. */
  traces: Trace[];
  skipped: SkippedRun[];
}

/** Options of `importDspLogs`. */
export interface DspLogsImportOptions {
  /** Suite name written into the traces. Default `openagi-react`. */
  suite?: string;
  /** Models named in the traces. Default gpt-4-turbo on both sides, as in the published runs. */
  models?: { approx: string; target: string };
  /** The plan's terminal action. Default `TERMINATE`. */
  terminalAction?: string;
}

const logFilePattern = /^(approximation|target|simulation|train)_datapoint(\d+)\.log$/;
/** Folder names of the authors' fixed layout (`…/logs/react/dyn_k/<run>`), left out of run names. */
const layoutSegments = new Set(['logs', 'react', 'dyn_k']);

/**
 * Imports every run found under `dir` (searched recursively). Throws `InvalidInputError` only when `dir` cannot be
 * read or holds no run log at all; a run with a missing, malformed or inconsistent log is skipped with the reason
 * (which names the file, the line and what was expected).
 */
export function importDspLogs(dir: string, options: DspLogsImportOptions = {}): DspLogsImportResult {
  const root = resolve(dir);
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    throw new InvalidInputError('no such directory', { source: dir });
  }
  if (!isDirectory) throw new InvalidInputError('not a directory (expected the folder holding the run logs)', { source: dir });

  const folders = findRunFolders(root);
  if (folders.length === 0) {
    throw new InvalidInputError(
      'no run log found (expected files named approximation_datapointN.log, target_datapointN.log and simulation_datapointN.log)',
      { source: dir },
    );
  }
  const names = runNames(root, folders.map((folder) => folder.path));
  const settings = {
    suite: options.suite ?? 'openagi-react',
    models: options.models ?? { approx: 'gpt-4-turbo', target: 'gpt-4-turbo' },
    terminalAction: options.terminalAction ?? 'TERMINATE',
  };

  const traces: Trace[] = [];
  const skipped: SkippedRun[] = [];
  folders.forEach((folder, folderIndex) => {
    const runName = names[folderIndex]!;
    for (const taskId of folder.taskIds) {
      const run = `${runName}/task-${taskId}`;
      try {
        traces.push(importRun(folder.path, taskId, `${settings.suite}/${run}`, settings));
      } catch (error) {
        if (!isInvalidInputError(error)) throw error;
        skipped.push({ run, reason: error.message });
      }
    }
  });
  return { traces, skipped };
}

interface RunFolder {
  path: string;
  /** Task ids with at least one approximation, target or simulation log, ascending. */
  taskIds: number[];
}

function findRunFolders(root: string): RunFolder[] {
  const folders: RunFolder[] = [];
  const visit = (path: string): void => {
    const entries = readdirSync(path, { withFileTypes: true }).sort((left, right) => compareText(left.name, right.name));
    const taskIds = new Set<number>();
    for (const entry of entries) {
      const match = logFilePattern.exec(entry.name);
      if (entry.isFile() && match !== null && match[1] !== 'train') taskIds.add(Number(match[2]));
    }
    if (taskIds.size > 0) folders.push({ path, taskIds: [...taskIds].sort((left, right) => left - right) });
    for (const entry of entries) if (entry.isDirectory()) visit(join(path, entry.name));
  };
  visit(root);
  return folders.sort((left, right) => compareText(left.path, right.path));
}

/**
 * Short, stable run names: the folder's path below the import root without the authors' fixed layout segments
 * (`test/logs/react/dyn_k` → `test`, `logs/react/dyn_k/bs_4_ep_3` → `bs_4_ep_3`). Names that would collide keep
 * their full relative path.
 */
function runNames(root: string, folders: readonly string[]): string[] {
  const relativePaths = folders.map((folder) => relative(root, folder).split(sep).filter((part) => part !== ''));
  const short = relativePaths.map((parts) => {
    const kept = parts.filter((part) => !layoutSegments.has(part));
    if (kept.length > 0) return kept.join('/');
    return parts.length > 0 ? parts.join('/') : basename(root);
  });
  return short.map((name, index) =>
    short.indexOf(name) !== short.lastIndexOf(name) ? relativePaths[index]!.join('/') || basename(root) : name,
  );
}

/** Locale-independent ordering, so the output order never depends on the machine. */
function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

interface RunSettings {
  suite: string;
  models: { approx: string; target: string };
  terminalAction: string;
}

function importRun(folder: string, taskId: number, traceId: string, settings: RunSettings): Trace {
  const targetLog = readLogFile(join(folder, `target_datapoint${taskId}.log`));
  const approxLog = readLogFile(join(folder, `approximation_datapoint${taskId}.log`));
  const simulationLog = readLogFile(join(folder, `simulation_datapoint${taskId}.log`));

  const task = taskDescription(targetLog);
  for (const other of [approxLog, simulationLog]) {
    const otherTask = taskDescription(other);
    if (otherTask !== task) {
      throw lineError(other, other.lines[0]!, `expected the same task as ${basename(targetLog.path)} (${quote(task)}), found ${quote(otherTask)}`);
    }
  }

  const rounds = parseTargetLog(targetLog);
  const committed = committedSteps(targetLog, rounds);
  const approxCalls = parseApproximationLog(approxLog);
  const guesses = truePrefixGuesses(approxLog, approxCalls, rounds);
  const simulation = parseSimulationLog(simulationLog);
  crossCheck(simulationLog, simulation, committed, guesses);

  const steps: TraceStep[] = committed.map((step, index) => {
    const guess = guesses[index];
    const traceStep: TraceStep = { target: step.call };
    if (guess !== undefined) traceStep.approx = guess.call;
    return traceStep;
  });
  const plan = committed.map((step) => step.call.action);
  return {
    format: 'dsp-trace/1',
    id: traceId,
    suite: settings.suite,
    task,
    timing: 'measured',
    models: { approx: settings.models.approx, target: settings.models.target },
    terminal: plan[plan.length - 1] === settings.terminalAction,
    steps,
  };
}

function taskDescription(file: LogFile): string {
  const first = file.lines[0];
  const match = first === undefined ? null : /^task description: (.*)$/.exec(first.message);
  if (first === undefined || first.lineNumber !== 1 || match === null) {
    throw lineError(file, 1, 'expected "task description: <task>" on the first line');
  }
  return match[1]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Target log

/** One `Intermediate Target Step` record: a finished (action) or cancelled (null) T call. */
interface TargetRecord {
  step: number;
  action: string | null;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number | undefined;
  line: LogLine;
}

/** The lines between two `return sas tasks` lines: one round. */
interface TargetRound {
  records: TargetRecord[];
  /** A's guesses of the round (`sas tasks`). */
  guesses: string[];
  /** T results by round index (`flatten_tas`), when logged. */
  results: Map<number, string> | undefined;
  /** The committed slice (`return sas tasks`). */
  committed: string[];
  guessesLine: LogLine;
  committedLine: LogLine;
}

/** Splits a target log into rounds. Throws `InvalidInputError` (file, line, expectation) on a malformed line. */
function parseTargetLog(file: LogFile): TargetRound[] {
  const rounds: TargetRound[] = [];
  let records: TargetRecord[] = [];
  let guesses: { values: string[]; line: LogLine } | undefined;
  let results: Map<number, string> | undefined;

  for (const line of file.lines) {
    const message = line.message;
    if (message.startsWith('Intermediate Target Step ')) {
      const match = /^Intermediate Target Step (\d+) - (.*) -gen (\d+) -prompt (\d+)$/.exec(message);
      if (match === null) throw lineError(file, line, `expected "Intermediate Target Step N - ACTION -gen N -prompt N", found ${quote(message)}`);
      records.push({
        step: Number(match[1]),
        action: match[2] === 'None' ? null : match[2]!,
        outputTokens: Number(match[3]),
        inputTokens: Number(match[4]),
        latencyMs: undefined,
        line,
      });
    } else if (message.startsWith('Target: Step ')) {
      const time = /^Target: Step (\d+) -time (\d+(?:\.\d+)?)$/.exec(message);
      if (time === null) {
        if (/^Target: Step \d+ - .*$/.test(message)) continue;
        throw lineError(file, line, `expected "Target: Step N -time SECONDS" or "Target: Step N - ACTION", found ${quote(message)}`);
      }
      const step = Number(time[1]);
      const record = [...records].reverse().find((candidate) => candidate.step === step && candidate.latencyMs === undefined);
      if (record === undefined) {
        throw lineError(file, line, `expected an "Intermediate Target Step ${step} - ..." line before this step time`);
      }
      record.latencyMs = secondsToMs(time[2]!);
    } else if (message.startsWith('sas tasks: ')) {
      guesses = { values: readStringList(file, line, 'sas tasks: '), line };
    } else if (message.startsWith('flatten_tas: ')) {
      results = readIndexedResults(file, line);
    } else if (message.startsWith('return sas tasks: ')) {
      if (guesses === undefined) throw lineError(file, line, 'expected a "sas tasks: [...]" line earlier in this round');
      const committed = readStringList(file, line, 'return sas tasks: ');
      if (committed.length === 0) throw lineError(file, line, 'expected at least one committed step in "return sas tasks: [...]"');
      rounds.push({ records, guesses: guesses.values, results, committed, guessesLine: guesses.line, committedLine: line });
      records = [];
      guesses = undefined;
      results = undefined;
    } else if (message.startsWith('Mismatch at ')) {
      if (!/^Mismatch at \d+\. Cancel starts\.\s*$/.test(message)) {
        throw lineError(file, line, `expected "Mismatch at N. Cancel starts.", found ${quote(message)}`);
      }
    }
  }
  const unfinished = records.find((record) => record.action !== null);
  if (guesses !== undefined || unfinished !== undefined) {
    const line = guesses?.line ?? unfinished!.line;
    throw lineError(file, line, 'the log ends inside a round (expected a closing "return sas tasks: [...]" line)');
  }
  if (rounds.length === 0) throw lineError(file, file.lines.length + 1, 'expected at least one round ending with "return sas tasks: [...]"');
  return rounds;
}

interface CommittedStep {
  step: number;
  round: number;
  call: { action: string; latencyMs: number; inputTokens: number; outputTokens: number };
}

/** The committed plan: per round, the last completed record of each committed step. */
function committedSteps(file: LogFile, rounds: readonly TargetRound[]): CommittedStep[] {
  const steps: CommittedStep[] = [];
  rounds.forEach((round, roundIndex) => {
    const start = steps.length + 1;
    round.committed.forEach((action, index) => {
      const step = start + index;
      const record = [...round.records].reverse().find((candidate) => candidate.step === step && candidate.action !== null);
      if (record === undefined) {
        throw lineError(file, round.committedLine, `round ${roundIndex + 1} commits step ${step} (${quote(action)}) but has no completed "Intermediate Target Step ${step} - ..." record`);
      }
      if (record.action !== action) {
        throw lineError(file, record.line, `expected step ${step}'s last completed record to be the committed action ${quote(action)}, found ${quote(record.action ?? '')}`);
      }
      if (record.latencyMs === undefined) {
        throw lineError(file, record.line, `expected a "Target: Step ${step} -time SECONDS" line after this record`);
      }
      const result = round.results?.get(index);
      if (round.results !== undefined && result !== action) {
        throw lineError(file, round.committedLine, `expected flatten_tas to hold (${index}, ${quote(action)}) for committed step ${step}, found ${result === undefined ? 'nothing' : quote(result)}`);
      }
      const isLast = index === round.committed.length - 1;
      if (!isLast && round.guesses[index] !== action) {
        throw lineError(file, round.committedLine, `round ${roundIndex + 1} commits step ${step} beyond its break: A guessed ${quote(round.guesses[index] ?? '(nothing)')}, T answered ${quote(action)}`);
      }
      steps.push({ step, round: roundIndex, call: { action, latencyMs: record.latencyMs, inputTokens: record.inputTokens, outputTokens: record.outputTokens } });
    });
  });
  return steps;
}

function readStringList(file: LogFile, line: LogLine, prefix: string): string[] {
  const text = line.message.slice(prefix.length);
  try {
    return parsePythonStringList(text);
  } catch (error) {
    throw lineError(file, line, `expected a Python list of strings after ${quote(prefix.trim())} (${(error as Error).message})`);
  }
}

function readIndexedResults(file: LogFile, line: LogLine): Map<number, string> {
  const expectation = 'expected a Python list of (index, action) tuples after "flatten_tas:"';
  let value;
  try {
    value = parsePythonLiteral(line.message.slice('flatten_tas: '.length));
  } catch (error) {
    throw lineError(file, line, `${expectation} (${(error as Error).message})`);
  }
  const results = new Map<number, string>();
  if (!Array.isArray(value)) throw lineError(file, line, expectation);
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'number' || typeof item[1] !== 'string') {
      throw lineError(file, line, expectation);
    }
    results.set(item[0], item[1]);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// Approximation log

type ApproxEntry =
  | { kind: 'prompt'; step: number; inputTokens: number; line: LogLine }
  | { kind: 'result'; step: number; action: string; latencyMs: number; outputTokens: number; line: LogLine }
  | { kind: 'predict'; k: number; line: LogLine };

/** The A calls and round markers of an approximation log, in order. */
function parseApproximationLog(file: LogFile): ApproxEntry[] {
  const entries: ApproxEntry[] = [];
  for (const line of file.lines) {
    const message = line.message;
    if (message.startsWith('Approximation: Step ')) {
      const prompt = /^Approximation: Step (\d+) -prompt token (\d+)$/.exec(message);
      if (prompt !== null) {
        entries.push({ kind: 'prompt', step: Number(prompt[1]), inputTokens: Number(prompt[2]), line });
        continue;
      }
      const result = /^Approximation: Step (\d+) - (.*) -time (\d+(?:\.\d+)?) -token (\d+)$/.exec(message);
      if (result === null) {
        throw lineError(file, line, `expected "Approximation: Step N -prompt token N" or "Approximation: Step N - ACTION -time SECONDS -token N", found ${quote(message)}`);
      }
      entries.push({ kind: 'result', step: Number(result[1]), action: result[2]!, latencyMs: secondsToMs(result[3]!), outputTokens: Number(result[4]), line });
    } else if (message.startsWith('Predict K: ')) {
      const predict = /^Predict K: (-?\d+)$/.exec(message);
      if (predict === null) throw lineError(file, line, `expected "Predict K: N", found ${quote(message)}`);
      entries.push({ kind: 'predict', k: Number(predict[1]), line });
    }
  }
  return entries;
}

interface Guess {
  call: { action: string; latencyMs: number; inputTokens: number; outputTokens: number };
}

/**
 * A's guess on the true prefix for each committed step. Round r of the approximation log starts at the prompt of
 * the round's first step just before its `Predict K` line; within it, the guess at round index i is A's guess on
 * the true prefix (all earlier guesses of the round were accepted), and its record is the last finished call of
 * that step with that action.
 */
function truePrefixGuesses(file: LogFile, entries: readonly ApproxEntry[], rounds: readonly TargetRound[]): (Guess | undefined)[] {
  const predictPositions = entries.flatMap((entry, position) => (entry.kind === 'predict' ? [position] : []));
  if (predictPositions.length !== rounds.length) {
    throw lineError(file, file.lines.length, `expected one "Predict K" line per round: the target log has ${rounds.length} round(s), this log ${predictPositions.length}`);
  }
  const starts: number[] = [];
  let firstStep = 1;
  rounds.forEach((round, roundIndex) => {
    const floor = roundIndex === 0 ? 0 : starts[roundIndex - 1]! + 1;
    let start = -1;
    for (let position = predictPositions[roundIndex]!; position >= floor; position -= 1) {
      const entry = entries[position]!;
      if (entry.kind === 'prompt' && entry.step === firstStep) {
        start = position;
        break;
      }
    }
    if (start === -1) {
      throw lineError(file, entries[predictPositions[roundIndex]!]!.line, `expected an "Approximation: Step ${firstStep} -prompt token N" line opening round ${roundIndex + 1} before this line`);
    }
    starts.push(start);
    firstStep += round.committed.length;
  });

  const guesses: (Guess | undefined)[] = [];
  rounds.forEach((round, roundIndex) => {
    const region = entries.slice(starts[roundIndex], starts[roundIndex + 1] ?? entries.length);
    const firstStepOfRound = guesses.length + 1;
    round.committed.forEach((_, index) => {
      const step = firstStepOfRound + index;
      const action = round.guesses[index];
      if (action === undefined) {
        guesses.push(undefined);
        return;
      }
      let resultPosition = -1;
      for (let position = region.length - 1; position >= 0; position -= 1) {
        const entry = region[position]!;
        if (entry.kind === 'result' && entry.step === step && entry.action === action) {
          resultPosition = position;
          break;
        }
      }
      const opening = region[0]!.line.lineNumber;
      if (resultPosition === -1) {
        throw lineError(file, opening, `round ${roundIndex + 1} (from this line) has no finished guess for step ${step}: expected "Approximation: Step ${step} - ${action} -time SECONDS -token N"`);
      }
      const result = region[resultPosition] as Extract<ApproxEntry, { kind: 'result' }>;
      const prompt = region
        .slice(0, resultPosition)
        .reverse()
        .find((entry): entry is Extract<ApproxEntry, { kind: 'prompt' }> => entry.kind === 'prompt' && entry.step === step);
      if (prompt === undefined) {
        throw lineError(file, result.line, `expected an "Approximation: Step ${step} -prompt token N" line before this result`);
      }
      guesses.push({ call: { action, latencyMs: result.latencyMs, inputTokens: prompt.inputTokens, outputTokens: result.outputTokens } });
    });
  });
  return guesses;
}

// ---------------------------------------------------------------------------------------------------------------
// Simulation log

interface Verdict {
  step: number;
  targetAction: string;
  guess: string;
  line: LogLine;
}

interface Simulation {
  verdicts: Verdict[];
  finalPlan: string[];
  finalPlanLine: LogLine;
  stepCount: { value: number; line: LogLine } | undefined;
  /** Summary totals of T's committed steps, when logged: seconds and tokens. */
  totals: { name: 'latency' | 'inputTokens' | 'outputTokens'; value: number; line: LogLine }[];
}

/** Summary lines that must equal sums over T's committed steps. */
const totalLines = [
  { prefix: 'total target step time: ', name: 'latency', unit: 'seconds' },
  { prefix: 'total target token prompt: ', name: 'inputTokens', unit: 'tokens' },
  { prefix: 'total target token generation: ', name: 'outputTokens', unit: 'tokens' },
] as const;

/** The verdict lines, the final plan and the step count of a simulation log. */
function parseSimulationLog(file: LogFile): Simulation {
  const verdicts: Verdict[] = [];
  let finalPlan: { values: string[]; line: LogLine } | undefined;
  let stepCount: Simulation['stepCount'];
  const totals: Simulation['totals'] = [];
  for (const line of file.lines) {
    const message = line.message;
    const total = totalLines.find((candidate) => message.startsWith(candidate.prefix));
    if (total !== undefined) {
      const value = Number(message.slice(total.prefix.length));
      if (message.slice(total.prefix.length).trim() === '' || !Number.isFinite(value)) {
        throw lineError(file, line, `expected "${total.prefix}N" (${total.unit}), found ${quote(message)}`);
      }
      totals.push({ name: total.name, value, line });
      continue;
    }
    if (message.startsWith('The target agent thinks step ')) {
      const agrees = /^The target agent thinks step (\d+) should be (.*), which agrees with the approximation agent\.$/.exec(message);
      const corrects = /^The target agent thinks step (\d+) should be (.*), correcting what the approximation agent thinks which is (.*)\.$/.exec(message);
      if (agrees !== null) verdicts.push({ step: Number(agrees[1]), targetAction: agrees[2]!, guess: agrees[2]!, line });
      else if (corrects !== null) verdicts.push({ step: Number(corrects[1]), targetAction: corrects[2]!, guess: corrects[3]!, line });
      else {
        throw lineError(file, line, `expected "The target agent thinks step N should be Y, which agrees with the approximation agent." or "..., correcting what the approximation agent thinks which is X.", found ${quote(message)}`);
      }
    } else if (message.startsWith('final result for the speculative planning ')) {
      finalPlan = { values: readStringList(file, line, 'final result for the speculative planning '), line };
    } else if (message.startsWith('step number: ')) {
      const match = /^step number: (\d+)$/.exec(message);
      if (match === null) throw lineError(file, line, `expected "step number: N", found ${quote(message)}`);
      stepCount = { value: Number(match[1]), line };
    }
  }
  if (finalPlan === undefined) {
    throw lineError(file, file.lines.length, 'expected a "final result for the speculative planning [...]" line');
  }
  return { verdicts, finalPlan: finalPlan.values, finalPlanLine: finalPlan.line, stepCount, totals };
}

function crossCheck(file: LogFile, simulation: Simulation, committed: readonly CommittedStep[], guesses: readonly (Guess | undefined)[]): void {
  const plan = committed.map((step) => step.call.action);
  if (JSON.stringify(simulation.finalPlan) !== JSON.stringify(plan)) {
    throw lineError(file, simulation.finalPlanLine, `expected the final plan to equal the target log's committed plan ${JSON.stringify(plan)}, found ${JSON.stringify(simulation.finalPlan)}`);
  }
  if (simulation.stepCount !== undefined && simulation.stepCount.value !== plan.length) {
    throw lineError(file, simulation.stepCount.line, `expected "step number: ${plan.length}" (the committed plan's length)`);
  }
  if (simulation.verdicts.length !== plan.length) {
    throw lineError(file, simulation.finalPlanLine, `expected one "The target agent thinks step N ..." line per committed step (${plan.length}), found ${simulation.verdicts.length}`);
  }
  for (const total of simulation.totals) {
    const name = total.name;
    if (name === 'latency') {
      const seconds = committed.reduce((sum, step) => sum + step.call.latencyMs, 0) / 1000;
      // The log prints the float sum of two-decimal step times; allow for its rounding.
      if (Math.abs(seconds - total.value) > 0.0051) {
        throw lineError(file, total.line, `expected the total target step time to be the sum of the committed steps' times (${seconds.toFixed(2)} s)`);
      }
    } else {
      const tokens = committed.reduce((sum, step) => sum + step.call[name], 0);
      if (tokens !== total.value) {
        throw lineError(file, total.line, `expected the total to be the sum over the committed steps' records (${tokens})`);
      }
    }
  }
  simulation.verdicts.forEach((verdict, index) => {
    const step = index + 1;
    const guess = guesses[index]?.call.action;
    if (verdict.step !== step || verdict.targetAction !== plan[index]) {
      throw lineError(file, verdict.line, `expected the target's verdict on step ${step} to be ${quote(plan[index]!)}`);
    }
    if (guess !== undefined && verdict.guess !== guess) {
      throw lineError(file, verdict.line, `expected A's guess for step ${step} to be ${quote(guess)} (from the approximation and target logs), found ${quote(verdict.guess)}`);
    }
  });
}

function secondsToMs(seconds: string): number {
  return Math.round(Number(seconds) * 1000);
}

