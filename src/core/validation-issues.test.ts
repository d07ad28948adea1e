import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeValidationIssues, formatFieldPath } from './validation-issues.js';

describe('describeValidationIssues', () => {
  it('names the first issue’s field as in jq, then its message', () => {
    const schema = z.object({ suites: z.array(z.object({ models: z.record(z.string(), z.number()) })) });
    const parsed = schema.safeParse({ suites: [{ models: { a: 1 } }, { models: { 'gpt-4.1': 'cheap', b: 'x' } }] });
    expect(parsed.success).toBe(false);
    expect(describeValidationIssues(parsed.error!.issues)).toBe('field suites[1].models["gpt-4.1"]: Invalid input: expected number, received string');
  });

  it('says a field that is absent is missing, and what it expected there', () => {
    const schema = z.object({ models: z.record(z.string(), z.object({ inputUsdPerMTok: z.number() })) });
    const parsed = schema.safeParse({ models: { m: { input: 0.4 } } });
    expect(describeValidationIssues(parsed.error!.issues)).toBe('field models.m.inputUsdPerMTok: missing (expected number)');
    expect(describeValidationIssues([{ path: ['a'], message: 'Invalid input: expected number, received null' }])).toBe(
      'field a: Invalid input: expected number, received null',
    );
  });

  it('gives the message alone for an issue about the whole value, and says invalid without issues', () => {
    expect(describeValidationIssues([{ path: [], message: 'Invalid input: expected object, received array' }])).toBe(
      'Invalid input: expected object, received array',
    );
    expect(describeValidationIssues([])).toBe('invalid');
  });

  it('writes paths with identifiers dotted, indexes and other keys in brackets', () => {
    expect(formatFieldPath(['steps', 0, 'target', 'latencyMs'])).toBe('steps[0].target.latencyMs');
    expect(formatFieldPath([2, 'a b', '$ok', '_x1'])).toBe('[2]["a b"].$ok._x1');
  });
});
