/**
 * A seeded generator of synthetic traces, for tests and the built-in demo suite. Every figure is a parameter;
 * the same parameters and seed give the same traces.
 */
import { seededRandom, logNormal, type Random } from '../core/rng.js';
import type { EffectClass } from '../core/environment.js';
import type { Trace, TraceCall, TraceTool } from './schema.js';

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
  /**
   * Tool steps (docs/tools.md): every action but the terminal one calls a tool, and T's and A's calls record its
   * execution (`tool`: effect class and latency). Each tool name has one effect class for the whole suite. Drawn
   * from a random stream of their own, so the agents' figures are exactly those of the same suite without tools.
   */
  tools?: SyntheticToolOptions;
}

/** Tool steps of a synthetic suite. */
export interface SyntheticToolOptions {
  /** Median latency of a tool execution in ms (log-normal, σ = `latencySigma`). Default 1,500. */
  latencyMs?: number;
  /** The share of tool names in each effect class (normalised). Default pure 0.5, sandboxed 0.3, irreversible 0.2. */
  effects?: Partial<Record<EffectClass, number>>;
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

  const tools = options.tools === undefined ? undefined : toolPlan(options.seed ?? 1, options.tools, sigma);

  const traces: Trace[] = [];
  for (let taskIndex = 0; taskIndex < taskCount; taskIndex += 1) {
    const family = Math.floor(random() * families.length);
    const accuracy = Math.min(1, Math.max(0, meanAccuracy + spread * (family / (families.length - 1) - 0.5)));
    const length = minSteps + Math.floor(random() * (maxSteps - minSteps + 1));
    const steps: Trace['steps'] = [];
    const taskTools = tools?.forTask();
    for (let stepIndex = 0; stepIndex < length; stepIndex += 1) {
      const isLast = stepIndex === length - 1;
      const targetAction = isLast ? terminalAction : toolNames[Math.floor(random() * toolNames.length)]!;
      let guess = targetAction;
      if (random() >= accuracy) {
        const others = [...toolNames, terminalAction].filter((name) => name !== targetAction);
        guess = others[Math.floor(random() * others.length)]!;
      }
      const step = {
        target: call(targetAction, options.targetLatencyMs ?? 5000, options.targetInputTokens ?? 900, options.targetOutputTokens ?? 120),
        approx: call(guess, options.approxLatencyMs ?? 800, options.approxInputTokens ?? 400, options.approxOutputTokens ?? 12),
      };
      if (taskTools !== undefined) {
        const targetTool = taskTools(targetAction);
        if (targetTool !== undefined) step.target.tool = targetTool;
        const approxTool = taskTools(guess);
        if (approxTool !== undefined) step.approx.tool = approxTool;
      }
      steps.push(step);
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

/**
 * Each tool name's effect class, and per task the execution of each action (none for the terminal action). A
 * synthetic tool takes no input, so within a task every call of a tool is the same call: it gets one latency (as a
 * deterministic tool would), and replay reusing a pure result from another step stays exact.
 */
function toolPlan(
  seed: number,
  options: SyntheticToolOptions,
  sigma: number,
): { forTask: () => (action: string) => TraceTool | undefined } {
  const random: Random = seededRandom((seed ^ 0x7f4a7c15) >>> 0);
  const shares = { pure: 0.5, sandboxed: 0.3, irreversible: 0.2, ...options.effects };
  const total = shares.pure + shares.sandboxed + shares.irreversible;
  const effects = new Map<string, EffectClass>();
  for (const name of toolNames) {
    const draw = random() * total;
    effects.set(name, draw < shares.pure ? 'pure' : draw < shares.pure + shares.sandboxed ? 'sandboxed' : 'irreversible');
  }
  const latencyMs = options.latencyMs ?? 1500;
  return {
    forTask: () => {
      const executions = new Map<string, TraceTool>();
      return (action) => {
        const effect = effects.get(action);
        if (effect === undefined) return undefined;
        let execution = executions.get(action);
        if (execution === undefined) {
          execution = { effect, latencyMs: Math.round(logNormal(random, latencyMs, sigma)) };
          executions.set(action, execution);
        }
        return { ...execution };
      };
    },
  };
}
