/** Headline figures of a set of traces: what the build script and `dsp import` print. */
import { exactMatch } from '../../core/actions.js';
import type { Trace } from '../schema.js';

/** Sizes and A's acceptance rate of a suite. */
export interface SuiteSummary {
  tasks: number;
  /** Committed steps over all tasks. */
  steps: number;
  /** Steps with a recorded guess of A. */
  guessedSteps: number;
  /** Guesses equal to T's action. */
  acceptedSteps: number;
  /** `acceptedSteps / guessedSteps` (0 when nothing was guessed). */
  acceptanceRate: number;
  /** Tasks whose plan ends with a terminal action. */
  terminalTasks: number;
}

/** Counts tasks, steps and A's accepted guesses (exact match, as in a lossless replay). */
export function summarizeTraces(traces: readonly Trace[]): SuiteSummary {
  let steps = 0;
  let guessedSteps = 0;
  let acceptedSteps = 0;
  let terminalTasks = 0;
  for (const trace of traces) {
    steps += trace.steps.length;
    if (trace.terminal !== false) terminalTasks += 1;
    for (const step of trace.steps) {
      if (step.approx === undefined) continue;
      guessedSteps += 1;
      if (exactMatch(step.approx.action, step.target.action)) acceptedSteps += 1;
    }
  }
  return {
    tasks: traces.length,
    steps,
    guessedSteps,
    acceptedSteps,
    acceptanceRate: guessedSteps === 0 ? 0 : acceptedSteps / guessedSteps,
    terminalTasks,
  };
}

/** One line, e.g. `25 tasks, 197 steps, A accepted 114/197 guesses (57.9%)`. */
export function formatSummary(summary: SuiteSummary): string {
  const rate = (summary.acceptanceRate * 100).toFixed(1);
  return `${summary.tasks} tasks, ${summary.steps} steps, A accepted ${summary.acceptedSteps}/${summary.guessedSteps} guesses (${rate}%)`;
}
