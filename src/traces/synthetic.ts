/**
 * A seeded generator of synthetic traces, for tests and the built-in demo suite. Every figure is a parameter;
 * the same parameters and seed give the same traces.
 */
import { seededRandom, logNormal } from '../core/rng.js';
import type { Trace, TraceCall } from './schema.js';

/** Parameters of the synthetic generator. Latencies in milliseconds. */
export interface SyntheticOptions {
  /** Suite name. Default `synthetic`. */
  suite?: string;
  /** Number of tasks. Default 60. */
  tasks?: number;
  seed?: number;
  /**
   * Mean probability that A's guess equals T's action at a step. Tasks come in six families whose accuracies are
   * spread evenly over ± `accuracySpread` / 2 around it (some kinds of task are easier for A, as real ones are);
   * the family is named in the task text. Default 0.7 ± 0.4.
   */
  approxAccuracy?: number;
  accuracySpread?: number;
  /** Plan lengths, terminal step included. Default 3 to 9. */
  minSteps?: number;
  maxSteps?: number;
  /** Median and log-space spread of A's and T's latency. Default A 800 ms, T 5,000 ms, σ 0.3. */
  approxLatencyMs?: number;
  targetLatencyMs?: number;
  latencySigma?: number;
  /** Mean tokens per call. */
  approxInputTokens?: number;
  approxOutputTokens?: number;
  targetInputTokens?: number;
  targetOutputTokens?: number;
  /** Models named in the traces (priced by the price table). Default gpt-4.1-mini and gpt-4.1. */
  models?: { approx: string; target: string };
}

const toolNames = [
  'Image Deblurring',
  'Image Denoising',
  'Image Super Resolution',
  'Colorization',
  'Image Classification',
  'Object Detection',
  'Image Captioning',
  'Text Summarization',
  'Machine Translation',
  'Sentiment Analysis',
  'Question Answering',
  'Text to Image Generation',
];
const terminalAction = 'TERMINATE';
const families = [
  'restore a damaged photo',
  'caption a picture in German',
  'summarise and translate a report',
  'answer a question about an image',
  'classify objects in a scene',
  'generate an image from a story',
];

/** Generates a synthetic suite. */
export function generateSyntheticTraces(options: SyntheticOptions = {}): Trace[] {
  const random = seededRandom(options.seed ?? 1);
  const suite = options.suite ?? 'synthetic';
  const taskCount = options.tasks ?? 60;
  const meanAccuracy = options.approxAccuracy ?? 0.7;
  const spread = options.accuracySpread ?? 0.4;
  const minSteps = options.minSteps ?? 3;
  const maxSteps = Math.max(minSteps, options.maxSteps ?? 9);
  const sigma = options.latencySigma ?? 0.3;
  const models = options.models ?? { approx: 'gpt-4.1-mini', target: 'gpt-4.1' };

  const call = (action: string, medianMs: number, inputTokens: number, outputTokens: number): TraceCall => ({
    action,
    latencyMs: Math.round(logNormal(random, medianMs, sigma)),
    inputTokens: Math.max(1, Math.round(logNormal(random, inputTokens, 0.2))),
    outputTokens: Math.max(1, Math.round(logNormal(random, outputTokens, 0.3))),
  });

  const traces: Trace[] = [];
  for (let taskIndex = 0; taskIndex < taskCount; taskIndex += 1) {
    const family = Math.floor(random() * families.length);
    const accuracy = Math.min(1, Math.max(0, meanAccuracy + spread * (family / (families.length - 1) - 0.5)));
    const length = minSteps + Math.floor(random() * (maxSteps - minSteps + 1));
    const steps: Trace['steps'] = [];
    for (let stepIndex = 0; stepIndex < length; stepIndex += 1) {
      const isLast = stepIndex === length - 1;
      const targetAction = isLast ? terminalAction : toolNames[Math.floor(random() * toolNames.length)]!;
      let guess = targetAction;
      if (random() >= accuracy) {
        const others = [...toolNames, terminalAction].filter((name) => name !== targetAction);
        guess = others[Math.floor(random() * others.length)]!;
      }
      steps.push({
        target: call(targetAction, options.targetLatencyMs ?? 5000, options.targetInputTokens ?? 900, options.targetOutputTokens ?? 120),
        approx: call(guess, options.approxLatencyMs ?? 800, options.approxInputTokens ?? 400, options.approxOutputTokens ?? 12),
      });
    }
    traces.push({
      format: 'dsp-trace/1',
      id: `${suite}/task-${taskIndex + 1}`,
      suite,
      task: `Synthetic task ${taskIndex + 1}: ${families[family]!}, step by step`,
      timing: 'synthetic',
      models,
      steps,
    });
  }
  return traces;
}
