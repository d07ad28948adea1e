/**
 * Tests that need something npm cannot install (a browser, a system font). On a developer's machine a missing
 * requirement skips them with the reason as the skip note, which the summary reporter prints; on CI (`CI` set, as
 * `.ci/run` sets it) a missing requirement fails them, so CI can never pass without running them.
 */
import type { TestContext } from 'vitest';

/** Whether the environment says this is a CI run: `CI` set to anything but empty, `0` or `false`. */
export function isCi(environment: NodeJS.ProcessEnv = process.env): boolean {
  const value = environment.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** What a test does about a requirement: run, skip with a note, or fail with an error. */
export type RequirementDecision = { kind: 'run' } | { kind: 'skip'; note: string } | { kind: 'fail'; error: Error };

/**
 * The decision for a requirement. `missing` is undefined when it is met, else why it is not and how to meet it.
 */
export function decideRequirement(missing: string | undefined, environment: NodeJS.ProcessEnv = process.env): RequirementDecision {
  if (missing === undefined) return { kind: 'run' };
  if (isCi(environment)) return { kind: 'fail', error: new Error(`${missing} (CI is set, so this fails instead of skipping)`) };
  return { kind: 'skip', note: `${missing} (skipped because CI is not set)` };
}

/** Call first in a test: returns when the requirement is met, else skips the test (no CI) or throws (CI). */
export function requireSystem(context: Pick<TestContext, 'skip'>, missing: string | undefined): void {
  const decision = decideRequirement(missing);
  if (decision.kind === 'skip') context.skip(decision.note);
  if (decision.kind === 'fail') throw decision.error;
}
