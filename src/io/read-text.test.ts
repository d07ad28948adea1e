import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../core/errors.js';
import { readJsonFile, readTextFile } from './read-text.js';

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(isInvalidInputError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('reading a user file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dsp-read-'));

  it('returns the text, and names a missing or unreadable file', () => {
    writeFileSync(join(folder, 'a.txt'), 'héllo\n');
    expect(readTextFile(join(folder, 'a.txt'))).toBe('héllo\n');
    expect(errorOf(() => readTextFile(join(folder, 'missing.txt'))).message).toBe(`${join(folder, 'missing.txt')}: no such file`);
    expect(errorOf(() => readTextFile(folder)).message).toBe(`${folder}: a folder; expected a file`);
  });

  it('drops a byte order mark, so a file saved with one parses as JSON', () => {
    writeFileSync(join(folder, 'bom.json'), '\uFEFF{"a": 1}\r\n');
    expect(readTextFile(join(folder, 'bom.json'))).toBe('{"a": 1}\r\n');
    expect(readJsonFile(join(folder, 'bom.json'), 'a thing')).toEqual({ a: 1 });
  });

  it('parses JSON, and says what was expected when the file is not JSON', () => {
    writeFileSync(join(folder, 'good.json'), '{"a": [1, 2]}');
    writeFileSync(join(folder, 'bad.json'), '{"a": [1, 2}');
    expect(readJsonFile(join(folder, 'good.json'), 'a thing')).toEqual({ a: [1, 2] });
    expect(errorOf(() => readJsonFile(join(folder, 'bad.json'), 'a thing')).message).toMatch(/bad\.json: not valid JSON \(.+\); expected a thing$/);
    expect(errorOf(() => readJsonFile(join(folder, 'none.json'), 'a thing')).message).toMatch(/none\.json: no such file/);
  });
});
