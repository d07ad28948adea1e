/**
 * A per-role model of call latency and token usage, fitted to measured traces and sampled with a seeded generator.
 * It gives modelled traces (the DSP authors' k-labelled datasets, which hold actions but no timings) figures of
 * the right size. What it assumes is written down in docs/timing-model.md.
 */
import { exactMatch } from '../../core/actions.js';
import { InvalidInputError } from '../../core/errors.js';
import { logNormal, normal, type Random } from '../../core/rng.js';
import type { Trace } from '../schema.js';

/** A log-normal fit: `median · exp(sigma · z)` with z standard normal. */
export interface LogNormalFit {
  /** exp(mean of ln x), in the unit of the fitted quantity. */
  median: number;
  /** Standard deviation of ln x. */
  sigma: number;
  /** Arithmetic mean of the observations (reported, not used for sampling). */
  mean: number;
  /** Arithmetic standard deviation of the observations (reported, not used for sampling). */
  sd: number;
  /** Number of observations. */
  count: number;
}

/** A least-squares line `intercept + slope · (step − 1)` with a normal residual. */
export interface LinearFit {
  /** Value at step 1. */
  intercept: number;
  /** Increase per step. */
  slope: number;
  /** Standard deviation of the residuals. */
  residualSd: number;
  count: number;
}

/** What one role's calls look like. */
export interface RoleTimingModel {
  /** Latency of one step's call(s), in milliseconds. */
  latencyMs: LogNormalFit;
  /** Prompt tokens grow with the step because the prompt carries the plan so far. */
  inputTokens: LinearFit;
  /** Generated tokens. */
  outputTokens: LogNormalFit;
}

/** The fitted model of both roles. */
export interface TimingModel {
  approx: RoleTimingModel;
  target: RoleTimingModel;
  /** Measured traces the model was fitted to. */
  traces: number;
  /** Models named by those traces (`approx/target`), for the record. */
  fittedOn: string[];
}

/** Multipliers applied to a sampled target call (e.g. 2.5 for a five-call debate against a two-call ReAct step). */
export interface CallScale {
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
}

/** One sampled call's figures. */
export interface SampledCall {
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
}

interface Observation {
  step: number;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
}

const minimumObservations = 5;

/**
 * Fits the model to the `measured` traces among `traces` (others are ignored: fitting a model to modelled figures
 * would only echo an earlier model). Throws `InvalidInputError` when a role has fewer than 5 measured calls.
 */
export function fitTimingModel(traces: readonly Trace[]): TimingModel {
  const measured = traces.filter((trace) => trace.timing === 'measured');
  const approx: Observation[] = [];
  const target: Observation[] = [];
  for (const trace of measured) {
    trace.steps.forEach((step, index) => {
      target.push({ step: index + 1, ...pickFigures(step.target) });
      if (step.approx !== undefined) approx.push({ step: index + 1, ...pickFigures(step.approx) });
    });
  }
  for (const [role, observations] of [
    ['approximation', approx],
    ['target', target],
  ] as const) {
    if (observations.length < minimumObservations) {
      throw new InvalidInputError(
        `the timing traces hold ${observations.length} measured ${role} call(s); at least ${minimumObservations} are needed to fit a timing model (expected traces with "timing": "measured")`,
      );
    }
  }
  const fittedOn = [...new Set(measured.map((trace) => `${trace.models.approx}/${trace.models.target}`))].sort();
  return { approx: fitRole(approx), target: fitRole(target), traces: measured.length, fittedOn };
}

/** How often A guesses a plan's terminal step right: the terminal action rather than a tool. */
export interface FinalGuessModel {
  /** Probability that A's guess at a plan's terminal step is the terminal action. */
  terminalRate: number;
  /** Measured plans the rate was fitted on: ended by a terminal action, with A's guess at that step recorded. */
  runs: number;
  /** Of those, plans where A's guess was the terminal action. */
  terminalGuesses: number;
}

/**
 * Fits the final-guess model to the `measured` traces among `traces`: the share of plans that ended by a terminal
 * action whose A guess at that step was that action (openagi-react: 21 of 25). Throws `InvalidInputError` when no
 * measured plan records A's guess at its terminal step.
 */
export function fitFinalGuess(traces: readonly Trace[]): FinalGuessModel {
  let runs = 0;
  let terminalGuesses = 0;
  for (const trace of traces) {
    if (trace.timing !== 'measured' || trace.terminal === false) continue;
    const last = trace.steps[trace.steps.length - 1]!;
    if (last.approx === undefined) continue;
    runs += 1;
    if (exactMatch(last.approx.action, last.target.action)) terminalGuesses += 1;
  }
  if (runs === 0) {
    throw new InvalidInputError(
      "no measured trace ending by a terminal action records A's guess at that step: cannot fit how often A guesses the end of a plan (expected measured traces such as the output of `dsp import dsp-logs`)",
    );
  }
  return { terminalRate: terminalGuesses / runs, runs, terminalGuesses };
}

function pickFigures(call: { latencyMs: number; inputTokens: number; outputTokens: number }): Omit<Observation, 'step'> {
  return { latencyMs: call.latencyMs, inputTokens: call.inputTokens, outputTokens: call.outputTokens };
}

function fitRole(observations: readonly Observation[]): RoleTimingModel {
  return {
    latencyMs: fitLogNormal(observations.map((observation) => observation.latencyMs)),
    inputTokens: fitLine(observations.map((observation) => [observation.step - 1, observation.inputTokens] as const)),
    outputTokens: fitLogNormal(observations.map((observation) => observation.outputTokens)),
  };
}

/** Fits a log-normal by the moments of ln x. Values must be positive (a zero is read as 1 to keep the log finite). */
export function fitLogNormal(values: readonly number[]): LogNormalFit {
  const logs = values.map((value) => Math.log(Math.max(value, 1)));
  const logMean = mean(logs);
  return {
    median: Math.exp(logMean),
    sigma: standardDeviation(logs, logMean),
    mean: mean(values),
    sd: standardDeviation(values, mean(values)),
    count: values.length,
  };
}

/** Ordinary least squares of y on x. With a single distinct x the slope is 0. */
export function fitLine(points: readonly (readonly [number, number])[]): LinearFit {
  const xMean = mean(points.map(([x]) => x));
  const yMean = mean(points.map(([, y]) => y));
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - xMean) * (y - yMean);
    variance += (x - xMean) ** 2;
  }
  const slope = variance === 0 ? 0 : covariance / variance;
  const intercept = yMean - slope * xMean;
  const residuals = points.map(([x, y]) => y - (intercept + slope * x));
  return { intercept, slope, residualSd: standardDeviation(residuals, 0), count: points.length };
}

/**
 * Draws one call for 1-based `step`. Latency and output tokens are log-normal; input tokens follow the fitted line
 * plus a normal residual. Figures are scaled, then rounded to whole milliseconds and tokens (at least 1).
 * Draw order is fixed (latency, input, output) so a seed always gives the same figures.
 */
export function sampleCall(model: RoleTimingModel, step: number, random: Random, scale: CallScale = unitScale): SampledCall {
  const latencyMs = logNormal(random, model.latencyMs.median, model.latencyMs.sigma);
  const inputTokens =
    model.inputTokens.intercept + model.inputTokens.slope * (step - 1) + model.inputTokens.residualSd * normal(random);
  const outputTokens = logNormal(random, model.outputTokens.median, model.outputTokens.sigma);
  return {
    latencyMs: Math.max(1, Math.round(latencyMs * scale.latencyMs)),
    inputTokens: Math.max(1, Math.round(inputTokens * scale.inputTokens)),
    outputTokens: Math.max(1, Math.round(outputTokens * scale.outputTokens)),
  };
}

/** No scaling. */
export const unitScale: CallScale = Object.freeze({ latencyMs: 1, inputTokens: 1, outputTokens: 1 });

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Sample standard deviation (n − 1), 0 for fewer than two values. */
function standardDeviation(values: readonly number[], center: number): number {
  if (values.length < 2) return 0;
  const squares = values.reduce((sum, value) => sum + (value - center) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}
