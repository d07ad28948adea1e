/**
 * Reading a user's file with errors that name it: every file a user points dsp at (traces, task lists, datasets,
 * logs, price tables, results, predictor states) is read here.
 */
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
      cause: error,
    });
  }
}

/**
 * The file's content parsed as JSON, not yet checked. `what` says what the file should hold, for the error when it
 * is not JSON, e.g. `a price table` gives `prices.json: not valid JSON (…); expected a price table`.
 */
export function readJsonFile(path: string, what: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInputError(`not valid JSON (${(error as Error).message}); expected ${what}`, { source: path, cause: error });
  }
}
