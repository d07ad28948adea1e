/**
 * The entry `dsp-agent/predictor`: the parts of the learned `dsp` policy, for those who want to train, persist or
 * evaluate a predictor themselves. The policy itself (`createDspPolicy`, `createPolicy`) is in the root entry.
 */

// The policy and its settings.
export {
  createDspPolicy,
  DspPolicy,
  dspDefaults,
  dspOptionRules,
  parseDspOptions,
  type DspPolicyOptions,
  type DspRuntimeOptions,
  type DspSettings,
} from './predictor/index.js';

// Maths: features, the expectile loss, λ-returns, segment labels, the replay buffer.
export {
  Featurizer,
  featureDimension,
  featurizerVersion,
  expectileLoss,
  expectileGradient,
  lambdaReturns,
  SegmentBuilder,
  segmentLabels,
  ReplayBuffer,
  type Bootstrap,
  type FeaturizerOptions,
  type PredictorState,
  type RoundLabelling,
  type Segment,
  type SparseVector,
  type StepOutcome,
} from './predictor/index.js';

// Trainers: in-process and on a worker thread.
export {
  InProcessTrainer,
  WorkerTrainer,
  inProcessTrainerFactory,
  workerTrainerFactory,
  type Trainer,
  type TrainerFactory,
  type TrainerFault,
  type TrainerOptions,
  type TrainerSettings,
  type TrainerStateData,
  type TrainerStats,
  type TrainingReport,
  type WorkerTrainerOptions,
} from './predictor/index.js';

// Persistence of a learned state: the stores a `DspPolicy` loads from and saves to, and the file format.
export {
  FileStateStore,
  MemoryStateStore,
  type PredictorStateStore,
  loadPredictorState,
  parsePredictorState,
  predictorStateFormat,
  savePredictorState,
  serializePredictorState,
  type PredictorModelDescription,
  type PredictorSnapshot,
} from './predictor/index.js';

// Evaluation on the DSP authors' k-labelled datasets.
export {
  loadKDataset,
  parseKDataset,
  loadBaselineLog,
  evaluateOnline,
  calibrationTable,
  summarizePredictions,
  type BaselinePrediction,
  type CalibrationRow,
  type DatasetItem,
  type DatasetState,
  type EvaluateOptions,
  type EvaluationResult,
  type KDataset,
  type PredictionRecord,
  type PredictionSummary,
} from './predictor/index.js';
