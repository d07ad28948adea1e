import { describe, expect, it } from 'vitest';
import { offeredToolNames, toolChoiceIn, toolChoiceRequestConflict, toolChoiceViolation } from './tool-choice.js';

const forms = '"none", "auto", "required" or {"type": "function", "function": {"name": "…"}}';
const calls = (...toolNames: string[]) => ({ toolNames, text: '' });
const text = (value: string) => ({ toolNames: [], text: value });
const named = (name: string) => ({ type: 'function' as const, function: { name } });

describe('toolChoiceIn', () => {
  it('reads the four forms OpenAI accepts, and nothing when the field is absent or null', () => {
    expect(toolChoiceIn({})).toBeUndefined();
    expect(toolChoiceIn({ tool_choice: null })).toBeUndefined();
    expect(toolChoiceIn({ tool_choice: 'none' })).toBe('none');
    expect(toolChoiceIn({ tool_choice: 'auto' })).toBe('auto');
    expect(toolChoiceIn({ tool_choice: 'required' })).toBe('required');
    expect(toolChoiceIn({ tool_choice: { type: 'function', function: { name: 'weather' } } })).toEqual(named('weather'));
  });

  it.each([
    ['always', '"always"'],
    [42, '42'],
    [true, 'true'],
    [{ type: 'function' }, '{"type":"function"}'],
    [{ type: 'function', function: { name: '' } }, '{"type":"function","function":{"name":""}}'],
    [{ type: 'tool', function: { name: 'weather' } }, '{"type":"tool","function":{"name":"weather"}}'],
    [['none'], '["none"]'],
  ])('rejects %j, naming the field and the accepted forms', (value, shown) => {
    expect(() => toolChoiceIn({ tool_choice: value })).toThrow(`tool_choice: must be ${forms}, got ${shown}`);
  });
});

describe('toolChoiceViolation', () => {
  it('accepts every recorded step under "auto"', () => {
    expect(toolChoiceViolation('auto', calls('weather'))).toBeUndefined();
    expect(toolChoiceViolation('auto', text('Done.'))).toBeUndefined();
  });

  it('refuses recorded tool calls under "none", naming them, and accepts a recorded text', () => {
    expect(toolChoiceViolation('none', calls('FlightSearch'))).toBe('tool_choice "none" but the recorded step calls FlightSearch');
    expect(toolChoiceViolation('none', calls('weather', 'notes'))).toBe('tool_choice "none" but the recorded step calls weather, notes');
    expect(toolChoiceViolation('none', text('Done.'))).toBeUndefined();
  });

  it('refuses a recorded final text under "required", quoting it, and accepts recorded calls', () => {
    expect(toolChoiceViolation('required', text('Noted: saved'))).toBe('tool_choice "required" but the recorded step is the final text "Noted: saved"');
    expect(toolChoiceViolation('required', text('x'.repeat(100)))).toBe(
      `tool_choice "required" but the recorded step is the final text "${'x'.repeat(80)}…"`,
    );
    expect(toolChoiceViolation('required', calls('weather'))).toBeUndefined();
  });

  it('under a named function, accepts calls of it alone and refuses a text or a call of another function', () => {
    const choice = named('weather');
    const shown = 'tool_choice {"type":"function","function":{"name":"weather"}}';
    expect(toolChoiceViolation(choice, calls('weather'))).toBeUndefined();
    expect(toolChoiceViolation(choice, calls('weather', 'weather'))).toBeUndefined();
    expect(toolChoiceViolation(choice, calls('notes'))).toBe(`${shown} but the recorded step calls notes`);
    expect(toolChoiceViolation(choice, calls('weather', 'notes'))).toBe(`${shown} but the recorded step calls weather, notes`);
    expect(toolChoiceViolation(choice, text('Done.'))).toBe(`${shown} but the recorded step is the final text "Done."`);
  });
});

describe('toolChoiceRequestConflict', () => {
  it('refuses "required" with no tools and a named function the tools do not offer', () => {
    expect(toolChoiceRequestConflict('required', [])).toBe('tool_choice "required" but the request offers no "tools"');
    expect(toolChoiceRequestConflict(named('send'), ['weather', 'notes'])).toBe(
      `tool_choice {"type":"function","function":{"name":"send"}} but the request's "tools" are weather, notes`,
    );
    expect(toolChoiceRequestConflict(named('send'), [])).toBe(
      'tool_choice {"type":"function","function":{"name":"send"}} but the request offers no "tools"',
    );
  });

  it('accepts "none" and "auto" with or without tools, "required" with tools, and a function that is offered', () => {
    expect(toolChoiceRequestConflict('none', [])).toBeUndefined();
    expect(toolChoiceRequestConflict('auto', [])).toBeUndefined();
    expect(toolChoiceRequestConflict('required', ['weather'])).toBeUndefined();
    expect(toolChoiceRequestConflict(named('weather'), ['weather', 'notes'])).toBeUndefined();
  });
});

describe('offeredToolNames', () => {
  it("lists the names of a request's function tools", () => {
    expect(offeredToolNames({})).toEqual([]);
    expect(offeredToolNames({ tools: 'weather' })).toEqual([]);
    expect(
      offeredToolNames({ tools: [{ type: 'function', function: { name: 'weather' } }, null, { type: 'function' }, { function: { name: 'notes' } }] }),
    ).toEqual(['weather', 'notes']);
  });
});
