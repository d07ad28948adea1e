/** Canonical forms of actions and the default matcher. */
import type { Action } from './types.js';

/** A stable string for an action: JSON with object keys sorted, so equal values give equal strings. */
export function canonicalAction(action: Action): string {
  return JSON.stringify(sortKeys(action));
}

function sortKeys(value: Action): Action {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: { [key: string]: Action } = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]!);
    return sorted;
  }
  return value;
}

/** Decides whether A's guess is T's action. Must be exact for the run to be lossless. */
export type ActionsMatch = (guess: Action, targetAction: Action) => boolean;

/** The default matcher: exact equality of canonical forms. */
export const exactMatch: ActionsMatch = (guess, targetAction) => {
  if (guess === targetAction) return true;
  // A string's canonical form is itself quoted: it can equal another value only if that value is the same string.
  if (typeof guess !== 'object' || typeof targetAction !== 'object') return false;
  return canonicalAction(guess) === canonicalAction(targetAction);
};
