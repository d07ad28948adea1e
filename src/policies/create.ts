/** Builds any policy from its spec, the learned `dsp` policy included. */
import { InvalidInputError } from '../errors.js';
import type { KPolicy } from './policy.js';
import { createBasicPolicy, type PolicyContext, type PolicySpec } from './registry.js';

/** Options shared by learning policies. */
export interface CreatePolicyOptions {
  seed?: number;
}

export function createPolicy(spec: PolicySpec, context: PolicyContext = {}, options: CreatePolicyOptions = {}): KPolicy {
  if (spec.kind === 'dsp') {
    void options;
    throw new InvalidInputError('the dsp policy is not available yet');
  }
  return createBasicPolicy(spec, context);
}
