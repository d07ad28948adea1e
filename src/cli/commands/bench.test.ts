/** `dsp bench` in-process through `main`: bad input ends with 2 and a message, before anything is printed. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDsp } from '../../../test/fixtures/cli/captured-io.js';
import { writeTraces } from '../../traces/format.js';
import { generateSyntheticTraces } from '../../traces/synthetic.js';

const directory = mkdtempSync(join(tmpdir(), 'dsp-bench-'));
const tracesPath = join(directory, 'small.jsonl');
writeTraces(tracesPath, generateSyntheticTraces({ tasks: 8, seed: 5, suite: 'small' }));

describe('dsp bench', () => {
  it('rejects bad input with a message and exit code 2', async () => {
    const unknown = await runDsp(['bench', '--traces', tracesPath, '--policies', 'fixed:2,greedy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('dsp: --policies: unknown policy "greedy"; valid policies: sequential, fixed:K, additive, oracle');
    const zero = await runDsp(['bench', '--traces', tracesPath, '--policies', 'fixed:0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('dsp: --policies: "fixed:0": k of fixed:K must be a whole number ≥ 1');
    const negative = await runDsp(['bench', '--traces', tracesPath, '--policies', 'fixed:-2']);
    expect(negative.code).toBe(2);
    const badDsp = await runDsp(['bench', '--traces', tracesPath, '--policies', 'dsp:tau=2']);
    expect(badDsp.code).toBe(2);
    expect(badDsp.stderr).toContain('dsp: --policies: dsp option tau=2: expected a number strictly between 0 and 1');
    const state = await runDsp(['bench', '--traces', tracesPath, '--policies', 'fixed:2', '--predictor-state', join(directory, 'state.json')]);
    expect(state.code).toBe(2);
    expect(state.stderr).toBe('dsp: --predictor-state: needs exactly one dsp policy in --policies (the one whose learning it keeps)\n');
    const seed = await runDsp(['bench', '--traces', tracesPath, '--seed', 'x']);
    expect(seed).toMatchObject({ code: 2, stderr: 'dsp: --seed: expected a whole number ≥ 0, got "x"\n' });

    const malformed = join(directory, 'malformed.jsonl');
    writeFileSync(malformed, `${JSON.stringify(generateSyntheticTraces({ tasks: 1 })[0])}\n{"format":"dsp-trace/1","id":"b"}\n`);
    const bad = await runDsp(['bench', '--traces', malformed]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/malformed\.jsonl: line 2: field suite/);
    expect(bad.stdout).toBe('');

    const empty = join(directory, 'empty.jsonl');
    writeFileSync(empty, '');
    const none = await runDsp(['bench', '--traces', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('empty.jsonl: the file holds no trace');

    const format = await runDsp(['bench', '--format', 'xml']);
    expect(format.code).toBe(2);
  });

  it('names on stderr each model the price file leaves unpriced, and where to add it', async () => {
    const local = join(directory, 'local.jsonl');
    const models = { approx: 'local-a', target: 'local-t' };
    writeTraces(local, generateSyntheticTraces({ tasks: 4, seed: 5, suite: 'local' }).map((trace) => ({ ...trace, models })));
    const prices = join(directory, 'prices.json');
    writeFileSync(prices, JSON.stringify({ name: 'mine', models: { 'local-a': { inputUsdPerMTok: 0.4, outputUsdPerMTok: 1.6 } } }));
    const partial = await runDsp(['bench', '--traces', local, '--policies', 'fixed:2', '--prices', prices, '--quiet']);
    expect(partial.code).toBe(0);
    expect(partial.stderr).toBe(
      `warning: no price for model "local-t" (suite local) in the price table mine: a cost that includes its calls is unknown (?); add it to ${prices}\n`,
    );
    expect(partial.stdout).toContain('cost unknown (?) for every policy');
    const builtin = await runDsp(['bench', '--traces', tracesPath, '--policies', 'fixed:2', '--quiet']);
    expect([builtin.code, builtin.stderr]).toEqual([0, '']);
  });
});
