/**
 * The files a command is given, checked before it does any work: every place it will write must be writable, and
 * no file may be both read and written (or written twice) by one command, so that a slip such as
 * `--out same.json --predictor-state same.json` never destroys an input after a long, perhaps paid, run.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import { fileIdentity, resolveRealPath, sameFile, type FileIdentity } from './real-path.js';

/**
 * How a command uses a file:
 * - `read`: only read (traces, price tables, task lists, a results file);
 * - `write`: replaced atomically (`--out`, `--report`); its folder must exist and be writable;
 * - `read-write`: read, then replaced atomically (`--predictor-state`): its own input, which is fine;
 * - `append`: lines added at its end (`--record`); the file, or else its folder, must be writable;
 * - `folder`: a folder written into (`--png`); created when missing, so its parent must exist.
 */
export type FileUse = 'read' | 'write' | 'read-write' | 'append' | 'folder';

/** One file given to a command. */
export interface CommandFile {
  /** The path as the user gave it; undefined when the option was not given (then nothing is checked). */
  path: string | undefined;
  /** The option or argument that gave it, named in errors: `--out`, `<results>`. */
  flag: string;
  use: FileUse;
}

/**
 * Checks the files a command was given, before it does any work. Throws `InvalidInputError` (exit code 2) naming
 * the flag and the user's path when:
 * - a place to write is a folder (or, for `folder`, a file), is in a folder that does not exist, or is not
 *   writable;
 * - two of the files are the same file (symbolic and hard links included, a file not yet written resolved through
 *   its folder) and at least one of the two is written: the write would destroy the input, or one output would
 *   replace the other. Reading one file twice is fine, and so is a `read-write` file being its own input.
 */
export function checkCommandFiles(files: readonly CommandFile[]): void {
  const given = files.filter((file): file is CommandFile & { path: string } => file.path !== undefined);
  for (const file of given) {
    if (file.use !== 'read') checkWritable(file);
  }
  const identities: Array<{ file: CommandFile & { path: string }; identity: FileIdentity }> = given.map((file) => ({
    file,
    identity: fileIdentity(file.path),
  }));
  identities.forEach((first, index) => {
    for (const second of identities.slice(index + 1)) {
      if (first.file.use === 'read' && second.file.use === 'read') continue;
      if (sameFile(first.identity, second.identity)) throw collision(first.file, second.file, first.identity.realPath);
    }
  });
}

const outputRank: Readonly<Record<FileUse, number>> = { read: 0, 'read-write': 1, write: 2, append: 2, folder: 2 };

function collision(first: CommandFile & { path: string }, second: CommandFile & { path: string }, realPath: string): InvalidInputError {
  // Blame the pure output: it is the one to change (a --predictor-state is also an input).
  const [written, other] = outputRank[second.use] > outputRank[first.use] ? [second, first] : [first, second];
  const where =
    written.path === other.path
      ? `both name ${written.path}`
      : `name the same file (${written.path} and ${other.path} both lead to ${realPath})`;
  const harm =
    other.use === 'read' || other.use === 'read-write'
      ? `writing ${written.flag} would destroy the ${other.flag} it reads`
      : `one would overwrite the other`;
  return new InvalidInputError(`${written.flag} and ${other.flag} ${where}: ${harm}; give ${written.flag} another path`, {
    source: written.flag,
  });
}

/** Checks that `file` can be written where it is, naming its flag and path. */
function checkWritable(file: CommandFile & { path: string }): void {
  const fail = (reason: string): never => {
    throw new InvalidInputError(`cannot write ${file.path}: ${reason}`, { source: file.flag });
  };
  const target = resolveRealPath(file.path);
  const stats = statOf(target);
  if (file.use === 'folder') {
    if (stats !== undefined) {
      if (!stats.isDirectory()) fail('it is a file; expected a folder');
      if (!writable(target)) fail('the folder is not writable');
      return;
    }
  } else if (stats !== undefined) {
    if (stats.isDirectory()) fail('it is a folder; expected a file path');
    if (!writable(target)) fail('the file is not writable');
    // Appending needs only the file itself.
    if (file.use === 'append') return;
  }
  const folder = dirname(target);
  const folderStats = statOf(folder);
  if (folderStats === undefined) fail(`the folder ${dirname(file.path)} does not exist`);
  if (!folderStats!.isDirectory()) fail(`${dirname(file.path)} is not a folder`);
  if (!writable(folder)) fail(`the folder ${dirname(file.path)} is not writable`);
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | (statOf(path)?.isDirectory() === true ? constants.X_OK : 0));
    return true;
  } catch {
    return false;
  }
}
