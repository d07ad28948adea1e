/**
 * The DSP predictor's public surface, by part: the learned `dsp` policy and its wiring, its maths, trainers,
 * persistence and evaluation (docs/predictor.md describes each part).
 */

// The policy with its real adapters (worker trainer, file store), and the I/O-free policy itself.
export { createDspPolicy } from './create-dsp-policy.js';
export type { DspRuntimeOptions } from './create-dsp-policy.js';
export { DspPolicy } from './policy/dsp-policy.js';
export type { DspPolicyOptions } from './policy/dsp-policy.js';
export { dspDefaults, dspOptionRules, parseDspOptions } from './policy/dsp-settings.js';
export type { DspSettings } from './policy/dsp-settings.js';
export { linearModelDescription } from './policy/predictor-state.js';
export type { PredictorModelDescription, PredictorSnapshot, PredictorStateStore } from './policy/predictor-state.js';

// Maths: pure, no I/O.
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

// Training: the shared core, the trainer interface, the in-process and worker-thread trainers.
export { TrainerCore } from './training/trainer-core.js';
export type { TrainerSettings, TrainerStateData, TrainingReport } from './training/trainer-core.js';
export { runTrainingJob, warnOnStderr } from './training/trainer.js';
export type { Trainer, TrainerFactory, TrainerFault, TrainerOptions, TrainerStats } from './training/trainer.js';
export { InProcessTrainer, inProcessTrainerFactory } from './training/in-process-trainer.js';
export { WorkerTrainer, workerTrainerFactory } from './training/worker-trainer.js';
export type { WorkerTrainerOptions } from './training/worker-trainer.js';

// Persistence: the state format and the stores.
export { parsePredictorState, predictorStateFormat, serializePredictorState } from './persistence/state-codec.js';
export { FileStateStore, loadPredictorState, savePredictorState } from './persistence/file-state-store.js';
export { MemoryStateStore } from './persistence/memory-state-store.js';

// Evaluation on the authors' datasets (`dsp eval-predictor`).
export { loadBaselineLog, loadKDataset, parseKDataset, parseStateText } from './evaluation/dataset.js';
export type { BaselinePrediction, DatasetItem, DatasetState, KDataset } from './evaluation/dataset.js';
export { calibrationTable, evaluateOnline, summarizePredictions } from './evaluation/evaluate.js';
export type { CalibrationRow, EvaluateOptions, EvaluationResult, PredictionRecord, PredictionSummary } from './evaluation/evaluate.js';
