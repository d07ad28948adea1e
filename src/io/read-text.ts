/**
 * Reading a user's file with errors that name it: every file a user points dsp at (traces, task lists, datasets,
 * logs, price tables, results, predictor states) is read here.
 */
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors.js';

/**
 * The file's UTF-8 text, without the byte order mark some editors put first (JSON.parse would refuse it); a
 * missing or unreadable file, or a folder, is an `InvalidInputError` naming the path.
 */
export function readTextFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(unreadableReason(error as NodeJS.ErrnoException), { source: path, cause: error });
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

function unreadableReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'a folder; expected a file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read: permission denied';
    default:
      return `cannot read: ${error.message}`;
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
