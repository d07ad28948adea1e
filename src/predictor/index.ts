/** The DSP predictor's public surface: the learned `dsp` policy, its maths, trainers, persistence and evaluation. */
export { createDspPolicy, DspPolicy, dspDefaults, dspOptionRules, parseDspOptions } from './policy/dsp-policy.js';
export type { DspRuntimeOptions, DspSettings } from './policy/dsp-policy.js';
export { Featurizer, featureDimension, featurizerVersion, denseFeatureCount, defaultHashBits } from './maths/features.js';
export type { FeaturizerOptions, PredictorState, SparseVector, StepOutcome } from './maths/features.js';
export { expectileGradient, expectileLoss } from './maths/loss.js';
export { lambdaReturns } from './maths/returns.js';
export type { Bootstrap } from './maths/returns.js';
export { readRound, SegmentBuilder } from './maths/labels.js';
export type { RoundLabelling } from './maths/labels.js';
export { segmentLabels } from './maths/segment.js';
export type { Segment } from './maths/segment.js';
export { ReplayBuffer } from './maths/replay-buffer.js';
export { TrainerCore } from './training/trainer-core.js';
export type { TrainerSettings, TrainerStateData, TrainingReport } from './training/trainer-core.js';
export { InProcessTrainer, runTrainingJob, warnOnStderr } from './training/trainer.js';
export type { Trainer, TrainerFault, TrainerOptions, TrainerStats } from './training/trainer.js';
export { WorkerTrainer } from './training/worker-trainer.js';
export type { WorkerTrainerOptions } from './training/worker-trainer.js';
export {
  linearModelDescription,
  loadPredictorState,
  parsePredictorState,
  predictorStateFormat,
  savePredictorState,
  serializePredictorState,
} from './persistence/state-codec.js';
export type { PredictorModelDescription, PredictorSnapshot } from './persistence/state-codec.js';
export { loadBaselineLog, loadKDataset, parseKDataset, parseStateText } from './evaluation/dataset.js';
export type { BaselinePrediction, DatasetItem, DatasetState, KDataset } from './evaluation/dataset.js';
export { calibrationTable, evaluateOnline, summarizePredictions } from './evaluation/evaluate.js';
export type { CalibrationRow, EvaluateOptions, EvaluationResult, PredictionRecord, PredictionSummary } from './evaluation/evaluate.js';
