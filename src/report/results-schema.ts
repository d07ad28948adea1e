/**
 * The results file (`dsp-results/2`): what `dsp bench --out` and `dsp sweep --out` write and `dsp report` reads.
 * It holds the bench summaries plus everything a report draws: per-task figures of every policy, the k chosen in
 * every round beside the oracle's k for the same state, the full ledger of an example task, the price table used
 * and where the traces came from. The `format` field carries the version; a reader refuses any other version.
 * Version 2 (2026-12): a cost may be `null` (unknown: an unpriced call), rows carry `meanTaskSpeedup` and
 * `unpricedCalls`, a suite's `speedup` is its mean sequential latency ÷ its mean latency, and every number is bounded.
 */
import { z } from 'zod';
import { CorruptStateError } from '../core/errors.js';
import { describeValidationIssues } from '../core/validation-issues.js';
import { priceTableSchema } from '../io/price-file.js';
import { readTextFile } from '../io/read-text.js';
import type { TaskMetrics } from '../core/types.js';
import { InvalidInputError } from '../core/errors.js';
import { maxResultsValue } from '../ledger/bounds.js';
import { figures, isPerTaskFigure, isUnknowable, type PerTaskFigure } from '../ledger/figures.js';
import { benchColumns, type BenchFieldKind, type BenchRow } from '../suite/bench-row.js';

/** The value of the `format` field this code writes and reads. */
export const resultsFormat = 'dsp-results/2';

/** A whole number ≥ 0 (tasks, steps, k, indices). Every number of the file lies within ±`maxResultsValue`. */
const count = z.number().int().nonnegative().max(maxResultsValue);
/** A figure: ≥ 0 (times, money, ratios, concurrency). */
const figure = z.number().nonnegative().max(maxResultsValue);
/** A time on the run's clock, ms. */
const clockTime = z.number().min(-maxResultsValue).max(maxResultsValue);

/** The schema of a bench row field of each kind. */
const fieldSchemas: Record<BenchFieldKind, z.ZodType> = {
  text: z.string().min(1),
  whole: count,
  number: figure,
  unknowable: figure.nullable(),
  ratio: figure.nullable(),
  flag: z.boolean(),
};

/** One policy's row of a bench summary: the fields of `benchColumns`, as `dsp bench --format json` prints them. */
export const benchRowSchema = z.object(
  // The shape is built from the columns, so zod cannot see its fields: the type says what the columns hold.
  Object.fromEntries(benchColumns.map((column) => [column.field, fieldSchemas[column.kind]])) as {
    [Field in keyof BenchRow]: z.ZodType<BenchRow[Field]>;
  },
);

/** One suite's bench summary (same shape as `dsp bench --format json`). */
export const benchSummarySchema = z.object({
  suite: z.string().min(1),
  tasks: count,
  priceTable: z.string(),
  source: z.string(),
  timing: z.string(),
  /** How well A's recorded confidence tells right guesses from wrong (only when some guess carries one). */
  approxConfidence: z.object({ guesses: count, right: count, auc: z.number().min(0).max(1).nullable() }).optional(),
  rows: z.array(benchRowSchema),
});

/** The kinds of k-policy (spec §3). */
export const policyKindSchema = z.enum(['sequential', 'fixed', 'additive', 'oracle', 'dsp']);

/**
 * Per-task figures of one policy (those of `figures` marked `perTask`, in code units: latencies in ms, money in USD,
 * null when unknown), one array entry per task in the order of the suite's `taskIds`.
 */
export const perTaskSchema = z.object(
  // The shape is built from the figures, so zod cannot see its fields: the type says what each array holds.
  Object.fromEntries(
    figures.filter(isPerTaskFigure).map((described) => [described.key, z.array(isUnknowable(described) ? figure.nullable() : figure)]),
  ) as unknown as { [Key in PerTaskFigure['key']]: z.ZodArray<z.ZodType<TaskMetrics[Key]>> },
);

/**
 * Every round a policy ran over the suite, in run order (tasks in suite order, rounds in task order): the task's
 * index in `taskIds`, the k the policy chose, and the k the oracle would choose in the same state (steps to the
 * next break, clamped to kMax and the steps left, exactly as the engine clamps any policy's answer).
 */
export const roundSeriesSchema = z.object({
  task: z.array(count),
  k: z.array(count),
  oracleK: z.array(count),
});

/** One policy's results over one suite. */
export const policyResultSchema = z.object({
  policy: z.string().min(1),
  kind: policyKindSchema,
  /** Whether every committed plan equalled T's plan. */
  lossless: z.boolean(),
  perTask: perTaskSchema,
  rounds: roundSeriesSchema,
});

/** One agent call of an example task (the engine's `CallRecord`). Times are ms on the run's clock. */
export const callRecordSchema = z.object({
  id: count,
  taskId: z.string(),
  role: z.enum(['approx', 'target']),
  step: z.number().int().positive(),
  round: count,
  prefix: z.enum(['true', 'speculative']),
  startMs: clockTime,
  endMs: clockTime,
  status: z.enum(['committed', 'accepted', 'discarded', 'cancelled', 'failed']),
  action: z.json().optional(),
  usage: z.object({
    inputTokens: figure.optional(),
    outputTokens: figure.optional(),
    reasoningTokens: figure.optional(),
    estimated: z.boolean().optional(),
  }),
  /** Absent when the call is unpriced or its usage unknown. */
  costUsd: figure.optional(),
  model: z.string().optional(),
  error: z.string().optional(),
});

/** One round of an example task (the engine's `RoundRecord`). */
export const roundRecordSchema = z.object({
  index: count,
  startStep: z.number().int().positive(),
  k: count,
  guesses: z.array(z.json()),
  acceptedCount: count,
  committedCount: count,
  end: z.enum(['mismatch', 'no-guess', 'terminal', 'exhausted', 'sequential']),
  startMs: clockTime,
  endMs: clockTime,
});

/** The full ledger of one task under one policy, for the timeline. */
export const exampleTaskSchema = z.object({
  policy: z.string().min(1),
  taskId: z.string(),
  /** The task text. */
  task: z.string(),
  /** When the task started on the run's clock, ms (record times minus this = time since the task started). */
  startMs: clockTime,
  latencyMs: figure,
  speedup: figure,
  /** Null when unknown (an unpriced call). */
  costUsd: figure.nullable(),
  records: z.array(callRecordSchema),
  rounds: z.array(roundRecordSchema),
});

/** Everything about one suite. */
export const suiteResultsSchema = z
  .object({
    suite: z.string().min(1),
    /** Where the traces came from. */
    source: z.string(),
    /** measured, modelled, synthetic, or a `+`-joined mix. */
    timing: z.string(),
    /** The models named by the suite's traces. */
    models: z.object({ approx: z.array(z.string()), target: z.array(z.string()) }),
    taskIds: z.array(z.string()),
    summary: benchSummarySchema,
    /**
     * The policies not dominated in (mean latency, mean cost), fastest first. The oracle is left out: it reads the
     * future and cannot be deployed; reports show it as the limit.
     */
    frontier: z.array(z.string()),
    /** The policy whose timeline the report draws first (null when the suite ran no policy). */
    featured: z.string().nullable(),
    policies: z.array(policyResultSchema),
    examples: z.array(exampleTaskSchema),
  })
  .superRefine((suite, context) => {
    const tasks = suite.taskIds.length;
    suite.policies.forEach((policy, index) => {
      for (const [field, values] of Object.entries(policy.perTask)) {
        if (values.length !== tasks) {
          context.addIssue({
            code: 'custom',
            path: ['policies', index, 'perTask', field],
            message: `expected ${tasks} values (one per task in taskIds), got ${values.length}`,
          });
        }
      }
      const { task, k, oracleK } = policy.rounds;
      if (k.length !== task.length || oracleK.length !== task.length) {
        context.addIssue({
          code: 'custom',
          path: ['policies', index, 'rounds'],
          message: `expected task, k and oracleK of equal length, got ${task.length}, ${k.length} and ${oracleK.length}`,
        });
      }
      const outOfRange = task.findIndex((value) => value >= tasks);
      if (outOfRange >= 0) {
        context.addIssue({
          code: 'custom',
          path: ['policies', index, 'rounds', 'task', outOfRange],
          message: `expected a task index below ${tasks}`,
        });
      }
    });
    const names = new Set(suite.policies.map((policy) => policy.policy));
    for (const [field, list] of [['frontier', suite.frontier] as const, ['featured', suite.featured === null ? [] : [suite.featured]] as const]) {
      const unknown = list.find((name) => !names.has(name));
      if (unknown !== undefined) {
        context.addIssue({ code: 'custom', path: [field], message: `expected a policy of this suite, got "${unknown}"` });
      }
    }
  });

/** The whole results file. */
export const resultsSchema = z.object({
  /** Format and version: always `dsp-results/2` for this version. */
  format: z.literal(resultsFormat),
  /** When the results were produced (ISO 8601). */
  createdAt: z.string(),
  /** What produced them. */
  generator: z.object({ name: z.string(), version: z.string(), command: z.string() }),
  /** Run settings shared by every suite. */
  settings: z.object({ kMax: count.positive(), seed: count, policies: z.array(z.string()) }),
  /** The price table every cost was computed with, with each model's source. */
  priceTable: priceTableSchema,
  suites: z.array(suiteResultsSchema).min(1),
  /** The summary over every task of every suite (`"suite": "all"`), when there is more than one suite. */
  combined: benchSummarySchema.optional(),
});

/** A bench row as stored in a results file. */
export type BenchRowData = z.infer<typeof benchRowSchema>;
/** sequential, fixed, additive, oracle or dsp. */
export type PolicyKind = z.infer<typeof policyKindSchema>;
/** One policy's per-task figures and rounds over a suite. */
export type PolicyResult = z.infer<typeof policyResultSchema>;
/** A call record as stored in a results file. */
export type CallRecordData = z.infer<typeof callRecordSchema>;
/** A round record as stored in a results file. */
export type RoundRecordData = z.infer<typeof roundRecordSchema>;
/** The full ledger of one example task under one policy. */
export type ExampleTask = z.infer<typeof exampleTaskSchema>;
/** Everything a results file holds about one suite. */
export type SuiteResults = z.infer<typeof suiteResultsSchema>;
/** The parsed results file. */
export type ResultsFile = z.infer<typeof resultsSchema>;

/**
 * Parses and validates the text of a results file. Errors name the file (`source`), the field and what was
 * expected, e.g. `r.json: field suites[0].policies[1].perTask.speedup[3]: Invalid input: expected number, …`.
 */
export function parseResults(text: string, source: string): ResultsFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptStateError(source, `not valid JSON (${(error as Error).message}); expected a ${resultsFormat} results file`);
  }
  const format = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { format?: unknown }).format : undefined;
  if (format !== resultsFormat) {
    const found = format === undefined ? 'no "format" field' : `format ${JSON.stringify(format)}`;
    throw new CorruptStateError(
      source,
      `field format: expected "${resultsFormat}", found ${found} (write the file with \`dsp bench --out\` or \`dsp sweep --out\` of this version)`,
    );
  }
  const parsed = resultsSchema.safeParse(value);
  if (!parsed.success) {
    throw new CorruptStateError(source, describeValidationIssues(parsed.error.issues));
  }
  return parsed.data;
}

/** Reads and validates a results file. */
export function loadResults(path: string): ResultsFile {
  const text = readTextFile(path);
  return parseResults(text, path);
}

/**
 * The results file as JSON text: compact (it holds long per-task arrays; use `jq` to read it), trailing newline.
 * The results are first checked against the schema the reader uses, so that no file is ever written that `dsp
 * report` would refuse (a number out of bounds, or not finite, which JSON would turn into `null`): an
 * `InvalidInputError` names the destination (`destination`) and the field, and nothing is written.
 */
export function formatResults(results: ResultsFile, destination = 'results'): string {
  const checked = resultsSchema.safeParse(results);
  if (!checked.success) {
    throw new InvalidInputError(
      `not written: ${describeValidationIssues(checked.error.issues)} (a ${resultsFormat} file holds finite numbers of at most ${maxResultsValue.toExponential()}; dsp could not read this one back)`,
      { source: destination },
    );
  }
  return `${JSON.stringify(results)}\n`;
}
