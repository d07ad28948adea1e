import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../core/types.js';
import { callKinds, parseLineValue, parsePromptHeader, renderLineValue, renderPrompt, renderPromptHeader } from './prompt-format.js';

const task = 'Given blurry grayscale image, how to return the regular image step by step?';

describe('prompt format', () => {
  it('writes the documented header', () => {
    expect(renderPromptHeader({ kind: 'react-action', task, prefix: ['Image Deblurring', 'Colorization'] })).toBe(
      [`Call: react-action`, `Task: ${task}`, 'Plan so far:', '1. Image Deblurring', '2. Colorization', 'Step: 3'].join('\n'),
    );
    expect(renderPromptHeader({ kind: 'direct', task, prefix: [] })).toBe(
      `Call: direct\nTask: ${task}\nPlan so far: (empty)\nStep: 1`,
    );
  });

  it('reads back the header of every call kind, ignoring the body', () => {
    for (const kind of callKinds) {
      const prompt = renderPrompt({ kind, task, prefix: ['Image Deblurring'] }, 'Thought: Step: 9\nCall: direct');
      expect(parsePromptHeader(prompt)).toEqual({ kind, task, prefix: ['Image Deblurring'] });
    }
  });

  it('round-trips any task text and any JSON actions exactly', () => {
    const action: fc.Arbitrary<Action> = fc.oneof(
      fc.string(),
      fc.constantFrom('123', 'true', 'null', '"quoted"', ' padded ', 'two\nlines', '{"a":1}'),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
    );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((text) => text.trim() !== '' || text.includes('\n')),
        fc.array(action, { maxLength: 5 }),
        fc.constantFrom(...callKinds),
        (taskText, prefix, kind) => {
          const header = parsePromptHeader(renderPrompt({ kind, task: taskText, prefix }, 'body'));
          expect(header).toEqual({ kind, task: taskText, prefix });
        },
      ),
    );
  });

  it('writes plain one-line strings as they are and everything else as JSON', () => {
    expect(renderLineValue('Image Deblurring')).toBe('Image Deblurring');
    expect(renderLineValue('42')).toBe('"42"');
    expect(renderLineValue(42)).toBe('42');
    expect(renderLineValue('a\nb')).toBe('"a\\nb"');
    expect(parseLineValue('"42"')).toBe('42');
    expect(parseLineValue('Image Deblurring')).toBe('Image Deblurring');
  });

  it('says which line is wrong in a prompt that is not in the format', () => {
    expect(() => parsePromptHeader('Hello there')).toThrow(/line 1 should start with "Call:"/);
    expect(() => parsePromptHeader('Call: guess\nTask: x')).toThrow(/unknown call "guess"; valid calls: direct, cot/);
    expect(() => parsePromptHeader(`Call: direct\nTask: ${task}\nPlan so far:\n2. A\nStep: 2`)).toThrow(/plan line 2 is out of order/);
    expect(() => parsePromptHeader(`Call: direct\nTask: ${task}\nPlan so far:\n1. A\nStep: 1`)).toThrow(
      /"Step: 1" does not follow a plan of 1 step/,
    );
    expect(() => parsePromptHeader(`Call: direct\nTask: ${task}\nPlan so far: (empty)`)).toThrow(/should start with "Step:"/);
  });
});
