/**
 * Environments: what executes an agent's actions (tool calls) and returns observations, and the task state the
 * tools read and write. Pure planning (OpenAGI) has no environment: its steps are actions with no observation.
 * See docs/tools.md for the effect classes and the rule the engine enforces for each.
 */
import type { EffectClass } from './types.js';

export type { EffectClass, Environment, ExecuteOptions, StateStore, Step, ToolModelUsage, ToolRecord, ToolStatus } from './types.js';

/** The effect classes, strictest last. */
export const effectClasses: readonly EffectClass[] = ['pure', 'sandboxed', 'irreversible'];
