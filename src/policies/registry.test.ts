import { describe, expect, it } from 'vitest';
import { createBasicPolicy, parsePolicyList, parsePolicySpec } from './registry.js';
import { additivePolicy, fixedPolicy } from './basic.js';
import type { RoundRecord } from '../core/types.js';
import type { RoundState } from '../core/policy.js';

describe('policy specs', () => {
  it('parses every kind and keeps dsp options together in a list', () => {
    expect(parsePolicyList('sequential, fixed:2,additive,oracle,dsp:tau=0.7,beta=1,fixed:6').map((spec) => spec.name)).toEqual([
      'sequential',
      'fixed:2',
      'additive',
      'oracle',
      'dsp:tau=0.7,beta=1',
      'fixed:6',
    ]);
    expect(parsePolicySpec('dsp:tau=0.7,beta=-1')).toEqual({ kind: 'dsp', name: 'dsp:tau=0.7,beta=-1', options: { tau: 0.7, beta: -1 } });
  });

  it('rejects unknown policies listing the valid ones, and k < 1', () => {
    expect(() => parsePolicySpec('greedy')).toThrow(/unknown policy "greedy"; valid policies: sequential, fixed:K, additive, oracle/);
    expect(() => parsePolicySpec('fixed:0')).toThrow(/whole number ≥ 1/);
    expect(() => parsePolicySpec('fixed:-3')).toThrow(/whole number ≥ 1/);
    expect(() => parsePolicySpec('fixed:2.5')).toThrow(/whole number ≥ 1/);
    expect(() => parsePolicySpec('dsp:tau')).toThrow(/key=number/);
    expect(() => parsePolicyList(' , ')).toThrow(/no policy given/);
  });

  it('refuses a dsp option given twice, and a value that is not a plain number, naming the option', () => {
    expect(() => parsePolicySpec('dsp:tau=0.5,tau=0.7', '--policies')).toThrow('--policies: "dsp:tau=0.5,tau=0.7": dsp option tau is given twice; give it once');
    expect(() => parsePolicySpec('dsp:tau=0x1')).toThrow('policy spec: "dsp:tau=0x1": dsp option tau=0x1: expected a decimal number, e.g. dsp:tau=0.7,beta=1');
    expect(() => parsePolicySpec('dsp:beta= ')).toThrow(/dsp option beta=: expected a decimal number/);
    expect(() => parsePolicySpec('dsp:tau=NaN')).toThrow(/dsp option tau=NaN: expected a decimal number/);
    expect(() => parsePolicySpec('dsp:value=')).toThrow(/dsp option value=: expected a decimal number/);
    expect(() => parsePolicySpec('dsp:prior=mine')).toThrow(/dsp option prior=mine: expected one of none, builtin/);
    expect(parsePolicySpec('dsp:tau=.5,beta=-1,lr=1e-3,prior=builtin')).toMatchObject({ options: { tau: 0.5, beta: -1, lr: 0.001, prior: 1 } });
  });
});

describe('basic policies', () => {
  it('builds fixed:K for a whole K ≥ 0 only', () => {
    expect(fixedPolicy(0).chooseK({ task: { id: 't', text: 't' }, committed: [], roundIndex: 0, previousRounds: [], kMax: 8, remainingSteps: 5 })).toBe(0);
    expect(() => fixedPolicy(1.5)).toThrow('fixedPolicy takes a whole number k ≥ 0, got 1.5');
    expect(() => fixedPolicy(-1)).toThrow('fixedPolicy takes a whole number k ≥ 0, got -1');
  });

  it('refuses to build dsp, naming the builders that can', () => {
    expect(() => createBasicPolicy(parsePolicySpec('dsp'))).toThrow(/build it with createPolicy or createDspPolicy \(replaySuite and runBench: buildPolicy: createPolicy\)/);
  });
});

describe('additive policy', () => {
  it('grows by 2 after a fully confirmed round and shrinks by 1 after a break, from 2 per task', () => {
    const policy = additivePolicy();
    const state = { kMax: 8 } as RoundState;
    const round = (k: number, end: RoundRecord['end']) => ({ k, end }) as RoundRecord;
    expect(policy.chooseK(state)).toBe(2);
    policy.observeRound!(round(2, 'exhausted'), state);
    expect(policy.chooseK(state)).toBe(4);
    policy.observeRound!(round(4, 'mismatch'), state);
    expect(policy.chooseK(state)).toBe(3);
    policy.observeRound!(round(1, 'mismatch'), state);
    expect(policy.chooseK(state)).toBe(1);
    policy.taskStarted!({ id: 'next', text: '' });
    expect(policy.chooseK(state)).toBe(2);
  });
});
