/**
 * The public API of dsp-agent, listed by name.
 */
export { runTask, engineDefaults, type RunTaskOptions } from './engine/run-task.js';
export { replaySuite, type ReplaySuiteOptions, type SuiteRun, type PolicyBuilder } from './suite/replay-suite.js';
export { runSuite, type RunSuiteOptions } from './suite/run-suite.js';
export { canonicalAction, exactMatch, type ActionsMatch } from './core/actions.js';
export type {
  Action,
  Agent,
  AgentCallOptions,
  AgentContext,
  AgentResult,
  CallRecord,
  CallStatus,
  JsonValue,
  Role,
  RoundRecord,
  TaskInput,
  TaskMetrics,
  TaskResult,
  Usage,
} from './core/types.js';
export {
  effectClasses,
  type EffectClass,
  type Environment,
  type ExecuteOptions,
  type StateStore,
  type Step,
  type ToolRecord,
  type ToolStatus,
} from './core/environment.js';

export { RealClock, type Clock } from './core/clock.js';
export { VirtualClock } from './core/virtual-clock.js';

export type { KPolicy, RoundState } from './core/policy.js';
export { sequentialPolicy, fixedPolicy, additivePolicy, oraclePolicy } from './policies/basic.js';
export { parsePolicySpec, parsePolicyList, type PolicySpec, type PolicyContext } from './policies/registry.js';
export { createPolicy, type CreatePolicyOptions } from './suite/create-policy.js';

// The learned DSP policy: predictor maths, trainers (in-process and worker thread), persistence, evaluation.
export {
  createDspPolicy,
  DspPolicy,
  dspDefaults,
  parseDspOptions,
  Featurizer,
  expectileLoss,
  expectileGradient,
  lambdaReturns,
  SegmentBuilder,
  segmentLabels,
  ReplayBuffer,
  InProcessTrainer,
  WorkerTrainer,
  evaluateOnline,
  loadKDataset,
  type DspSettings,
  type DspRuntimeOptions,
  type Trainer,
  type EvaluationResult,
} from './predictor/index.js';

export { taskMetrics, suiteMetrics, type SuiteMetrics } from './ledger/metrics.js';
export { builtinPriceTable, costOf, type PriceTable, type ModelPrice } from './ledger/prices.js';
export { loadPriceTable } from './io/price-file.js';

export { traceSchema, type Trace, type TraceCall, type TraceStep, type TraceTool } from './traces/schema.js';
export { loadTraces, parseTraces, writeTraces } from './traces/load.js';
export { replaySetup, type ReplaySetup } from './traces/replay.js';
export { generateSyntheticTraces, type SyntheticOptions, type SyntheticToolOptions } from './traces/synthetic.js';

export { runBench, benchRows, combinedSummary, type BenchRow, type BenchSummary } from './suite/bench.js';

// Live agents: planning strategies over any action space, the OpenAGI environment, providers by spec string,
// recording, and the OpenAI-compatible replay server. The AI SDK adapter is the subpath `dsp-agent/ai-sdk`.
export {
  strategies,
  strategyNames,
  strategyByName,
  runStrategy,
  createStrategyAgent,
  CallSession,
  systemPrompt,
  type PlanningStrategy,
  type StrategyName,
  type StrategyResult,
  type StrategyAgentOptions,
  type ModelCaller,
  type ModelRequest,
  type ModelReply,
} from './agents/strategies.js';
export { createNamedActionSpace, canonicalName, unparsedAction, isUnparsedAction } from './agents/action-space.js';
export type { ActionSpace, ActionParse } from './agents/action-space.js';
export { traceFromTaskResult, TraceRecorder } from './traces/recorder.js';
export * from './envs/openagi/index.js';
export {
  createLanguageModel,
  parseModelSpec,
  formatModelSpec,
  redactSecrets,
  MissingApiKeyError,
  isMissingApiKeyError,
  apiKeyVariables,
  providerNames,
  type ModelSpec,
  type ProviderName,
} from './providers/providers.js';
export { startReplayServer, isLoopbackHost, type ReplayServer, type ReplayStats } from './server/replay-server.js';

export {
  DspError,
  TargetCallError,
  SpeculationCancelledError,
  InvalidInputError,
  CorruptStateError,
  isTargetCallError,
  isSpeculationCancelledError,
  isInvalidInputError,
} from './core/errors.js';
