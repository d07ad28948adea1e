/**
 * OpenAI's `tool_choice` in a chat-completion request, as the replay server honours it (pure, no I/O).
 *
 * A replayed answer comes from a recording: the server cannot make up another one when the request forbids what
 * was recorded. It answers what the request allows and refuses the rest with a message that says why:
 * - `"auto"` (what the AI SDK sends by default) and an absent or `null` field allow any answer;
 * - `"none"` forbids tool calls: a recorded step that calls tools is refused;
 * - `"required"` demands tool calls: a recorded final text is refused, and so is a request that offers no `tools`;
 * - `{"type": "function", "function": {"name": "X"}}` demands calls of X: a recorded text, or a recorded call of
 *   another function, is refused, and so is a request whose `tools` do not offer X.
 * Any other value is malformed.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';

/** A request's `tool_choice`, read. */
export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

/** What a recorded step answers, as far as `tool_choice` is concerned. */
export interface RecordedStepShape {
  /** The names of the step's tool calls, in the reply's order; empty when the step is the final text. */
  toolNames: readonly string[];
  /** The step's text, when it calls no tool. */
  text: string;
}

const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const acceptedForms = '"none", "auto", "required" or {"type": "function", "function": {"name": "…"}}';

/**
 * The request's `tool_choice`, or undefined when it has none (absent or `null`). Throws `InvalidInputError`
 * (source `tool_choice`) naming the accepted forms when the value is none of them, e.g. `tool_choice: must be
 * "none", "auto", "required" or {"type": "function", "function": {"name": "…"}}, got "always"`.
 */
export function toolChoiceIn(body: { tool_choice?: unknown }): ToolChoice | undefined {
  const value = body.tool_choice;
  if (value === undefined || value === null) return undefined;
  const parsed = toolChoiceSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInputError(`must be ${acceptedForms}, got ${shown(value)}`, { source: 'tool_choice' });
  }
  return parsed.data;
}

/**
 * Why a request's `tool_choice` and the `tools` it offers cannot go together (`"required"` or a named function
 * with no such tool offered), or undefined when they can. `offered` is the names of the request's tools.
 */
export function toolChoiceRequestConflict(choice: ToolChoice, offered: readonly string[]): string | undefined {
  if (choice === 'required' && offered.length === 0) return `tool_choice "required" but the request offers no "tools"`;
  if (typeof choice === 'object' && !offered.includes(choice.function.name)) {
    const tools = offered.length === 0 ? 'the request offers no "tools"' : `the request's "tools" are ${offered.join(', ')}`;
    return `${describeToolChoice(choice)} but ${tools}`;
  }
  return undefined;
}

/**
 * Why the recorded step violates the request's `tool_choice`, or undefined when it is consistent with it, e.g.
 * `tool_choice "none" but the recorded step calls FlightSearch`.
 */
export function toolChoiceViolation(choice: ToolChoice, recorded: RecordedStepShape): string | undefined {
  const calls = recorded.toolNames;
  if (choice === 'auto') return undefined;
  if (choice === 'none') return calls.length > 0 ? `${describeToolChoice(choice)} but the recorded step calls ${calls.join(', ')}` : undefined;
  if (calls.length === 0) return `${describeToolChoice(choice)} but the recorded step is the final text ${quoted(recorded.text)}`;
  if (choice === 'required') return undefined;
  const others = calls.filter((name) => name !== choice.function.name);
  return others.length > 0 ? `${describeToolChoice(choice)} but the recorded step calls ${calls.join(', ')}` : undefined;
}

/** The names of the functions a request's `tools` offer (entries without a name are left out). */
export function offeredToolNames(body: { tools?: unknown }): string[] {
  if (!Array.isArray(body.tools)) return [];
  return body.tools.flatMap((tool: unknown) => {
    const name = (tool as { function?: { name?: unknown } } | null)?.function?.name;
    return typeof name === 'string' ? [name] : [];
  });
}

/** `tool_choice "none"`, or `tool_choice {"type":"function","function":{"name":"X"}}`. */
function describeToolChoice(choice: ToolChoice): string {
  return `tool_choice ${JSON.stringify(choice)}`;
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
