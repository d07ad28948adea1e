/**
 * Where a path really leads: symbolic links followed, a file that does not exist yet resolved through the folders
 * that do. Two paths name the same file when their real paths are equal (or, for files that exist, when they are
 * the same inode: hard links).
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Most symbolic links followed before giving up, as the kernel does (ELOOP). */
const maxLinks = 40;

/**
 * The absolute path `path` leads to, every symbolic link followed. A path that does not exist (yet) resolves
 * through its nearest existing folder: `out/r.json` with `out` a link to `/data` gives `/data/r.json`; a dangling
 * link gives the path it points to. Never throws for a missing file; the result is then where a write would go.
 */
export function resolveRealPath(path: string): string {
  return resolveFrom(resolve(path), 0);
}

function resolveFrom(absolute: string, linksFollowed: number): string {
  try {
    return realpathSync.native(absolute);
  } catch {
    // Missing (or unreadable): follow a dangling link by hand, else resolve the folder and keep the name.
  }
  if (linksFollowed < maxLinks) {
    const link = readLink(absolute);
    if (link !== undefined) return resolveFrom(resolve(dirname(absolute), link), linksFollowed + 1);
  }
  const parent = dirname(absolute);
  if (parent === absolute) return absolute;
  return join(resolveFrom(parent, linksFollowed), basename(absolute));
}

function readLink(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** What identifies a file: its real path, and its device and inode when it exists. */
export interface FileIdentity {
  realPath: string;
  inode?: { device: number; inode: number };
}

/** The identity of the file at `path` (see `resolveRealPath`). */
export function fileIdentity(path: string): FileIdentity {
  const realPath = resolveRealPath(path);
  try {
    const stats = statSync(realPath);
    return { realPath, inode: { device: stats.dev, inode: stats.ino } };
  } catch {
    return { realPath };
  }
}

/** True when two identities name the same file: the same real path, or the same inode (a hard link). */
export function sameFile(first: FileIdentity, second: FileIdentity): boolean {
  if (first.realPath === second.realPath) return true;
  return (
    first.inode !== undefined &&
    second.inode !== undefined &&
    first.inode.device === second.inode.device &&
    first.inode.inode === second.inode.inode
  );
}
