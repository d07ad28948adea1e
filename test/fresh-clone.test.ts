/**
 * `dsp bench` with no arguments must work on a user's machine, where the third-party data beside the checkout
 * (`../shared`) does not exist: the embedded suites are all it needs. The built package is copied into a folder
 * with no `shared` anywhere above it and run there.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

describe('a fresh install without ../shared', () => {
  it('runs dsp bench on the embedded OpenAGI suites', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dsp-fresh-'));
    const project = join(home, 'dsp');
    for (const entry of ['package.json', 'bin', 'dist', 'data']) cpSync(join(root, entry), join(project, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), 'dir');
    let folder = project;
    while (dirname(folder) !== folder) {
      expect(existsSync(join(dirname(folder), 'shared'))).toBe(false);
      folder = dirname(folder);
    }

    const { stdout } = await run('node', ['bin/dsp.js', 'bench', '--quiet'], { cwd: project });
    expect(stdout).toContain('running the default suites (openagi-react, openagi-cot, openagi-mad, travelplanner-react)');
    expect(stdout).toMatch(/suite openagi-react: 25 tasks, timing measured/);
    expect(stdout).toMatch(/suite openagi-cot: \d+ tasks, timing modelled/);
    expect(stdout).toMatch(/suite openagi-mad: \d+ tasks, timing modelled/);
    expect(stdout).toMatch(/suite all: \d+ tasks/);
    expect(stdout).not.toContain('NO');
  });
});
