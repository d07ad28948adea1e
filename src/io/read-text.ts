/** Reading a user's text file with an error that names it. */
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors.js';

/** The file's UTF-8 text; a missing or unreadable file is an `InvalidInputError` naming the path. */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(code === 'ENOENT' ? 'no such file' : `cannot read: ${(error as Error).message}`, {
      source: path,
    });
  }
}
