/**
 * The entry `dsp-agent/ai-sdk`: live agents on any AI SDK 6 `LanguageModel`, providers by spec string, tool agents
 * (`speculate`) and live suites (`runLiveSuite`).
 *
 * This entry loads `ai` and the `@ai-sdk/*` providers; the root entry `dsp-agent` never does.
 */

// Agents and single model calls on a `LanguageModel`, with cancellation, usage and estimates.
export {
  createAiSdkAgent,
  createModelCaller,
  callLanguageModel,
  mapLanguageModelUsage,
  modelNameOf,
  type AiSdkAgentOptions,
  type AiSdkCallSettings,
  type LanguageModelCall,
} from './agents/ai-sdk.js';
export { ModelCallError, NoActionError, isModelCallError, isNoActionError } from './agents/errors.js';
export { preloadTokenCounters, encodingForModel, type EncodingName } from './agents/tokenizer.js';
// A's confidence from token log-probabilities (`logprobs: true`; docs/live-agents.md).
export { logprobsRequestFor, logprobsFromProviderMetadata, spanConfidence, type TokenLogprob } from './agents/logprobs.js';
export { compatibleLogprobsExtractor } from './providers/compatible-logprobs.js';

// Providers by spec string: `openai:MODEL`, `deepseek:MODEL`, `anthropic:MODEL`, `openai-compatible:MODEL@URL`.
export {
  createLanguageModel,
  parseModelSpec,
  formatModelSpec,
  redactSecrets,
  MissingApiKeyError,
  isMissingApiKeyError,
  apiKeyVariables,
  providerNames,
  type CreateLanguageModelOptions,
  type ModelSpec,
  type ProviderModel,
  type ProviderName,
} from './providers/providers.js';

// Tool agents through speculative planning, with side-effect safety (docs/tools.md).
export {
  speculate,
  speculateDefaults,
  type SpeculateOptions,
  type SpeculateRunOptions,
  type SpeculativeToolAgent,
  type SpeculativeToolContext,
  type SpeculativeRunResult,
  type SpeculativeStep,
  type SpeculativeToolCall,
  type SpeculativeToolResult,
} from './agents/speculate.js';
export type { EffectClass, StateStore, ToolRecord } from './core/environment.js';

// A live suite: models by spec string, planning strategies, a policy, retries, limits, budgets, telemetry and
// recording, as `dsp run` assembles them (docs/live-agents.md).
export {
  runLiveSuite,
  liveDefaults,
  type LiveAgentSpec,
  type LiveSuiteOptions,
  type LiveSuiteOutcome,
} from './live/live-suite.js';
export { BudgetExceededError, isBudgetExceededError, type BudgetLimits, type BudgetSettings, type Spend } from './live/budget.js';
export { SpeculationSkippedError, isSpeculationSkippedError, type LimiterSettings, type LimiterStats } from './live/limiter.js';
export type { RetrySettings } from './live/retry.js';
export {
  travelPlannerLiveEnvironment,
  type LiveEnvironment,
  type LiveEnvironmentAgentOptions,
  type LiveToolModel,
} from './live/live-environment.js';
