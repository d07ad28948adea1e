import { describe, expect, it } from 'vitest';
import { decideRequirement, isCi } from './system-requirement.js';

describe('tests that need a system package', () => {
  it('run when the requirement is met, with or without CI', () => {
    expect(decideRequirement(undefined, {})).toEqual({ kind: 'run' });
    expect(decideRequirement(undefined, { CI: 'true' })).toEqual({ kind: 'run' });
  });

  it('skip with the reason when it is missing and CI is not set', () => {
    for (const environment of [{}, { CI: '' }, { CI: 'false' }, { CI: '0' }]) {
      expect(decideRequirement('no browser at /nowhere', environment)).toEqual({
        kind: 'skip',
        note: 'no browser at /nowhere (skipped because CI is not set)',
      });
    }
  });

  it('fail with the reason when it is missing and CI is set', () => {
    for (const value of ['true', '1', 'yes']) {
      const decision = decideRequirement('no browser at /nowhere', { CI: value });
      expect(decision.kind).toBe('fail');
      expect(decision.kind === 'fail' && decision.error.message).toContain('no browser at /nowhere');
    }
    expect(isCi({ CI: 'TRUE' })).toBe(true);
    expect(isCi({ CI: 'False' })).toBe(false);
  });
});
