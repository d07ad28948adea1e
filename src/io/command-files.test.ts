import { chmodSync, linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../core/errors.js';
import { checkCommandFiles, type CommandFile } from './command-files.js';
import { resolveRealPath } from './real-path.js';

const folder = mkdtempSync(join(tmpdir(), 'dsp-files-'));
const data = join(folder, 'data');
mkdirSync(data);
writeFileSync(join(data, 'in.jsonl'), '{}\n');
symlinkSync(data, join(folder, 'data-link'));
symlinkSync(join(data, 'in.jsonl'), join(folder, 'in-link.jsonl'));
linkSync(join(data, 'in.jsonl'), join(folder, 'in-hard.jsonl'));

function refusal(files: CommandFile[]): string {
  try {
    checkCommandFiles(files);
  } catch (error) {
    expect(isInvalidInputError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('the files of a command', () => {
  it('resolve through symbolic links, a file not written yet through its folder', () => {
    expect(resolveRealPath(join(folder, 'in-link.jsonl'))).toBe(resolveRealPath(join(data, 'in.jsonl')));
    expect(resolveRealPath(join(folder, 'data-link', 'new.json'))).toBe(join(resolveRealPath(data), 'new.json'));
    expect(resolveRealPath(join(folder, 'nowhere', 'deeper', 'x.json'))).toBe(join(resolveRealPath(folder), 'nowhere', 'deeper', 'x.json'));
  });

  it('may not write a file they read, or write one file twice, however it is named', () => {
    const input = join(data, 'in.jsonl');
    expect(refusal([{ path: input, flag: '--traces', use: 'read' }, { path: input, flag: '--out', use: 'write' }])).toBe(
      `--out: --out and --traces both name ${input}: writing --out would destroy the --traces it reads; give --out another path`,
    );
    const link = join(folder, 'in-link.jsonl');
    expect(refusal([{ path: link, flag: '--out', use: 'write' }, { path: input, flag: '--traces', use: 'read' }])).toContain(
      `--out and --traces name the same file (${link} and ${input} both lead to ${resolveRealPath(input)})`,
    );
    expect(refusal([{ path: input, flag: '--traces', use: 'read' }, { path: join(folder, 'in-hard.jsonl'), flag: '--out', use: 'write' }])).toMatch(
      /^--out: --out and --traces name the same file/,
    );
    // Not written yet: resolved through the folder's link.
    expect(
      refusal([
        { path: join(folder, 'data-link', 'r.json'), flag: '--out', use: 'write' },
        { path: join(data, 'r.json'), flag: '--report', use: 'write' },
      ]),
    ).toMatch(/^--out: --out and --report name the same file .*: one would overwrite the other; give --out another path$/);
    // The pure output is blamed, not the state that is also an input.
    const state = join(data, 'state.json');
    expect(refusal([{ path: state, flag: '--predictor-state', use: 'read-write' }, { path: state, flag: '--out', use: 'write' }])).toBe(
      `--out: --out and --predictor-state both name ${state}: writing --out would destroy the --predictor-state it reads; give --out another path`,
    );
  });

  it('may read one file twice, and a state file is its own input', () => {
    const input = join(data, 'in.jsonl');
    expect(() =>
      checkCommandFiles([
        { path: input, flag: '--traces', use: 'read' },
        { path: join(folder, 'in-link.jsonl'), flag: '--traces', use: 'read' },
        { path: join(data, 'state.json'), flag: '--predictor-state', use: 'read-write' },
        { path: undefined, flag: '--out', use: 'write' },
      ]),
    ).not.toThrow();
  });

  it('must be able to write where each output goes', () => {
    const missing = join(folder, 'missing', 'r.json');
    expect(refusal([{ path: missing, flag: '--out', use: 'write' }])).toBe(
      `--out: cannot write ${missing}: the folder ${join(folder, 'missing')} does not exist`,
    );
    expect(refusal([{ path: data, flag: '--record', use: 'append' }])).toBe(`--record: cannot write ${data}: it is a folder; expected a file path`);
    const file = join(data, 'in.jsonl');
    expect(refusal([{ path: file, flag: '--png', use: 'folder' }])).toBe(`--png: cannot write ${file}: it is a file; expected a folder`);
    expect(refusal([{ path: join(folder, 'missing', 'png'), flag: '--png', use: 'folder' }])).toContain('does not exist');
    expect(refusal([{ path: join(file, 'x.json'), flag: '--out', use: 'write' }])).toBe(
      `--out: cannot write ${join(file, 'x.json')}: ${file} is not a folder`,
    );
    expect(() => checkCommandFiles([{ path: join(data, 'png'), flag: '--png', use: 'folder' }])).not.toThrow();
  });

  // Permissions do not bind root, so this runs only as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('must be able to write a file and its folder', () => {
    const locked = join(folder, 'locked');
    mkdirSync(locked);
    writeFileSync(join(locked, 'old.json'), '{}');
    chmodSync(join(locked, 'old.json'), 0o400);
    chmodSync(locked, 0o500);
    try {
      expect(refusal([{ path: join(locked, 'r.json'), flag: '--out', use: 'write' }])).toBe(
        `--out: cannot write ${join(locked, 'r.json')}: the folder ${locked} is not writable`,
      );
      expect(refusal([{ path: join(locked, 'old.json'), flag: '--record', use: 'append' }])).toContain('the file is not writable');
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});
