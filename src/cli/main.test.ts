/** The exit code of every kind of error. */
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ModelCallError, NoActionError } from '../agents/errors.js';
import { CorruptStateError, InvalidInputError, SpeculationCancelledError, TargetCallError } from '../core/errors.js';
import { MissingApiKeyError } from '../providers/providers.js';
import { ReplayLookupError } from '../server/replay-answers.js';
import { RunInterruptedError } from './commands/run.js';
import { exitCodeOf } from './main.js';

describe('the exit code of an error', () => {
  it('is the one the error class carries: 2 bad input, 1 failure, 130 interrupted', () => {
    const codes = [
      new InvalidInputError('bad', { source: '--policies' }),
      new CorruptStateError('state.json', 'damaged'),
      new MissingApiKeyError({ provider: 'openai', variable: 'OPENAI_API_KEY', spec: 'openai:gpt-4.1' }),
      new RunInterruptedError(),
      new TargetCallError({ taskId: 't', step: 1, cause: new Error('down') }),
      new SpeculationCancelledError({ round: 0, lastCommittedStep: 0, why: 'round-ended' }),
      new ModelCallError({ model: 'm', message: 'HTTP 500' }),
      new NoActionError({ reply: 'hm', reason: 'no tag' }),
      new ReplayLookupError('no trace'),
      new Error('a bug'),
      'a string thrown',
    ].map((error) => [error instanceof Error ? error.name : typeof error, exitCodeOf(error)]);
    expect(codes).toEqual([
      ['InvalidInputError', 2],
      ['CorruptStateError', 2],
      ['MissingApiKeyError', 2],
      ['RunInterruptedError', 130],
      ['TargetCallError', 1],
      ['SpeculationCancelledError', 1],
      ['ModelCallError', 1],
      ['NoActionError', 1],
      ['ReplayLookupError', 1],
      ['Error', 1],
      ['string', 1],
    ]);
  });

  it('is read from an error of another copy of the package, by its marker', () => {
    const foreign = Object.assign(new Error('from another copy'), { [Symbol.for('dsp-agent.error')]: true, exitCode: 2 });
    expect(exitCodeOf(foreign)).toBe(2);
    expect(exitCodeOf(Object.assign(new Error('no marker'), { exitCode: 2 }))).toBe(1);
  });

  it('is 2 for a usage error and 0 after --help', () => {
    expect(exitCodeOf(new CommanderError(1, 'commander.unknownOption', 'unknown option'))).toBe(2);
    expect(exitCodeOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
  });
});
