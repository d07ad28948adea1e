import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireFileLock, isFileLockedError, type LockHolder } from './file-lock.js';

const folder = mkdtempSync(join(tmpdir(), 'dsp-lock-'));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

function writeLock(path: string, holder: Partial<LockHolder>): void {
  writeFileSync(`${path}.lock`, JSON.stringify({ host: hostname(), startedAt: '2025-01-01T00:00:00.000Z', command: 'dsp bench', ...holder }));
}

describe('a file lock', () => {
  it('is a lock file beside the file, holding who took it, removed on release; re-entrant within a process', () => {
    const path = join(folder, 'state.json');
    const lock = acquireFileLock(path);
    expect(lock.lockPath).toMatch(/state\.json\.lock$/);
    const holder = JSON.parse(readFileSync(lock.lockPath, 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Date.parse(holder.startedAt)).not.toBeNaN();
    expect(holder.command).toEqual(expect.any(String));

    const again = acquireFileLock(path);
    again.release();
    expect(existsSync(lock.lockPath)).toBe(true);
    lock.release();
    lock.release();
    expect(existsSync(lock.lockPath)).toBe(false);
  });

  it('is refused while a live process holds it, naming that process', () => {
    const path = join(folder, 'busy.json');
    writeLock(path, { pid: process.ppid, command: 'dsp bench --predictor-state busy.json' });
    let refusal: unknown;
    try {
      acquireFileLock(path);
    } catch (error) {
      refusal = error;
    }
    expect(isFileLockedError(refusal)).toBe(true);
    expect((refusal as Error).message).toContain(
      `${path}: in use by another dsp process: pid ${process.ppid} on ${hostname()}, started 2025-01-01T00:00:00.000Z: dsp bench --predictor-state busy.json`,
    );
    expect((refusal as { exitCode: number }).exitCode).toBe(2);
    // The holder's lock is left alone.
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('takes over a lock left by a process that is gone, with a warning', () => {
    const path = join(folder, 'stale.json');
    const pid = deadPid();
    writeLock(path, { pid });
    const warnings: string[] = [];
    const lock = acquireFileLock(path, { onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual([
      `${path}: took over the lock left by pid ${pid} (started 2025-01-01T00:00:00.000Z: dsp bench), which is no longer running`,
    ]);
    expect(JSON.parse(readFileSync(lock.lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('is refused when the lock file cannot be read, and when its holder is on another machine', () => {
    const unreadable = join(folder, 'garbled.json');
    writeFileSync(`${unreadable}.lock`, 'not json');
    expect(() => acquireFileLock(unreadable)).toThrow(/garbled\.json: in use by another process \(its lock file .* cannot be read\)/);
    const remote = join(folder, 'remote.json');
    writeLock(remote, { pid: deadPid(), host: 'elsewhere.example' });
    expect(() => acquireFileLock(remote)).toThrow(/remote\.json: in use by another dsp process: pid \d+ on elsewhere\.example/);
  });
});
