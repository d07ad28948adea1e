/**
 * Atomic file writes: write a temporary file beside the target, flush it, then rename it into place, so a reader
 * sees the old file or the new one, never half of either.
 *
 * The file replaced keeps its permissions (a state file made private with `chmod 600` stays private), and a path
 * that is a symbolic link is written through: the link's target is replaced and the link stays a link.
 */
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DspError, InvalidInputError } from '../core/errors.js';
import { resolveRealPath } from './real-path.js';

/** Failures that say the path was wrong (bad input, exit code 2) rather than that the disk failed. */
const pathErrorCodes = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ELOOP', 'ENAMETOOLONG']);

/**
 * Writes `content` to `path` atomically. Errors name `path` as given, never the temporary file: an
 * `InvalidInputError` when the location is wrong (missing folder, a folder, no permission), else a `DspError`.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const target = resolveRealPath(path);
  const mode = existingMode(target);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const descriptor = openSync(temporary, 'wx', 0o666);
    try {
      // Set before the content is written: a private file's content is never readable by others, even briefly.
      if (mode !== undefined) fchmodSync(descriptor, mode);
      writeFileSync(descriptor, content);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw writeError(path, error);
  }
}

/** The permission bits of the file at `path`, or undefined when there is none. */
function existingMode(path: string): number | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats.mode & 0o7777 : undefined;
  } catch {
    return undefined;
  }
}

/** The error of a failed write, naming the user's path and the reason without the temporary file's name. */
export function writeError(path: string, error: unknown): DspError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = describeSystemError(error);
  if (code !== undefined && pathErrorCodes.has(code)) {
    return new InvalidInputError(`cannot write: ${reason}`, { source: path, cause: error });
  }
  return new DspError(`${path}: cannot write: ${reason}`, { cause: error });
}

/**
 * A system error's reason without the paths Node appends (`ENOENT: no such file or directory, open '/x/.r.tmp'`
 * gives `no such file or directory (ENOENT)`).
 */
export function describeSystemError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^([A-Z0-9_]+): ([^,]+)/.exec(message);
  return match === null ? message : `${match[2]!.trim()} (${match[1]})`;
}
