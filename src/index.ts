/**
 * The public API of dsp-agent, listed by name.
 */
export { runTask, engineDefaults, type RunTaskOptions } from './engine/run-task.js';
export { replaySuite, type ReplaySuiteOptions, type SuiteRun, type PolicyBuilder } from './engine/replay-suite.js';
export { runSuite, type RunSuiteOptions } from './engine/run-suite.js';
export { canonicalAction, exactMatch, type ActionsMatch } from './engine/actions.js';
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
} from './engine/types.js';

export { RealClock, type Clock } from './clock/clock.js';
export { VirtualClock } from './clock/virtual-clock.js';

export type { KPolicy, RoundState } from './policies/policy.js';
export { sequentialPolicy, fixedPolicy, additivePolicy, oraclePolicy } from './policies/basic.js';
export { parsePolicySpec, parsePolicyList, type PolicySpec, type PolicyContext } from './policies/registry.js';
export { createPolicy } from './policies/create.js';

export { taskMetrics, suiteMetrics, type SuiteMetrics } from './ledger/metrics.js';
export { builtinPriceTable, costOf, loadPriceTable, type PriceTable, type ModelPrice } from './ledger/prices.js';

export { traceSchema, type Trace, type TraceCall, type TraceStep } from './traces/schema.js';
export { loadTraces, parseTraces, writeTraces } from './traces/load.js';
export { replaySetup, type ReplaySetup } from './traces/replay.js';
export { generateSyntheticTraces, type SyntheticOptions } from './traces/synthetic.js';

export { runBench, benchRows, combinedSummary, type BenchRow, type BenchSummary } from './bench/run-bench.js';

export {
  DspError,
  TargetCallError,
  SpeculationCancelledError,
  InvalidInputError,
  CorruptStateError,
  isTargetCallError,
  isSpeculationCancelledError,
  isInvalidInputError,
} from './errors.js';
