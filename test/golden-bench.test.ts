/**
 * Every figure of `dsp bench` on the default suites, in every format, byte for byte against committed golden files.
 * A change that moves a figure must update test/golden/ in the same commit and say in docs/reproduction.md why
 * (regenerate with `node scripts/golden-bench.ts`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenRuns } from '../scripts/golden-bench.js';
import { spawnSync } from 'node:child_process';

const cli = join(import.meta.dirname, '..', 'bin', 'dsp.js');

describe('dsp bench golden output', () => {
  for (const run of goldenRuns) {
    it(`${run.file} is byte-identical`, () => {
      const result = spawnSync(process.execPath, [cli, ...run.args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(result.status, result.stderr).toBe(0);
      const expected = readFileSync(join(import.meta.dirname, 'golden', run.file), 'utf8');
      expect(result.stdout === expected, `${run.file} differs from the golden file`).toBe(true);
    }, 240_000);
  }
});
