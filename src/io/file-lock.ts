/**
 * An exclusive lock on a file shared between processes: a lock file `FILE.lock` beside it, created with O_EXCL
 * (so only one process can create it), holding who took it (pid, host, start time, command). It is removed on
 * release, and when the process exits at the latest. A lock left by a process that is gone (killed, crashed) is
 * taken over with a warning; a lock held by a live process is refused with `FileLockedError` naming the holder.
 *
 * Locks are re-entrant within a process: taking a lock this process already holds counts up, and the file is
 * removed when every holder has released it. (A command takes the lock for its whole run; the parts it runs may
 * take it again for their own stretch.)
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DspError } from '../core/errors.js';
import { resolveRealPath } from './real-path.js';
import { describeSystemError, writeError } from './atomic-write.js';

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601. */
  startedAt: string;
  /** The holder's command line, e.g. `dsp bench --predictor-state cc.json`. */
  command: string;
}

/** A file another live process holds the lock of. Exit code 2: the user must wait for it, or remove a stale lock. */
export class FileLockedError extends DspError {
  override readonly name = 'FileLockedError' as const;
  override readonly exitCode = 2;
  /** The lock file. */
  readonly lockPath: string;
  /** Who holds it, when the lock file could be read. */
  readonly holder: LockHolder | undefined;

  constructor(options: { path: string; lockPath: string; holder: LockHolder | undefined }) {
    const { path, lockPath, holder } = options;
    const who =
      holder === undefined
        ? `another process (its lock file ${lockPath} cannot be read)`
        : `another dsp process: pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}: ${holder.command}`;
    super(
      `${path}: in use by ${who}. Two runs sharing it would lose one run's updates; wait until that run ends ` +
        `(or, if it is gone, remove ${lockPath})`,
    );
    this.lockPath = lockPath;
    this.holder = holder;
  }
}

/** True for a `FileLockedError`, even from another copy of the package. */
export function isFileLockedError(error: unknown): error is FileLockedError {
  return DspError.isInstance(error) && error.name === 'FileLockedError';
}

/** A lock taken; `release` gives it back (once; later calls do nothing). */
export interface FileLock {
  /** The lock file. */
  readonly lockPath: string;
  release(): void;
}

/** Options of `acquireFileLock`. */
export interface AcquireFileLockOptions {
  /** Told when a lock left by a process that is gone is taken over. */
  onWarning?: (message: string) => void;
}

/** The locks this process holds: lock file → how many holders. */
const held = new Map<string, number>();
let exitHandlerInstalled = false;

/**
 * Takes the lock of `path` (the file it guards; a symbolic link is followed, so every path to one file shares one
 * lock). Throws `FileLockedError` when a live process holds it, or an error naming `path` when the lock file cannot
 * be created (e.g. the folder does not exist).
 */
export function acquireFileLock(path: string, options: AcquireFileLockOptions = {}): FileLock {
  const lockPath = `${resolveRealPath(path)}.lock`;
  const count = held.get(lockPath);
  if (count !== undefined) {
    held.set(lockPath, count + 1);
    return releaser(lockPath);
  }
  // Two rounds: a stale lock is taken over once; losing that race to another process then refuses.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (createLockFile(path, lockPath)) {
      installExitHandler();
      held.set(lockPath, 1);
      return releaser(lockPath);
    }
    const holder = readHolder(lockPath);
    if (holder === undefined || isAlive(holder) || !takeOverStale(lockPath, holder)) {
      throw new FileLockedError({ path, lockPath, holder: holder ?? readHolder(lockPath) });
    }
    options.onWarning?.(
      `${path}: took over the lock left by pid ${holder.pid} (started ${holder.startedAt}: ${holder.command}), which is no longer running`,
    );
  }
  throw new FileLockedError({ path, lockPath, holder: readHolder(lockPath) });
}

function releaser(lockPath: string): FileLock {
  let released = false;
  return {
    lockPath,
    release: () => {
      if (released) return;
      released = true;
      const count = held.get(lockPath) ?? 0;
      if (count > 1) {
        held.set(lockPath, count - 1);
        return;
      }
      held.delete(lockPath);
      rmSync(lockPath, { force: true });
    },
  };
}

/** Creates the lock file with this process as holder; false when it exists already. */
function createLockFile(path: string, lockPath: string): boolean {
  let descriptor: number;
  try {
    descriptor = openSync(lockPath, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(`${path} (its lock file ${basename(lockPath)})`, error);
  }
  try {
    writeSync(descriptor, `${JSON.stringify(thisHolder())}\n`);
  } catch (error) {
    closeSync(descriptor);
    rmSync(lockPath, { force: true });
    throw writeError(lockPath, error);
  }
  closeSync(descriptor);
  return true;
}

function thisHolder(): LockHolder {
  const script = process.argv[1] === undefined ? 'node' : basename(process.argv[1]).replace(/\.js$/, '');
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command: [script, ...process.argv.slice(2)].join(' '),
  };
}

/** The holder written in a lock file, or undefined when it is missing or unreadable (being written, damaged). */
function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const value = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      startedAt: typeof value.startedAt === 'string' ? value.startedAt : 'at an unknown time',
      command: typeof value.command === 'string' ? value.command : 'an unknown command',
    };
  } catch {
    return undefined;
  }
}

/** True unless the holder is known to be gone: on another host it cannot be checked, so it counts as alive. */
function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Moves a stale lock file aside (one rename: of processes racing to take it over, one wins). When what was moved
 * aside is not the stale lock (another process took it over in between), it is put back and false is returned.
 */
function takeOverStale(lockPath: string, stale: LockHolder): boolean {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    // Already gone: taken over (or released) by another process; try to create it again.
    return true;
  }
  const moved = readHolder(aside);
  if (moved !== undefined && moved.pid === stale.pid && moved.startedAt === stale.startedAt) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    linkSync(aside, lockPath);
  } catch (error) {
    // A third process has created the lock in the meantime: it holds it; ours stays refused.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new DspError(`cannot restore ${lockPath}: ${describeSystemError(error)}`);
  }
  rmSync(aside, { force: true });
  return false;
}

/** Removes this process's lock files when it exits, however it exits short of being killed. */
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const lockPath of held.keys()) rmSync(lockPath, { force: true });
    held.clear();
  });
}
