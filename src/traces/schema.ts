/**
 * The `dsp-trace/1` format (spec §6): JSON Lines, one task per line. Field names are fixed so that other tools can
 * exchange traces; more fields may be added and are kept.
 */
import { z } from 'zod';
import { maxCallLatencyMs, maxCallTokens } from '../ledger/bounds.js';

/**
 * The execution of a call's action by a tool (docs/tools.md), on the step's true prefix. Absent when the action
 * calls no tool, and on every step of a trace of pure planning.
 */
export const traceToolSchema = z.looseObject({
  /** The tool's effect class: whether the engine may run it on a guess. */
  effect: z.enum(['pure', 'sandboxed', 'irreversible']),
  /** How long the execution took, in milliseconds. Absent when it never ran (an irreversible guess T did not make). */
  latencyMs: z.number().nonnegative().max(maxCallLatencyMs).optional(),
  /** The observation it returned, as text (optional: replay does not need it). */
  observation: z.string().optional(),
  /**
   * The model the execution called, when it made model requests (TravelPlanner's Planner writes the plan with one),
   * e.g. `openai:gpt-4.1`; replay bills `inputTokens` and `outputTokens` at its price.
   */
  model: z.string().min(1).optional(),
  /** The prompt tokens of its model requests, all attempts summed: at most 10⁹. */
  inputTokens: z.number().int().nonnegative().max(maxCallTokens).optional(),
  /** The generated tokens of its model requests, all attempts summed: at most 10⁹. */
  outputTokens: z.number().int().nonnegative().max(maxCallTokens).optional(),
});

/** One agent's call at one step, on the true prefix. Bounded so that every figure computed from it stays finite. */
export const traceCallSchema = z.looseObject({
  /** The action the agent returned. */
  action: z.json(),
  /** How long the call took, in milliseconds: at most 24 hours. */
  latencyMs: z.number().nonnegative().max(maxCallLatencyMs),
  /** Prompt tokens (all sub-calls of a strategy summed): at most 10⁹. */
  inputTokens: z.number().int().nonnegative().max(maxCallTokens),
  /** Generated tokens (all sub-calls summed): at most 10⁹. */
  outputTokens: z.number().int().nonnegative().max(maxCallTokens),
  /** How executing the action went, when it calls a tool. */
  tool: traceToolSchema.optional(),
  /**
   * The agent's probability, in [0, 1], that this is the action it meant (from its tokens' log-probabilities), when
   * the provider gave them. Optional; replay hands A's to the policy with its guess.
   */
  confidence: z.number().min(0).max(1).optional(),
});

/** One committed step: T's action and A's guess, both on the same true prefix. */
export const traceStepSchema = z.looseObject({
  target: traceCallSchema,
  /** Absent when no guess was recorded for this step. */
  approx: traceCallSchema.optional(),
});

export const traceSchema = z.looseObject({
  format: z.literal('dsp-trace/1'),
  id: z.string().min(1),
  suite: z.string().min(1),
  task: z.string(),
  timing: z.enum(['measured', 'modelled', 'synthetic']),
  models: z.looseObject({ approx: z.string().min(1), target: z.string().min(1) }),
  steps: z.array(traceStepSchema).min(1),
  /**
   * Whether the plan ended by a terminal action (the last step's `target.action`). Default true. When false,
   * the plan was cut at its last step (e.g. a step limit) and that step's action is not terminal.
   */
  terminal: z.boolean().optional(),
});

export type TraceTool = z.infer<typeof traceToolSchema>;
export type TraceCall = z.infer<typeof traceCallSchema>;
export type TraceStep = z.infer<typeof traceStepSchema>;
export type Trace = z.infer<typeof traceSchema>;
