/** The DSP predictor's public surface: the learned `dsp` policy, its maths, trainers, persistence and evaluation. */
export { createDspPolicy, DspPolicy, dspDefaults, dspOptionRules, parseDspOptions } from './dsp-policy.js';
export type { DspRuntimeOptions, DspSettings } from './dsp-policy.js';
export { Featurizer, featureDimension, featurizerVersion, denseFeatureCount, defaultHashBits } from './features.js';
export type { FeaturizerOptions, PredictorState, SparseVector, StepOutcome } from './features.js';
export { expectileGradient, expectileLoss } from './loss.js';
export { lambdaReturns } from './returns.js';
export type { Bootstrap } from './returns.js';
export { readRound, SegmentBuilder } from './labels.js';
export type { RoundLabelling } from './labels.js';
export { segmentLabels } from './segment.js';
export type { Segment } from './segment.js';
export { ReplayBuffer } from './replay-buffer.js';
export { TrainerCore } from './trainer-core.js';
export type { TrainerSettings, TrainerStateData, TrainingReport } from './trainer-core.js';
export { InProcessTrainer, runTrainingJob, warnOnStderr } from './trainer.js';
export type { Trainer, TrainerFault, TrainerOptions, TrainerStats } from './trainer.js';
export { WorkerTrainer } from './worker-trainer.js';
export type { WorkerTrainerOptions } from './worker-trainer.js';
export {
  linearModelDescription,
  loadPredictorState,
  parsePredictorState,
  predictorStateFormat,
  savePredictorState,
  serializePredictorState,
} from './persistence.js';
export type { PredictorModelDescription, PredictorSnapshot } from './persistence.js';
export { loadBaselineLog, loadKDataset, parseKDataset, parseStateText } from './dataset.js';
export type { BaselinePrediction, DatasetItem, DatasetState, KDataset } from './dataset.js';
export { calibrationTable, evaluateOnline, summarizePredictions } from './evaluate.js';
export type { CalibrationRow, EvaluateOptions, EvaluationResult, PredictionRecord, PredictionSummary } from './evaluate.js';
