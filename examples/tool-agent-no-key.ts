/**
 * A tool agent sped up by `speculate()`, with no API key: both models are served by `dsp serve`, which replays the
 * recorded runs in data/examples/tool-agent.jsonl through OpenAI's native `tools` / `tool_calls`. The tools are
 * real functions; what the models answer comes from the recording. Run from the package's folder:
 *
 *   npx dsp serve --traces data/examples/tool-agent.jsonl --port 8787 &
 *   npx tsx examples/tool-agent-no-key.ts [runs.jsonl]
 *
 * Given a file, it appends the speculative run to it as a trace (`record`), for `dsp bench --traces runs.jsonl`.
 * `DSP_SERVE_URL` points it at another server (default http://127.0.0.1:8787/v1).
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { tool } from 'ai';
import { z } from 'zod';
import { preloadTokenCounters, speculate, type SpeculativeToolContext } from 'dsp-agent/ai-sdk';

const served = createOpenAICompatible({ name: 'dsp', baseURL: process.env.DSP_SERVE_URL ?? 'http://127.0.0.1:8787/v1' });
const outbox: string[] = [];

/** A tool's work: 300 ms, as when the runs were recorded. */
const work = (ms = 300): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const stateOf = (options: { experimental_context?: unknown }) => (options.experimental_context as SpeculativeToolContext).state;

const tools = {
  searchFlights: tool({
    description: 'Search flights to a city',
    inputSchema: z.object({ to: z.string() }),
    execute: async ({ to }) => (await work(), `3 flights to ${to}`),
  }),
  weather: tool({
    description: 'The weather in a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => (await work(), `${city}: 18°C, sunny`),
  }),
  notes: tool({
    description: 'Add a note to the trip notes',
    inputSchema: z.object({ text: z.string() }),
    execute: async ({ text }, options) => {
      const state = stateOf(options);
      state.set('notes', [...((state.get('notes') as string[] | undefined) ?? []), text]);
      return (await work(), 'saved');
    },
  }),
  send: tool({
    description: 'Mail the trip notes',
    inputSchema: z.object({ to: z.string(), body: z.string() }),
    execute: async ({ to, body }) => {
      await work();
      outbox.push(`${to}: ${body}`);
      return `mail ${outbox.length} sent to ${to}`;
    },
  }),
};

// The tokenizer that estimates cancelled calls' usage takes about a second to build: build it before timing.
await preloadTokenCounters(['approx', 'target']);
const record = process.argv[2];
const task = 'Find me a flight to Paris, check the weather, note it down and mail the notes to Ada.';
for (const policy of ['sequential', 'fixed:3']) {
  outbox.length = 0;
  const agent = speculate({
    approx: served('approx'),
    target: served('target'),
    tools,
    // searchFlights and weather may run on a guess; notes on a fork of the state; send (undeclared) only once confirmed.
    effects: { searchFlights: 'pure', weather: 'pure', notes: 'sandboxed' },
    policy,
    system: 'You plan trips with tools.',
    ...(record !== undefined && policy !== 'sequential' ? { record, suite: 'served-trip' } : {}),
  });
  const started = performance.now();
  const result = await agent.run(task);
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  console.log(`${policy}: ${result.steps.length} steps in ${seconds.toFixed(2)} s (speedup estimate ${result.metrics.speedup.toFixed(2)}x)`);
  for (const step of result.steps.slice(0, -1)) {
    const [call] = step.toolResults;
    console.log(`  ${call!.toolName} ${JSON.stringify(call!.input)} -> ${'output' in call! ? JSON.stringify(call.output) : call!.error}`);
  }
  console.log(`  answer: ${result.text}`);
  console.log(`  state: ${JSON.stringify([...result.state])}; mails sent: ${outbox.length}`);
}
