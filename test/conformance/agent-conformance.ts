/**
 * The conformance suite every agent adapter backend must pass (abort, usage mapping, error mapping), in the manner
 * of hono's shared router cases. A backend supplies models that behave in a few fixed ways; the suite drives them
 * through `createAiSdkAgent` exactly as the engine does. Run against the AI SDK's mock model
 * (`src/agents/ai-sdk.test.ts`) and against `dsp serve` over real HTTP (`src/server/replay-server.conformance.test.ts`).
 */
import type { LanguageModel } from 'ai';
import { describe, expect, it } from 'vitest';
import { createAiSdkAgent } from '../../src/agents/ai-sdk.js';
import { isUnparsedAction } from '../../src/agents/action-space.js';
import { isModelCallError, isNoActionError } from '../../src/agents/errors.js';
import type { ParseFailure } from '../../src/agents/strategies.js';
import { countPromptTokens, encodingForModel, loadTokenCounter } from '../../src/agents/tokenizer.js';
import { SpeculationCancelledError } from '../../src/core/errors.js';
import type { Action, AgentContext, Usage } from '../../src/core/types.js';
import { openAgiActionSpace } from '../../src/envs/openagi/actions.js';

/** A model plus the context to call it with. */
export interface ConformanceCase {
  model: LanguageModel;
  context: AgentContext;
}

/** What a backend must provide. Each case function returns a fresh case. */
export interface ConformanceBackend {
  /** Answers with `expectedAction` and reports exactly `expectedUsage` (reasoning tokens included). */
  answering: () => ConformanceCase & { expectedAction: Action; expectedUsage: Usage; expectedModel: string };
  /** Streams some text, then stalls until cancelled (or for far longer than the test). */
  stalling: () => ConformanceCase;
  /** Fails with an HTTP status; `attempts()` counts the requests the model received. */
  failing: () => ConformanceCase & { expectedStatus: number; expectedMessage: RegExp; attempts: () => number };
  /** Cannot be reached at all; `attempts()` counts connection attempts. */
  unreachable: () => ConformanceCase & { attempts: () => number };
  /** Answers a reply that names no action. */
  unparsable: () => ConformanceCase;
  /** The messages (system, user) of the last request the backend received. */
  lastRequestMessages: () => string[];
  /** Requests the backend received so far. */
  requestCount: () => number;
}

interface CallRecorder {
  partials: Usage[];
  options: { signal: AbortSignal; reportPartialUsage: (usage: Usage) => void };
}

function recorder(signal: AbortSignal): CallRecorder {
  const partials: Usage[] = [];
  return { partials, options: { signal, reportPartialUsage: (usage) => partials.push(usage) } };
}

/** Registers the conformance tests for one backend. */
export function describeAgentConformance(name: string, backend: ConformanceBackend): void {
  describe(`agent adapter conformance: ${name}`, () => {
    it('answers the action and maps the provider usage field by field, reasoning tokens kept, nothing estimated', async () => {
      const { model, context, expectedAction, expectedUsage, expectedModel } = backend.answering();
      const agent = createAiSdkAgent({ model, actionSpace: openAgiActionSpace });
      const calls = recorder(new AbortController().signal);
      const result = await agent(context, calls.options);
      expect(result.action).toEqual(expectedAction);
      expect(result.usage).toEqual(expectedUsage);
      expect(result.usage?.estimated).toBeUndefined();
      expect(result.model).toBe(expectedModel);
    });

    it('rejects with the abort reason when cancelled mid-stream and bills an estimate of input and streamed output', async () => {
      const { model, context } = backend.stalling();
      const controller = new AbortController();
      const reason = new SpeculationCancelledError({ round: 0, lastCommittedStep: context.step - 1, why: 'round-ended' });
      const partials: Usage[] = [];
      const agent = createAiSdkAgent({ model, actionSpace: openAgiActionSpace });
      const call = agent(context, {
        signal: controller.signal,
        reportPartialUsage: (usage) => {
          partials.push(usage);
          // Cancel once some output has streamed, as the engine would at a break.
          if ((usage.outputTokens ?? 0) > 0 && !controller.signal.aborted) controller.abort(reason);
        },
      });
      await expect(call).rejects.toBe(reason);
      const billed = partials[partials.length - 1]!;
      const counter = await loadTokenCounter(encodingForModel(modelName(model)));
      expect(billed.estimated).toBe(true);
      expect(billed.inputTokens).toBe(countPromptTokens(counter, backend.lastRequestMessages()));
      expect(billed.outputTokens).toBeGreaterThan(0);
    });

    it('rejects at once without a request when the signal is already aborted', async () => {
      const { model, context } = backend.stalling();
      const before = backend.requestCount();
      const controller = new AbortController();
      const reason = new SpeculationCancelledError({ round: 0, lastCommittedStep: 0, why: 'task-failed' });
      controller.abort(reason);
      const agent = createAiSdkAgent({ model, actionSpace: openAgiActionSpace });
      await expect(agent(context, recorder(controller.signal).options)).rejects.toBe(reason);
      expect(backend.requestCount()).toBe(before);
    });

    it('maps an HTTP failure to a ModelCallError with its status, and makes exactly one attempt (no retries)', async () => {
      const { model, context, expectedStatus, expectedMessage, attempts } = backend.failing();
      const agent = createAiSdkAgent({ model, actionSpace: openAgiActionSpace });
      const error: unknown = await agent(context, recorder(new AbortController().signal).options).catch((caught: unknown) => caught);
      expect(isModelCallError(error)).toBe(true);
      if (!isModelCallError(error)) return;
      expect(error.statusCode).toBe(expectedStatus);
      expect(error.message).toMatch(expectedMessage);
      expect(error.message).toContain(modelName(model));
      expect(attempts()).toBe(1);
    });

    it('maps an unreachable server to a retryable ModelCallError without retrying', async () => {
      const { model, context, attempts } = backend.unreachable();
      const agent = createAiSdkAgent({ model, actionSpace: openAgiActionSpace });
      const error: unknown = await agent(context, recorder(new AbortController().signal).options).catch((caught: unknown) => caught);
      expect(isModelCallError(error)).toBe(true);
      if (!isModelCallError(error)) return;
      expect(error.statusCode).toBeUndefined();
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/connect/i);
      expect(attempts()).toBe(1);
    });

    it('turns a reply with no parsable action into NoActionError (target) or a logged never-matching guess (approx)', async () => {
      const targetCase = backend.unparsable();
      const target = createAiSdkAgent({ model: targetCase.model, actionSpace: openAgiActionSpace, onUnparsable: 'throw' });
      const error: unknown = await target(targetCase.context, recorder(new AbortController().signal).options).catch(
        (caught: unknown) => caught,
      );
      expect(isNoActionError(error)).toBe(true);
      expect((error as Error).message).toMatch(/no parsable action/);

      const approxCase = backend.unparsable();
      const failures: ParseFailure[] = [];
      const approx = createAiSdkAgent({
        model: approxCase.model,
        actionSpace: openAgiActionSpace,
        onUnparsable: 'mismatch',
        onParseFailure: (failure) => failures.push(failure),
      });
      const result = await approx(approxCase.context, recorder(new AbortController().signal).options);
      expect(isUnparsedAction(result.action)).toBe(true);
      expect(openAgiActionSpace.actionsMatch(result.action, 'TERMINATE')).toBe(false);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.outcome).toBe('mismatch');
    });
  });
}

function modelName(model: LanguageModel): string {
  return typeof model === 'string' ? model : model.modelId;
}
