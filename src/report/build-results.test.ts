import { describe, expect, it } from 'vitest';
import { featuredPolicy } from './build-results.js';
import type { PolicyKind } from './results-schema.js';

const policy = (name: string): { name: string; kind: PolicyKind } => ({
  name,
  kind: (name.split(':')[0] ?? name) as PolicyKind,
});

describe('featuredPolicy', () => {
  it('prefers the learned policy with default settings', () => {
    expect(featuredPolicy(['sequential', 'fixed:2', 'dsp:tau=0.9,beta=1', 'dsp', 'additive'].map(policy), ['fixed:2'])).toBe('dsp');
  });

  it('else the middle one of the learned settings on the frontier, which is listed fastest first', () => {
    const names = ['sequential', 'dsp:tau=0.1,beta=0', 'dsp:tau=0.5,beta=0', 'dsp:tau=0.9,beta=2', 'dsp:tau=0.9,beta=0'];
    expect(featuredPolicy(names.map(policy), ['dsp:tau=0.9,beta=2', 'dsp:tau=0.5,beta=0', 'dsp:tau=0.1,beta=0', 'sequential'])).toBe('dsp:tau=0.5,beta=0');
    expect(featuredPolicy(names.map(policy), ['sequential'])).toBe('dsp:tau=0.1,beta=0');
  });

  it('falls back to additive, then fixed, then the oracle and sequential', () => {
    expect(featuredPolicy(['sequential', 'fixed:2', 'additive', 'oracle'].map(policy), [])).toBe('additive');
    expect(featuredPolicy(['sequential', 'fixed:2', 'fixed:4', 'fixed:6', 'oracle'].map(policy), ['fixed:6', 'fixed:4', 'fixed:2', 'sequential'])).toBe('fixed:4');
    expect(featuredPolicy(['sequential', 'oracle'].map(policy), ['sequential'])).toBe('oracle');
    expect(featuredPolicy([], [])).toBeNull();
  });
});
