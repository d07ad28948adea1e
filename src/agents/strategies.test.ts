import { describe, expect, it } from 'vitest';
import { SpeculationCancelledError } from '../core/errors.js';
import type { AgentContext, Usage } from '../core/types.js';
import { openAgiActionSpace } from '../envs/openagi/actions.js';
import { isNoActionError } from './errors.js';
import { type CallKind, parsePromptHeader } from './prompt-format.js';
import {
  type ModelCaller,
  type ModelRequest,
  type RequestKind,
  createStrategyAgent,
  runStrategy,
  strategies,
  strategyByName,
} from './strategies.js';

const input = {
  task: { id: 'task-3', text: 'Given blurry grayscale image, how to return the regular image step by step?' },
  prefix: ['Image Deblurring'],
  actionSpace: openAgiActionSpace,
};

/** A fake model: answers by call kind, 10 input and 2 output tokens per call, and records every request. */
function fakeModel(answer: (request: ModelRequest) => string = () => '<tool>Colorization</tool>') {
  const requests: ModelRequest[] = [];
  const inFlight: RequestKind[] = [];
  let peak = 0;
  const callModel: ModelCaller = async (request) => {
    requests.push(request);
    inFlight.push(request.kind);
    peak = Math.max(peak, inFlight.length);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight.splice(inFlight.indexOf(request.kind), 1);
    return { text: answer(request), usage: { inputTokens: 10, outputTokens: 2 }, model: 'fake' };
  };
  return { callModel, requests, peak: () => peak };
}

describe('strategies', () => {
  it('make one call for direct and cot, two for react and five for debate, summing their usage', async () => {
    const expectedKinds: Record<string, CallKind[]> = {
      direct: ['direct'],
      cot: ['cot'],
      react: ['react-thought', 'react-action'],
      debate: ['debate-1a', 'debate-1b', 'debate-2a', 'debate-2b', 'debate-final'],
    };
    for (const strategy of Object.values(strategies)) {
      const model = fakeModel();
      const result = await runStrategy(strategy, input, model.callModel, { signal: new AbortController().signal });
      expect(model.requests.map((request) => request.kind)).toEqual(expectedKinds[strategy.name]);
      expect(result.calls).toBe(strategy.callsPerStep);
      expect(result.usage).toEqual({ inputTokens: 10 * strategy.callsPerStep, outputTokens: 2 * strategy.callsPerStep });
      expect(result.model).toBe('fake');
      // Every prompt's header is readable by the replay server.
      for (const request of model.requests) {
        expect(parsePromptHeader(request.prompt)).toEqual({ kind: request.kind, task: input.task.text, prefix: input.prefix });
        expect(request.system).toContain('- Image Deblurring: removes blur from an image (image → image)');
      }
    }
  });

  it('react shows the thought to the action call', async () => {
    const model = fakeModel((request) => (request.kind === 'react-thought' ? 'It still needs colour.' : '<tool>Colorization</tool>'));
    const result = await runStrategy(strategies.react, input, model.callModel, { signal: new AbortController().signal });
    expect(model.requests[1]!.prompt).toContain('Thought: It still needs colour.');
    expect(result.finalReply).toBe('<tool>Colorization</tool>');
  });

  it('debate runs the debaters of a round together and shows every turn to the judge', async () => {
    const model = fakeModel((request) => `${request.kind} says <tool>Colorization</tool>`);
    await runStrategy(strategies.debate, input, model.callModel, { signal: new AbortController().signal });
    expect(model.peak()).toBe(2);
    const byKind = new Map(model.requests.map((request) => [request.kind, request.prompt]));
    expect(byKind.get('debate-2a')).toContain('Round 1, debater B:\ndebate-1b says');
    for (const turn of ['debate-1a', 'debate-1b', 'debate-2a', 'debate-2b']) {
      expect(byKind.get('debate-final')).toContain(`${turn} says`);
    }
  });

  it('reports the running usage, and on cancel rejects with the reason after billing finished and partial calls', async () => {
    const controller = new AbortController();
    const reason = new SpeculationCancelledError({ round: 0, lastCommittedStep: 1, why: 'round-ended' });
    const callModel: ModelCaller = (request, options) =>
      request.kind === 'react-thought'
        ? Promise.resolve({ text: 'thinking', usage: { inputTokens: 100, outputTokens: 20 } })
        : new Promise((_resolve, reject) => {
            options.onPartialUsage({ inputTokens: 120, outputTokens: 3, estimated: true });
            options.signal.addEventListener('abort', () => reject(options.signal.reason), { once: true });
            controller.abort(reason);
          });
    const reports: Usage[] = [];
    const run = runStrategy(strategies.react, input, callModel, {
      signal: controller.signal,
      reportPartialUsage: (usage) => reports.push(usage),
    });
    await expect(run).rejects.toBe(reason);
    expect(reports[reports.length - 1]).toEqual({ inputTokens: 220, outputTokens: 23, estimated: true });
  });

  it('debate cancels the other debater when one fails, and throws the failure', async () => {
    const failure = new Error('overloaded');
    let siblingCancelled = false;
    const callModel: ModelCaller = (request, options) =>
      request.kind === 'debate-1a'
        ? Promise.reject(failure)
        : new Promise((_resolve, reject) => {
            options.signal.addEventListener('abort', () => {
              siblingCancelled = true;
              reject(options.signal.reason);
            });
          });
    await expect(runStrategy(strategies.debate, input, callModel, { signal: new AbortController().signal })).rejects.toBe(failure);
    expect(siblingCancelled).toBe(true);
  });

  it('names the valid strategies for an unknown one', () => {
    expect(() => strategyByName('tree-of-thought')).toThrow('unknown strategy "tree-of-thought"; valid strategies: direct, cot, react, debate');
  });
});

describe('createStrategyAgent', () => {
  const context: AgentContext = { task: input.task, prefix: input.prefix, step: 2, speculative: false };
  const options = { signal: new AbortController().signal, reportPartialUsage: () => undefined };

  it('returns the parsed action, the summed usage and the model', async () => {
    const agent = createStrategyAgent({ strategy: 'react', actionSpace: openAgiActionSpace, callModel: fakeModel().callModel });
    expect(await agent(context, options)).toEqual({ action: 'Colorization', usage: { inputTokens: 20, outputTokens: 4 }, model: 'fake' });
  });

  it('throws NoActionError by default for a reply with no action, and reports the failure', async () => {
    const failures: unknown[] = [];
    const agent = createStrategyAgent({
      strategy: 'direct',
      actionSpace: openAgiActionSpace,
      callModel: fakeModel(() => 'Hmm.').callModel,
      onParseFailure: (failure) => failures.push(failure),
    });
    const error: unknown = await agent(context, options).catch((caught: unknown) => caught);
    expect(isNoActionError(error)).toBe(true);
    expect(failures).toEqual([{ taskId: 'task-3', step: 2, reason: expect.any(String) as string, reply: 'Hmm.', outcome: 'throw' }]);
  });
});
