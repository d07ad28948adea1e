/**
 * `dsp bench` on traces with tool steps, as a user runs it (the compiled CLI in a child process): lossless rows,
 * tool time in the sequential figures, and tool time overlapped by speculation through pure and sandboxed tools.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeTraces } from '../src/traces/format.js';
import { generateSyntheticTraces, type SyntheticToolOptions } from '../src/traces/synthetic.js';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'bin', 'dsp.js');

interface Row {
  policy: string;
  latencySec: number;
  sequentialLatencySec: number;
  lossless: boolean;
}

const directory = mkdtempSync(join(tmpdir(), 'dsp-cli-tools-'));

async function bench(suite: string, tools: SyntheticToolOptions | undefined): Promise<Row[]> {
  const path = join(directory, `${suite}.jsonl`);
  writeTraces(path, generateSyntheticTraces({ tasks: 12, seed: 5, suite, ...(tools === undefined ? {} : { tools }) }));
  const { stdout } = await run('node', [cli, 'bench', '--traces', path, '--format', 'json', '--quiet', '--policies', 'sequential,fixed:2,fixed:4,additive,oracle'], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  return (JSON.parse(stdout) as { rows: Row[] }).rows;
}

describe('dsp bench on traces with tool steps', () => {
  it('gives lossless rows whose speculative latency is below the sequential one, tool time included', async () => {
    const plain = await bench('plain', undefined);
    const mixed = await bench('mixed', {});
    for (const row of mixed) expect(row.lossless).toBe(true);
    // The same agents, now waiting for a tool after each step: the sequential run takes longer by the tools' time.
    expect(mixed[0]!.sequentialLatencySec).toBeGreaterThan(plain[0]!.sequentialLatencySec);
    expect(mixed[0]!.latencySec).toBe(mixed[0]!.sequentialLatencySec);
    for (const row of mixed.slice(1)) {
      expect(row.sequentialLatencySec).toBe(mixed[0]!.sequentialLatencySec);
      expect(row.latencySec).toBeLessThan(row.sequentialLatencySec);
    }
  });

  it('overlaps tool time through pure tools, and cannot through irreversible ones', async () => {
    const pure = await bench('pure', { effects: { pure: 1, sandboxed: 0, irreversible: 0 } });
    const irreversible = await bench('irreversible', { effects: { pure: 0, sandboxed: 0, irreversible: 1 } });
    // Same agents, same tool latencies; only the declarations differ.
    expect(pure[0]!.sequentialLatencySec).toBe(irreversible[0]!.sequentialLatencySec);
    for (const index of [1, 2, 3, 4]) {
      expect(pure[index]!.lossless && irreversible[index]!.lossless).toBe(true);
      expect(pure[index]!.latencySec).toBeLessThan(irreversible[index]!.latencySec);
      // Every step calls an irreversible tool: speculation stops at each guess, so nothing is gained.
      expect(irreversible[index]!.latencySec).toBe(irreversible[index]!.sequentialLatencySec);
    }
  });
});
