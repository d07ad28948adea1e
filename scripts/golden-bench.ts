/**
 * The golden outputs of `dsp bench` (default suites, every format) that test/golden-bench.test.ts compares byte for
 * byte. Run `node --import tsx scripts/golden-bench.ts` (after `npm run build`) to rewrite them after a deliberate
 * change of figures, and say in docs/reproduction.md which figures moved and why.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const goldenRuns: ReadonlyArray<{ file: string; args: string[] }> = [
  { file: 'bench.txt', args: ['bench', '--quiet'] },
  { file: 'bench.json', args: ['bench', '--quiet', '--format', 'json'] },
  { file: 'bench.csv', args: ['bench', '--quiet', '--format', 'csv'] },
];

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = join(import.meta.dirname, '..');
  for (const run of goldenRuns) {
    const result = spawnSync(process.execPath, [join(root, 'bin', 'dsp.js'), ...run.args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`dsp ${run.args.join(' ')} failed: ${result.stderr}`);
    writeFileSync(join(root, 'test', 'golden', run.file), result.stdout);
    process.stdout.write(`wrote test/golden/${run.file} (${result.stdout.length} bytes)\n`);
  }
}
