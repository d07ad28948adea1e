/**
 * Our prompt format (`dsp-prompt/1`): the header of every user message our strategies send, which the replay
 * server (`dsp serve`) parses to find the recorded step to answer with. The header is plain text that a model
 * reads as naturally as a program does:
 *
 * ```text
 * Call: react-action
 * Task: Given blurry grayscale image, how to return the regular image step by step?
 * Plan so far:
 * 1. Image Deblurring
 * 2. Colorization
 * Step: 3
 *
 * (free text for the model: the strategy's instructions, a thought, debate turns…)
 * ```
 *
 * Rules:
 * - The header is the message's first lines, up to the first empty line (or the end of the message).
 * - `Call:` names the sub-call of the strategy (`direct`, `cot`, `react-thought`, `react-action`,
 *   `debate-1a`, `debate-1b`, `debate-2a`, `debate-2b`, `debate-final`).
 * - `Task:` is the task text on one line.
 * - `Plan so far:` is followed either by ` (empty)` on the same line, or by one line per action numbered
 *   `1.`, `2.`, … in order (the prefix the call is conditioned on).
 * - `Step:` is the 1-based step being planned: the number of plan lines + 1.
 * - A value (task or action) is written as is when it is a one-line string that is not itself valid JSON;
 *   otherwise it is written as JSON (`"123"`, `{"tool": "x"}`, `"two\nlines"`), so every value reads back exactly.
 */
import { InvalidInputError } from '../core/errors.js';
import type { Action } from '../core/types.js';

/** The name and version of this format. */
export const promptFormat = 'dsp-prompt/1';

/** Every sub-call a strategy makes, as written on the `Call:` line. */
export const callKinds = [
  'direct',
  'cot',
  'react-thought',
  'react-action',
  'debate-1a',
  'debate-1b',
  'debate-2a',
  'debate-2b',
  'debate-final',
] as const;

/** One sub-call of a planning strategy. */
export type CallKind = (typeof callKinds)[number];

/** What the header of a prompt says. */
export interface PromptHeader {
  kind: CallKind;
  /** The task text. */
  task: string;
  /** The plan the call is conditioned on. */
  prefix: readonly Action[];
}

/** The header lines of a prompt (no trailing empty line). */
export function renderPromptHeader(header: PromptHeader): string {
  const lines = [`Call: ${header.kind}`, `Task: ${renderLineValue(header.task)}`];
  if (header.prefix.length === 0) {
    lines.push('Plan so far: (empty)');
  } else {
    lines.push('Plan so far:');
    header.prefix.forEach((action, index) => lines.push(`${index + 1}. ${renderLineValue(action)}`));
  }
  lines.push(`Step: ${header.prefix.length + 1}`);
  return lines.join('\n');
}

/** A whole user message: the header, an empty line, then the body. */
export function renderPrompt(header: PromptHeader, body: string): string {
  return `${renderPromptHeader(header)}\n\n${body}`;
}

/**
 * Reads the header of a prompt in our format. Throws `InvalidInputError` saying which line is missing or wrong,
 * so that a client that does not speak the format gets a clear answer.
 */
export function parsePromptHeader(text: string, source = 'prompt'): PromptHeader {
  const allLines = text.replace(/\r\n/g, '\n').split('\n');
  const end = allLines.findIndex((line) => line.trim() === '');
  const lines = end === -1 ? allLines : allLines.slice(0, end);
  let index = 0;
  const fail = (message: string): never => {
    throw new InvalidInputError(`${message} (expected the ${promptFormat} header: "Call: …", "Task: …", "Plan so far: …", "Step: N")`, {
      source,
    });
  };
  const field = (name: string): string => {
    const line = lines[index];
    if (line === undefined || !line.startsWith(`${name}:`)) fail(`line ${index + 1} should start with "${name}:"`);
    index += 1;
    return line!.slice(name.length + 1).trim();
  };

  const kindText = field('Call');
  if (!(callKinds as readonly string[]).includes(kindText)) {
    fail(`unknown call "${kindText}"; valid calls: ${callKinds.join(', ')}`);
  }
  const task = parseLineValue(field('Task'));
  if (typeof task !== 'string' || task === '') fail('the task must be a non-empty text');

  const planRest = field('Plan so far');
  const prefix: Action[] = [];
  if (planRest === '(empty)') {
    // No plan lines follow.
  } else if (planRest === '') {
    for (;;) {
      const match = /^(\d+)\. (.*)$/.exec(lines[index] ?? '');
      if (match === null) break;
      if (Number(match[1]) !== prefix.length + 1) fail(`plan line ${match[1]} is out of order`);
      prefix.push(parseLineValue(match[2]!));
      index += 1;
    }
    if (prefix.length === 0) fail('"Plan so far:" must be followed by " (empty)" or numbered lines');
  } else {
    fail('"Plan so far:" must be followed by " (empty)" or numbered lines');
  }

  const stepText = field('Step');
  if (Number(stepText) !== prefix.length + 1) {
    fail(`"Step: ${stepText}" does not follow a plan of ${prefix.length} step(s)`);
  }
  return { kind: kindText as CallKind, task: task as string, prefix };
}

/** Writes a value on one line so that `parseLineValue` gives it back exactly. */
export function renderLineValue(value: Action): string {
  if (typeof value === 'string' && !/[\r\n]/.test(value) && value.trim() === value && !isJson(value)) return value;
  return JSON.stringify(value);
}

/** Reads a value written by `renderLineValue`. */
export function parseLineValue(text: string): Action {
  try {
    return JSON.parse(text) as Action;
  } catch {
    return text;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
