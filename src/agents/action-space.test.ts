import { describe, expect, it } from 'vitest';
import { boldSpans, canonicalName, createNamedActionSpace, isUnparsedAction, lastToolTag, unparsedAction } from './action-space.js';

const space = createNamedActionSpace({
  name: 'tools',
  actions: [{ name: 'Search Web', description: 'looks things up' }, { name: 'Image Super Resolution' }, { name: 'FINISH' }],
  terminalAction: 'FINISH',
});

describe('named action space', () => {
  it('reads the last <tool> tag, canonicalising known names', () => {
    const reply = 'First <tool>Search Web</tool>, then <tool> image super-resolution </tool>';
    expect(space.parse(reply)).toEqual({
      ok: true,
      action: 'Image Super Resolution',
      source: 'tool-tag',
      known: true,
      span: { start: 43, end: 65 },
    });
    expect(reply.slice(43, 65)).toBe('image super-resolution');
    expect(space.parse('<TOOL>"search web".</TOOL>')).toMatchObject({ ok: true, action: 'Search Web', span: { start: 7, end: 17 } });
  });

  it('keeps an unknown tagged name as written, flagged unknown', () => {
    expect(space.parse('<tool>Paint It Black</tool>')).toEqual({
      ok: true,
      action: 'Paint It Black',
      source: 'tool-tag',
      known: false,
      span: { start: 6, end: 20 },
    });
  });

  it('accepts a last unclosed tag (a reply cut off by a stop sequence)', () => {
    expect(lastToolTag('The answer is <tool>FINISH')).toBe('FINISH');
    expect(space.parse('The answer is <tool>FINISH \n')).toMatchObject({ ok: true, action: 'FINISH', span: { start: 20, end: 26 } });
  });

  it('falls back to the last bold span that names a known action', () => {
    const reply = '**Step 2:** I would use **Search Web**, not **Image Super-Resolution**. **Done**';
    expect(space.parse(reply)).toEqual({
      ok: true,
      action: 'Image Super Resolution',
      source: 'bold',
      known: true,
      span: { start: 46, end: 68 },
    });
    expect(reply.slice(46, 68)).toBe('Image Super-Resolution');
    expect(boldSpans('a **b** c ** d **')).toEqual(['b', 'd']);
  });

  it('fails with a reason when there is neither a tag nor a known bold name', () => {
    expect(space.parse('I would **think** more.')).toEqual({ ok: false, reason: 'no <tool>…</tool> tag and no bold **action name**' });
    expect(space.parse('<tool>  </tool>')).toEqual({ ok: false, reason: 'the last <tool> tag is empty' });
  });

  it('matches names case-, space- and hyphen-insensitively, and knows its terminal action', () => {
    expect(canonicalName('Image Super-Resolution')).toBe(canonicalName('image super resolution'));
    expect(space.actionsMatch('Image Super-Resolution', 'Image Super Resolution')).toBe(true);
    expect(space.actionsMatch('Search Web', 'FINISH')).toBe(false);
    expect(space.isTerminal('finish')).toBe(true);
    expect(space.isTerminal('Search Web')).toBe(false);
    expect(space.describe()).toBe('Available actions:\n- Search Web: looks things up\n- Image Super Resolution\n- FINISH');
  });

  it('makes never-matching actions of unparsable replies', () => {
    const action = unparsedAction('No idea.');
    expect(isUnparsedAction(action)).toBe(true);
    expect(isUnparsedAction('No idea.')).toBe(false);
    expect(space.actionsMatch(action, 'FINISH')).toBe(false);
    expect(space.isTerminal(action)).toBe(false);
  });
});
