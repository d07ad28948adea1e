/**
 * How well anything the policy could see foretells whether T accepts A's guess (docs/reproduction.md, "How
 * foreseeable a wrong guess is"). For every guess of A on a true prefix in an embedded suite, each model below
 * predicts "T accepts it" having learned from the earlier tasks of the file only (progressive validation: a task's
 * guesses are scored, then learned) — the information the online policy has. The figure is the AUC: the chance that
 * a right guess scores above a wrong one (0.5 = no foresight, 1 = perfect).
 *
 * - `position`: the acceptance rate so far at the guess's step number (1 … 12+);
 * - `tools`: an online logistic regression (AdaGrad) on one-hot features that carry over to new tasks — the
 *   guess's tool, × the last and the last two tools, × the step; the step; the previous outcome; the task's rate so
 *   far (binned); the run of accepted guesses;
 * - `tools+memory`: the same and features that recognise exact situations — the guess, × the last action, × the
 *   step, the task × step, the task, plan and guess;
 * - `tools+A length`: `tools` and the length of A's answer (log₂ of its output tokens) × the guess's tool;
 * - `lookup (non-linear)`: a smoothed table of the acceptance rate of each combination of the guess's tool, the last
 *   tool, the previous outcome and the step, backing off to fewer of them where a combination is unseen — every
 *   interaction of those features, which a linear model cannot represent;
 * - `tools+done`: `tools` and what the plan has done so far — whether the guess repeats an earlier action, whether its
 *   tool was called before and how often, and the set of tools called (× the guess's tool);
 * - `tools+task words`: `tools` and each word of the task (4 letters or more) × the guess's tool, and × the guess's
 *   and the last action's tools;
 * - `tools+arguments`: `tools` and, × the guess's tool, the share of its arguments' words found in the task and the
 *   plan so far (fifths, with their count), and whether its argument is the task's text itself (TravelPlanner's
 *   Planner step is right only when A copies the query).
 *
 *   node --import tsx scripts/acceptance-predictability.ts [--suite openagi-cot]
 */
import { parseArgs } from 'node:util';
import { canonicalAction, exactMatch } from '../src/core/actions.js';
import { toolOf } from '../src/predictor/maths/features.js';
import { defaultSuiteNames, embeddedSuite } from '../src/suite/embedded-suites.js';
import type { Trace } from '../src/traces/schema.js';

const { values } = parseArgs({ options: { suite: { type: 'string', multiple: true } } });

/** One guess of A on a true prefix: its task's index, whether T accepted it, and its categorical features. */
interface Guess {
  task: number;
  accepted: boolean;
  keys: Record<string, string>;
  /** The task's words × the guess's tool (and × the last tool): several slots of one family. */
  words: string[];
}

/** The text between an action's first `[` and its last `]` (the whole action when it has none). */
function argumentsOf(action: string): string {
  const open = action.indexOf('[');
  const close = action.lastIndexOf(']');
  return open < 0 || close < open ? action : action.slice(open + 1, close);
}

/** The share of the words of a guess's arguments found in the task or the plan so far, in fifths, with their count. */
function argumentOverlap(guess: string, task: string, plan: readonly string[]): string {
  const known = new Set(`${task} ${plan.join(' ')}`.toLowerCase().match(/[a-z0-9]+/g) ?? []);
  const words = argumentsOf(guess).toLowerCase().match(/[a-z0-9]+/g) ?? [];
  if (words.length === 0) return 'none';
  const share = words.filter((word) => known.has(word)).length / words.length;
  return `${Math.min(4, Math.floor(share * 5))}|${Math.min(words.length, 8)}`;
}

function guessesOf(traces: readonly Trace[]): Guess[] {
  const guesses: Guess[] = [];
  traces.forEach((trace, task) => {
    let accepted = 0;
    let judged = 0;
    let previous = 'start';
    let streak = 0;
    const plan: string[] = [];
    trace.steps.forEach((step, index) => {
      const position = String(Math.min(index + 1, 12));
      if (step.approx !== undefined) {
        const guess = canonicalAction(step.approx.action);
        const right = exactMatch(step.approx.action, step.target.action);
        const [tool, last, beforeLast] = [toolOf(guess), plan.at(-1) ?? '^', plan.at(-2) ?? '^'];
        const rate = judged === 0 ? 'none' : String(Math.floor((3 * accepted) / judged));
        const keys: Record<string, string> = {
          position, previous, rate, streak: String(Math.min(streak, 5)), tool,
          toolLast: `${tool}|${toolOf(last)}`, toolLastTwo: `${tool}|${toolOf(last)}|${toolOf(beforeLast)}`, toolStep: `${tool}|${position}`,
          length: `${Math.round(Math.log2(1 + step.approx.outputTokens))}|${tool}`,
          guess, guessLast: `${guess}|${last}`, guessStep: `${guess}|${position}`, taskStep: `${trace.task}|${position}`,
          exact: `${trace.task}|${plan.join('>')}|${guess}`,
          lookup: `${tool}|${toolOf(last)}|${previous}|${position}`,
          repeat: `${plan.includes(guess)}|${tool}`,
          toolDone: `${tool}|${plan.some((action) => toolOf(action) === tool)}`,
          toolCount: `${tool}|${Math.min(plan.filter((action) => toolOf(action) === tool).length, 4)}`,
          done: `${tool}|${[...new Set(plan.map(toolOf))].sort().join(',')}`,
          overlap: `${tool}|${argumentOverlap(guess, trace.task, plan)}`,
          verbatim: `${tool}|${argumentsOf(guess).trim() === trace.task.trim()}`,
        };
        const words = [...new Set(trace.task.toLowerCase().match(/[a-z]{4,}/g) ?? [])];
        guesses.push({ task, accepted: right, keys, words: words.flatMap((word) => [`${word}|${tool}`, `${word}|${tool}|${toolOf(last)}`]) });
        judged += 1;
        accepted += right ? 1 : 0;
        previous = right ? 'accepted' : 'rejected';
        streak = right ? streak + 1 : 0;
      } else {
        previous = 'no guess';
        streak = 0;
      }
      plan.push(canonicalAction(step.target.action));
    });
  });
  return guesses;
}

/** A model scored progressively: `score` before the task's guesses are learned with `learn`. */
interface Model {
  score(guess: Guess): number;
  learn(guess: Guess): void;
}

function logistic(families: readonly string[], withWords = false, rate = 0.2): Model {
  const weights = new Map<string, number>();
  const squares = new Map<string, number>();
  const slots = (guess: Guess): string[] => ['bias', ...families.map((family) => `${family}=${guess.keys[family]}`), ...(withWords ? guess.words : [])];
  const score = (guess: Guess): number => slots(guess).reduce((sum, slot) => sum + (weights.get(slot) ?? 0), 0);
  return {
    score,
    learn(guess) {
      const gradient = 1 / (1 + Math.exp(-score(guess))) - (guess.accepted ? 1 : 0);
      for (const slot of slots(guess)) {
        const square = (squares.get(slot) ?? 0) + gradient * gradient;
        squares.set(slot, square);
        weights.set(slot, (weights.get(slot) ?? 0) - (rate * gradient) / Math.sqrt(square));
      }
    },
  };
}

/** Smoothed acceptance rates of the key's prefixes ('|'-separated), the longest seen one first. */
function lookup(family: string, prior = 2): Model {
  const counts = new Map<string, { accepted: number; seen: number }>();
  const prefixes = (key: string): string[] => key.split('|').map((_, index, parts) => parts.slice(0, index + 1).join('|'));
  return {
    score(guess) {
      let estimate = 0.5;
      for (const prefix of prefixes(guess.keys[family]!)) {
        const count = counts.get(prefix);
        if (count === undefined) break;
        estimate = (count.accepted + prior * estimate) / (count.seen + prior);
      }
      return estimate;
    },
    learn(guess) {
      for (const prefix of prefixes(guess.keys[family]!)) {
        const count = counts.get(prefix) ?? { accepted: 0, seen: 0 };
        counts.set(prefix, { accepted: count.accepted + (guess.accepted ? 1 : 0), seen: count.seen + 1 });
      }
    },
  };
}

/** P(a right guess scores above a wrong one), ties counted half. */
function auc(scores: readonly number[], accepted: readonly boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((right, i) => {
    if (!accepted[i]) return;
    scores.forEach((wrong, j) => {
      if (accepted[j]) return;
      pairs += 1;
      wins += right > wrong ? 1 : right === wrong ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

function progressiveAuc(guesses: readonly Guess[], model: Model): number {
  const scores: number[] = [];
  const tasks = [...new Set(guesses.map((guess) => guess.task))];
  for (const task of tasks) {
    const batch = guesses.filter((guess) => guess.task === task);
    for (const guess of batch) scores.push(model.score(guess));
    for (const guess of batch) model.learn(guess);
  }
  return auc(scores, guesses.map((guess) => guess.accepted));
}

const general = ['tool', 'toolLast', 'toolLastTwo', 'toolStep', 'position', 'previous', 'rate', 'streak'];
const models: ReadonlyArray<[string, () => Model]> = [
  ['position', () => lookup('position')],
  ['tools', () => logistic(general)],
  ['tools+memory', () => logistic([...general, 'guess', 'guessLast', 'guessStep', 'taskStep', 'exact'])],
  ['tools+A length', () => logistic([...general, 'length'])],
  ['lookup (non-linear)', () => lookup('lookup')],
  ['tools+done', () => logistic([...general, 'repeat', 'toolDone', 'toolCount', 'done'])],
  ['tools+task words', () => logistic(general, true)],
  ['tools+arguments', () => logistic([...general, 'overlap', 'verbatim'])],
];
process.stdout.write(`${'suite'.padEnd(20)} ${'guesses'.padStart(7)} ${'right'.padStart(6)} ${models.map(([name]) => name.padStart(20)).join('')}\n`);
for (const name of values.suite ?? defaultSuiteNames) {
  const guesses = guessesOf(embeddedSuite(name, 1).traces);
  const right = guesses.filter((guess) => guess.accepted).length / guesses.length;
  const figures = models.map(([, make]) => progressiveAuc(guesses, make()).toFixed(3).padStart(20));
  process.stdout.write(`${name.padEnd(20)} ${String(guesses.length).padStart(7)} ${`${(right * 100).toFixed(0)}%`.padStart(6)} ${figures.join('')}\n`);
}
