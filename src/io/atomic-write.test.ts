import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../core/errors.js';
import { writeFileAtomic } from './atomic-write.js';

const folder = mkdtempSync(join(tmpdir(), 'dsp-atomic-'));

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('an atomic write', () => {
  it('replaces the content and keeps the permissions of the file it replaces', () => {
    const path = join(folder, 'private.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o600);
    writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);

    chmodSync(path, 0o640);
    writeFileAtomic(path, 'newer');
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('writes through a symbolic link to its target, and the link stays a link', () => {
    const data = join(folder, 'data');
    mkdirSync(data);
    const target = join(data, 'state.json');
    writeFileSync(target, 'old');
    chmodSync(target, 0o600);
    const link = join(folder, 'state-link.json');
    symlinkSync(target, link);
    writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    // No temporary file is left beside the link or the target.
    expect(readdirSync(data)).toEqual(['state.json']);

    // A link to a file not written yet: the write creates the target.
    const dangling = join(folder, 'later-link.json');
    symlinkSync(join(data, 'later.json'), dangling);
    writeFileAtomic(dangling, 'first');
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(data, 'later.json'), 'utf8')).toBe('first');
  });

  it('names the path it was given when it fails, never its temporary file', () => {
    const missing = join(folder, 'missing', 'r.json');
    const error = errorOf(() => writeFileAtomic(missing, 'x'));
    expect(isInvalidInputError(error)).toBe(true);
    expect(error.message).toBe(`${missing}: cannot write: no such file or directory (ENOENT)`);
    expect(error.message).not.toContain('.tmp');

    const directory = join(folder, 'a-folder');
    mkdirSync(directory);
    const folderError = errorOf(() => writeFileAtomic(directory, 'x'));
    expect(folderError.message).toMatch(new RegExp(`^${directory}: cannot write: .*\\(E(ISDIR|EXIST|NOTEMPTY)\\)$`));
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
