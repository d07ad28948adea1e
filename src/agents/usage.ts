/**
 * Arithmetic on `Usage` values, where an undefined field means unknown (never zero).
 */
import type { Usage } from '../core/types.js';

type CountField = 'inputTokens' | 'outputTokens' | 'reasoningTokens' | 'cachedInputTokens';
const countFields: readonly CountField[] = ['inputTokens', 'outputTokens', 'reasoningTokens', 'cachedInputTokens'];

/**
 * The usage of several calls together. A count is known only when it is known for every call (a sum with an
 * unknown part is unknown); the result is estimated when any part is. The sum of no calls is empty (all unknown).
 */
export function sumUsage(usages: readonly Usage[]): Usage {
  const total: Usage = {};
  if (usages.length === 0) return total;
  for (const field of countFields) {
    let sum = 0;
    let known = true;
    for (const usage of usages) {
      const value = usage[field];
      if (value === undefined) {
        known = false;
        break;
      }
      sum += value;
    }
    if (known) total[field] = sum;
  }
  if (usages.some((usage) => usage.estimated === true)) total.estimated = true;
  return total;
}

/** A copy of `usage` without undefined fields, so that `{}` means "all unknown" and JSON stays small. */
export function compactUsage(usage: Usage): Usage {
  const compact: Usage = {};
  for (const field of countFields) {
    const value = usage[field];
    if (value !== undefined) compact[field] = value;
  }
  if (usage.estimated === true) compact.estimated = true;
  return compact;
}
