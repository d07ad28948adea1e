/**
 * Library functions name the argument that was wrong, never a command-line option: only the CLI knows its flags
 * and passes them (`--policies: unknown policy …`, see src/cli/main.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { strategyByName } from '../src/agents/strategies.js';
import { isInvalidInputError } from '../src/core/errors.js';
import { parseTaskSelection, selectStandardTasks } from '../src/envs/openagi/tasks.js';
import { parsePolicyList, parsePolicySpec } from '../src/policies/registry.js';
import { parseDspOptions } from '../src/index.js';
import { createLanguageModel, parseModelSpec } from '../src/providers/providers.js';
import { sweepPolicies } from '../src/report/sweep.js';
import { checkLoopbackHost, startReplayServer } from '../src/server/replay-server.js';
import { validatePolicySpecs } from '../src/suite/create-policy.js';
import { embeddedSuite, selectSuites } from '../src/suite/embedded-suites.js';

async function messageOf(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (error) {
    expect(isInvalidInputError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidInputError');
}

describe('a library call with no source', () => {
  it("names the argument, not a flag", async () => {
    const messages = {
      policySpec: await messageOf(() => parsePolicySpec('greedy')),
      policyList: await messageOf(() => parsePolicyList(' , ')),
      dspOptions: await messageOf(() => parseDspOptions({ gamma: 1 })),
      validate: await messageOf(() => validatePolicySpecs(parsePolicyList('dsp:gamma=1'))),
      modelSpec: await messageOf(() => parseModelSpec('gpt-4.1')),
      createModel: await messageOf(() => createLanguageModel('acme:big', { env: {} })),
      strategy: await messageOf(() => strategyByName('tree-of-thought')),
      taskSelection: await messageOf(() => parseTaskSelection('5-2')),
      standardTasks: await messageOf(() => selectStandardTasks('999')),
      suite: await messageOf(() => embeddedSuite('nope', 1)),
      suites: await messageOf(() => selectSuites({ suite: ['nope'] }, 1)),
      grid: await messageOf(() => sweepPolicies({ tau: [2], beta: [0], fixed: [] })),
      host: await messageOf(() => checkLoopbackHost('0.0.0.0')),
      server: await messageOf(() => startReplayServer({ traces: [], speed: 0 })),
    };
    expect(Object.fromEntries(Object.entries(messages).map(([call, message]) => [call, message.split(':')[0]]))).toEqual({
      policySpec: 'policy spec',
      policyList: 'policy list',
      dspOptions: 'dsp options',
      validate: 'policy spec',
      modelSpec: 'model spec',
      createModel: 'model spec',
      strategy: 'strategy name',
      taskSelection: 'task selection',
      standardTasks: 'task selection',
      suite: 'suite name',
      suites: 'suite name',
      grid: 'grid.tau',
      host: 'host',
      server: 'speed',
    });
    for (const message of Object.values(messages)) expect(message).not.toMatch(/(^|\W)--\w/);
  });

  it('names the source it is given instead', async () => {
    expect(await messageOf(() => parsePolicySpec('greedy', '--policy'))).toMatch(/^--policy: unknown policy "greedy"/);
    expect(await messageOf(() => createLanguageModel('acme:big', { env: {}, source: '--target' }))).toMatch(/^--target: unknown provider/);
    expect(await messageOf(() => selectSuites({ suite: ['nope'] }, 1, '--suite'))).toMatch(/^--suite: unknown suite "nope"/);
  });
});
