import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPrompt } from '../../agents/prompt-format.js';
import { standardTasks } from '../../envs/openagi/tasks.js';
import { runDsp } from '../../../test/fixtures/cli/captured-io.js';
import { spawnDsp } from '../../../test/fixtures/cli/spawn-dsp.js';
import { startReplayServer } from '../../server/replay-server.js';
import { renderServeStats } from './serve.js';

const fixturePath = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'serve', 'openagi-mini.jsonl');

describe('dsp serve', () => {
  it("has the example of the README in the package's data: the traces these tests replay, byte for byte", () => {
    const shipped = join(import.meta.dirname, '..', '..', '..', 'data', 'examples', 'openagi-mini.jsonl');
    expect(readFileSync(shipped, 'utf8')).toBe(readFileSync(fixturePath, 'utf8'));
  });

  it('serves the traces on a loopback port until Ctrl-C, then prints its counters', async () => {
    const dsp = spawnDsp(['serve', '--traces', fixturePath, '--port', '0', '--speed', '50']);
    try {
      const output = await dsp.waitForOutput((stdout) => stdout.includes('/stats'));
      expect(output).toContain('dsp serve: replaying 4 traces (4 tasks) from');
      const url = /OpenAI-compatible API: (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(output)![1]!;
      const models = (await (await fetch(`${url}/models`)).json()) as { data: Array<{ id: string }> };
      expect(models.data.map((model) => model.id)).toEqual(['approx', 'target']);
      const completion = (await (
        await fetch(`${url}/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({
            model: 'target',
            messages: [{ role: 'user', content: renderPrompt({ kind: 'direct', task: standardTasks()[11]!.text, prefix: [] }, '') }],
          }),
        })
      ).json()) as { choices: Array<{ message: { content: string } }> };
      expect(completion.choices[0]!.message.content).toBe('<tool>Image Deblurring</tool>');
      dsp.child.kill('SIGINT');
      expect(await dsp.exited).toBe(0);
      expect(dsp.stdout()).toContain('dsp serve: 1 requests, 1 completed, 0 aborted by the client, 0 failed, 0 off the recorded plan');
    } finally {
      dsp.child.kill('SIGKILL');
    }
  });

  it('refuses a bad trace file and a non-loopback address with exit code 2', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'dsp-serve-'));
    const bad = join(directory, 'bad.jsonl');
    writeFileSync(bad, '{"format":"dsp-trace/1","id":"x"}\n');
    const badFile = await runDsp(['serve', '--traces', bad, '--port', '0']);
    const exposed = await runDsp(['serve', '--traces', fixturePath, '--host', '0.0.0.0', '--port', '0']);
    expect([badFile.code, exposed.code]).toEqual([2, 2]);
    expect(badFile.stderr).toContain(`dsp: ${bad}: line 1: field suite`);
    expect(exposed.stderr).toBe('dsp: --host: "0.0.0.0" is not a loopback address; dsp serve listens on 127.0.0.1, ::1 or localhost only\n');
  });

  it('refuses a speed so slow that a recorded wait would overflow the timer (and fire at once)', async () => {
    const slow = await runDsp(['serve', '--traces', fixturePath, '--port', '0', '--speed', '1e-9']);
    expect(slow).toEqual({ code: 2, stdout: '', stderr: 'dsp: --speed: expected a decimal number ≥ 0.05 (20 times slower), got "1e-9"\n' });
    await expect(startReplayServer({ traces: [], speed: 0.01 })).rejects.toThrow('speed: must be a number ≥ 0.05 (20 times slower), got 0.01');
  });

  it('refuses a port that is already in use with exit code 2, naming --port and the way out', async () => {
    const first = spawnDsp(['serve', '--traces', fixturePath, '--port', '0']);
    try {
      const output = await first.waitForOutput((stdout) => stdout.includes('/stats'));
      const port = /http:\/\/127\.0\.0\.1:(\d+)\/v1/.exec(output)![1]!;
      const second = await runDsp(['serve', '--traces', fixturePath, '--port', port]);
      expect(second.code).toBe(2);
      expect(second.stderr).toBe(
        `dsp: --port: 127.0.0.1:${port} is already in use (another dsp serve?); give another port, or --port 0 for a free one\n`,
      );
    } finally {
      first.child.kill('SIGKILL');
    }
  });

  it('renders its counters on one line', () => {
    expect(
      renderServeStats({
        requests: 9,
        completed: 6,
        aborted: 2,
        failed: 1,
        offTrace: 3,
        byRole: { approx: { requests: 4, completed: 4, aborted: 0 }, target: { requests: 5, completed: 2, aborted: 2 } },
        byCall: {},
      }),
    ).toBe('dsp serve: 9 requests, 6 completed, 2 aborted by the client, 1 failed, 3 off the recorded plan');
  });
});
