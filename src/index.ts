/**
 * The root entry `dsp-agent`: the engine and everything that runs without a model SDK, listed by name.
 *
 * It loads no `ai`, no `@ai-sdk/*`, no `node:http`, no vega and no resvg (test/entry-points.test.ts checks it).
 * Adapters are subpaths: `dsp-agent/ai-sdk` (AI SDK agents, providers), `dsp-agent/server` (the replay server),
 * `dsp-agent/report` (results files, charts, HTML and PNG), `dsp-agent/predictor` (the learned policy's parts).
 */

// The engine's vocabulary.
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
export { canonicalAction, exactMatch, type ActionsMatch } from './core/actions.js';
export {
  effectClasses,
  type EffectClass,
  type Environment,
  type ExecuteOptions,
  type StateStore,
  type Step,
  type ToolRecord,
  type ToolModelUsage,
  type ToolStatus,
} from './core/environment.js';

export { RealClock, type Clock } from './core/clock.js';
export { VirtualClock } from './core/virtual-clock.js';
export type { KPolicy, RoundState } from './core/policy.js';
export {
  DspError,
  TargetCallError,
  ToolCallError,
  DeadlineExceededError,
  TaskInterruptedError,
  SpeculationCancelledError,
  InvalidInputError,
  CorruptStateError,
  isTargetCallError,
  isToolCallError,
  isDeadlineExceededError,
  isTaskInterruptedError,
  isSpeculationCancelledError,
  isInvalidInputError,
  isCorruptStateError,
  type ExitCode,
} from './core/errors.js';

// One task: the speculation engine.
export { runTask, engineDefaults, type RunTaskOptions } from './engine/run-task.js';

// k-policies: the training-free ones, policy specs, and the learned `dsp` policy (its parts: `dsp-agent/predictor`).
export { sequentialPolicy, fixedPolicy, additivePolicy, oraclePolicy } from './policies/basic.js';
export { parsePolicySpec, parsePolicyList, type PolicySpec, type PolicyContext } from './policies/registry.js';
export { createPolicy, type CreatePolicyOptions } from './suite/create-policy.js';
export {
  createDspPolicy,
  DspPolicy,
  dspDefaults,
  parseDspOptions,
  type DspSettings,
  type DspRuntimeOptions,
} from './predictor/index.js';

// Metrics and prices.
export { taskMetrics, suiteMetrics, type SuiteMetrics } from './ledger/metrics.js';
export { builtinPriceTable, costOf, findPrice, type FoundPrice, type PriceTable, type ModelPrice } from './ledger/prices.js';
export { loadPriceTable } from './io/price-file.js';

// Traces: the dsp-trace/1 format, replay agents, synthetic traces, recording.
export { traceSchema, type Trace, type TraceCall, type TraceStep, type TraceTool } from './traces/schema.js';
export { loadTraces, parseTraces, writeTraces, formatTraceLine, appendTrace, TraceRecorder } from './traces/format.js';
export { replaySetup, replayMaxSteps, stepsToBreak, type ReplaySetup, type ReplaySetupOptions } from './traces/replay.js';
export { generateSyntheticTraces, type SyntheticOptions, type SyntheticToolOptions } from './traces/synthetic.js';
export { traceFromTaskResult, type TraceMetadata, type TraceFromTaskResultOptions, type InvalidTokenCount } from './traces/from-task-result.js';

// Many tasks: replayed and live suites, bench rows and the figures they show.
export { replaySuite, type ReplaySuiteOptions, type SuiteRun, type PolicyBuilder } from './suite/replay-suite.js';
export {
  runSuite,
  type RunSuiteOptions,
  type SuiteOutcome,
  type SuiteFailure,
  type SuitePosition,
  type RecordedTask,
  type FinishedTask,
} from './suite/run-suite.js';
export { runBench, combinedSummary, type BenchSummary, type BenchSuiteResult, type RunBenchOptions } from './suite/bench.js';
export {
  embeddedSuite,
  defaultSuites,
  defaultSuiteNames,
  availableSuiteNames,
  type Suite,
} from './suite/embedded-suites.js';
export { benchRows, benchColumns, tableColumns, type BenchRow, type BenchColumn } from './suite/bench-row.js';
export { figures, type FigureDescription, type FigureUnit, type FigureTable } from './ledger/figures.js';
export { formatUsd, formatFixed, formatTimes, formatCount } from './ledger/format.js';

// Planning strategies over any action space. They call models through a `ModelCaller`, so they need no model SDK;
// `createAiSdkAgent` in `dsp-agent/ai-sdk` binds them to an AI SDK `LanguageModel`.
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
  type ModelCallOptions,
  type ModelRequest,
  type ModelReply,
  type ParseFailure,
} from './agents/strategies.js';
export { createNamedActionSpace, canonicalName, unparsedAction, isUnparsedAction } from './agents/action-space.js';
export type { ActionSpace, ActionParse, NamedAction, NamedActionSpaceOptions, TextSpan } from './agents/action-space.js';
export { ModelCallError, NoActionError, isModelCallError, isNoActionError } from './agents/errors.js';

// The OpenAGI environment: modules, tasks, the action space, matching and the terminal action.
export {
  openAgiModules,
  terminateAction,
  standardTaskTexts,
  standardTasks,
  standardTaskCount,
  standardTaskId,
  parseTaskSelection,
  selectStandardTasks,
  taskForText,
  normalizeTaskText,
  readTaskFile,
  parseTaskList,
  openAgiActionSpace,
  parseOpenAgiAction,
  openAgiActionsMatch,
  isOpenAgiTerminal,
  type OpenAgiModule,
  type OpenAgiModality,
} from './envs/openagi/index.js';
