/**
 * `speculate` on the mock tool agent scenario (test/fixtures/tool-agent-scenario.ts: mock models, tools on real
 * timers, A wrong at one step): wall-clock time of the target alone and of speculative policies, and how much faster
 * speculation is. The target: at least 20% faster than `sequential`.
 *
 *   npm run build && node --import tsx bench/speculate-tools.ts [--json]
 *
 * It measures the compiled library in dist/ (what users run).
 */
import { preloadTokenCounters, speculate } from '../dist/ai-sdk.js';
import { toolAgentScenario } from '../test/fixtures/tool-agent-scenario.js';

const json = process.argv.includes('--json');
const repeats = 5;
const prompt = 'Find me a flight to Paris, check the weather, note it down and mail the notes to Ada.';

/** Median wall-clock milliseconds of a run under `policy`, and what the run committed. */
async function measure(policy: string, streaming: boolean): Promise<{ ms: number; text: string; sends: number }> {
  const times: number[] = [];
  let text = '';
  let sends = 0;
  for (let index = 0; index < repeats; index += 1) {
    const scenario = toolAgentScenario({ streaming });
    const agent = speculate({ ...scenario, policy, settings: { streaming } });
    const start = performance.now();
    const result = await agent.run(prompt);
    times.push(performance.now() - start);
    await agent.close();
    text = result.text;
    sends = scenario.log.outbox.length;
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(repeats / 2)]!, text, sends };
}

// Build the tokenizer first: building it during a timed run would stall the event loop for a second.
await preloadTokenCounters(['approx-mock', 'target-mock']);

const figures: Record<string, { sequentialMs: number; speculativeMs: number; fasterPercent: number; sameText: boolean; sends: number }> = {};
for (const streaming of [true, false]) {
  const sequential = await measure('sequential', streaming);
  const speculative = await measure('fixed:4', streaming);
  figures[streaming ? 'streaming' : 'non-streaming'] = {
    sequentialMs: Math.round(sequential.ms),
    speculativeMs: Math.round(speculative.ms),
    fasterPercent: Math.round((1 - speculative.ms / sequential.ms) * 1000) / 10,
    sameText: speculative.text === sequential.text,
    sends: speculative.sends,
  };
}
if (json) {
  console.log(JSON.stringify(figures));
} else {
  for (const [mode, figure] of Object.entries(figures)) {
    console.log(
      `${mode}: sequential ${figure.sequentialMs} ms, fixed:4 ${figure.speculativeMs} ms — ${figure.fasterPercent}% faster ` +
        `(same answer: ${figure.sameText ? 'yes' : 'no'}; mails sent: ${figure.sends})`,
    );
  }
}
