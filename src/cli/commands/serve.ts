/**
 * `dsp serve --traces FILE… [--port N] [--speed F]`: a local OpenAI-compatible server that replays recorded traces
 * (models `approx` and `target`), for running live agents against known answers: prompts in our own format, and
 * tool agents' requests with `tools` (answered with native `tool_calls`). Loopback only.
 *
 * ```text
 * dsp serve --traces runs.jsonl --port 8787 --speed 10
 * dsp run --tasks-from runs.jsonl --approx openai-compatible:approx@http://127.0.0.1:8787/v1 \
 *   --target openai-compatible:target@http://127.0.0.1:8787/v1 --policy fixed:3
 * ```
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { checkLoopbackHost, minReplaySpeed, type ReplayServer, type ReplayStats, startReplayServer } from '../../server/replay-server.js';
import { loadTraces } from '../../traces/format.js';
import { traceFilesOf } from '../../suite/embedded-suites.js';
import type { CliIo, OutputStream } from '../io.js';
import { listOption, parseDecimalNumber, parseWholeNumber, splitList } from '../options.js';

/** The options of `dsp serve`. */
export interface ServeOptions {
  /** The trace files to replay, or folders of them (their `.jsonl` files); each text may list several with commas. */
  traces: string | readonly string[];
  /** The port; 0 picks a free one. Default 8787. */
  port?: number;
  /** The loopback address. Default 127.0.0.1. */
  host?: string;
  /** Latency divisor. Default 1 (recorded speed). */
  speed?: number;
}

/** The defaults of `dsp serve`. */
export const serveDefaults = { port: 8787, host: '127.0.0.1', speed: 1 } as const;

/** Reads the traces and starts the server; prints where it listens on `stdout`. */
export async function startServeCommand(options: ServeOptions, stdout: OutputStream): Promise<ReplayServer> {
  const host = options.host ?? serveDefaults.host;
  checkLoopbackHost(host, '--host');
  const paths = traceFilesOf(splitList(typeof options.traces === 'string' ? [options.traces] : options.traces));
  if (paths.length === 0) throw new InvalidInputError('no trace file given', { source: '--traces' });
  const traces = paths.flatMap((path) => loadTraces(path));
  const port = options.port ?? serveDefaults.port;
  const server = await startReplayServer({ traces, host, port, speed: options.speed ?? serveDefaults.speed }).catch((error: unknown) => {
    throw listenFailure(error, host, port) ?? error;
  });
  const tasks = new Set(traces.map((trace) => trace.task)).size;
  stdout.write(
    `dsp serve: replaying ${traces.length} traces (${tasks} tasks) from ${paths.join(', ')} at speed ×${options.speed ?? serveDefaults.speed}\n` +
      `  OpenAI-compatible API: ${server.url} (models: approx, target); counters: ${server.url.replace(/\/v1$/, '')}/stats\n` +
      `  e.g. --approx openai-compatible:approx@${server.url} --target openai-compatible:target@${server.url}\n`,
  );
  return server;
}

/**
 * A port that is taken or not ours to use, told as the user's mistake (exit code 2) naming `--port` and the way out,
 * rather than Node's `listen EADDRINUSE`; undefined for any other failure.
 */
function listenFailure(error: unknown, host: string, port: number): InvalidInputError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new InvalidInputError(`${host}:${port} is already in use (another dsp serve?); give another port, or --port 0 for a free one`, {
      source: '--port',
    });
  }
  if (code === 'EACCES') {
    return new InvalidInputError(`not allowed to listen on ${host}:${port}; give a port above 1023, or --port 0 for a free one`, { source: '--port' });
  }
  return undefined;
}

/** The counters on one line (pure). */
export function renderServeStats(stats: ReplayStats): string {
  return (
    `dsp serve: ${stats.requests} requests, ${stats.completed} completed, ${stats.aborted} aborted by the client, ` +
    `${stats.failed} failed, ${stats.offTrace} off the recorded plan`
  );
}

/**
 * Adds `dsp serve` to a Commander program. It runs until `io.signal` aborts (Ctrl-C or SIGTERM), then prints its
 * counters. Start-up failures (unreadable traces, a busy port, a non-loopback host) are thrown to the program's
 * caller.
 */
export function registerServeCommand(program: Command, io: CliIo): Command {
  return program
    .command('serve')
    .description('replay recorded traces as a local OpenAI-compatible server (models approx and target)')
    .addOption(listOption('--traces <files...>', 'dsp-trace/1 files (JSON Lines), or folders of them (their .jsonl files)').makeOptionMandatory())
    .option(
      '--port <n>',
      'the port (0 = any free port)',
      (text: string) => parseWholeNumber(text, '--port', 0, 65535),
      serveDefaults.port,
    )
    .option('--host <address>', 'a loopback address', serveDefaults.host)
    .option(
      '--speed <factor>',
      'replay latencies this many times faster (e.g. 10)',
      (text: string) =>
        parseDecimalNumber(text, '--speed', `a decimal number ≥ ${minReplaySpeed} (${1 / minReplaySpeed} times slower)`, (value) => value >= minReplaySpeed),
      serveDefaults.speed,
    )
    .addHelpText(
      'after',
      "\nExamples (from the package's folder: data/examples/ holds a small example for dsp run, and tool-agent.jsonl for\n" +
        'speculate() tool agents, answered with native tool_calls):\n' +
        '  $ dsp serve --traces data/examples/openagi-mini.jsonl --port 8787 --speed 10\n' +
        '  $ dsp serve --traces data/examples --port 0 --speed 20\n' +
        '  $ dsp serve --traces data/examples/tool-agent.jsonl --port 8787\n',
    )
    .action(async (options: ServeOptions) => {
      const { signal } = io;
      const server = await startServeCommand(options, io.stdout);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      io.stdout.write(`${renderServeStats(server.stats())}\n`);
      await server.close();
    });
}
