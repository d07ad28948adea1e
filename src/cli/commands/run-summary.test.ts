/** The lines `dsp run`'s summary adds for live runs: retries, requests under limits, budgets, cached input. */
import { describe, expect, it } from 'vitest';
import { TargetCallError } from '../../core/errors.js';
import type { CallRecord, TaskResult } from '../../core/types.js';
import { suiteMetrics, taskMetrics } from '../../ledger/metrics.js';
import type { PriceTable } from '../../ledger/prices.js';
import { BudgetExceededError } from '../../live/budget.js';
import { renderRunSummary, type RunOutcome } from './run.js';

const priceTable: PriceTable = { name: 'test', models: { t: { inputUsdPerMTok: 2, outputUsdPerMTok: 8, cachedInputUsdPerMTok: 0.5 } } };

function record(overrides: Partial<CallRecord>): CallRecord {
  return {
    id: 0,
    taskId: 'task-1',
    role: 'target',
    step: 1,
    round: 0,
    prefix: 'true',
    startMs: 0,
    endMs: 10,
    status: 'committed',
    usage: { inputTokens: 1000, outputTokens: 100 },
    costUsd: 0.0028,
    model: 't',
    ...overrides,
  };
}

function resultOf(taskId: string, records: CallRecord[]): TaskResult {
  const rounds = [{ index: 0, startStep: 1, k: 0, guesses: [], acceptedCount: 0, committedCount: 1, end: 'terminal' as const, startMs: 0, endMs: 10 }];
  return { taskId, plan: ['END'], endReason: 'terminal', records, rounds, metrics: taskMetrics({ startMs: 0, endMs: 10, records, rounds }) };
}

function outcomeOf(results: TaskResult[], extra: Partial<RunOutcome> = {}): RunOutcome {
  return {
    results,
    failures: [],
    baselines: [],
    interrupted: false,
    interruptedTasks: [],
    metrics: suiteMetrics(results),
    tasks: results.map((result) => ({ id: result.taskId, text: result.taskId })),
    priceTable,
    ...extra,
  };
}

const options = { suite: 'openagi', approx: 'openai:gpt-4.1-mini', target: 'openai:gpt-4.1', policy: 'fixed:4' };

const noRequestCounts = { peakInFlight: 0, peakSpeculativeInFlight: 0, skipped: 0, rateLimited: 0, promoted: 0, tokenOverrun: 0, peakWindowTokens: 0 };

describe('the summary of a live run', () => {
  it('says how many failed attempts were retried and what they cost', () => {
    const results = [
      resultOf('task-1', [
        record({ id: 0 }),
        record({ id: 1, status: 'failed', attemptOf: 0, usage: {}, costUsd: undefined, error: 'HTTP 429' }),
        record({ id: 2, status: 'failed', attemptOf: 0, usage: { inputTokens: 500, outputTokens: 0, estimated: true }, costUsd: 0.001 }),
      ]),
    ];
    expect(renderRunSummary({ outcome: outcomeOf(results), options })).toContain(
      '  retried        2 failed attempts (in the ledger with status failed, $0.001000 in all)',
    );
  });

  it('shows the requests in flight under a limit, the 429s and the speculation skipped', () => {
    const summary = renderRunSummary({
      outcome: outcomeOf([resultOf('task-1', [record({})])], { requests: { ...noRequestCounts, peakInFlight: 2, peakSpeculativeInFlight: 1, skipped: 3, rateLimited: 1 } }),
      options: { ...options, maxConcurrency: 2 },
    });
    expect(summary).toMatch(/^ {2}requests {7}peak 2 in flight \(limit 2\); 1 refusal with 429; 3 speculative skipped or cut$/m);
    expect(summary).not.toContain('  tokens ');
  });

  it('shows the speculative requests promoted to the committed path, and the tokens per minute under --tpm', () => {
    const requests = { ...noRequestCounts, peakInFlight: 2, promoted: 4, peakWindowTokens: 3900, tokenOverrun: 120 };
    const summary = renderRunSummary({ outcome: outcomeOf([resultOf('task-1', [record({})])], { requests }), options: { ...options, maxConcurrency: 2, tpm: 4000 } });
    expect(summary).toContain('  requests       peak 2 in flight (limit 2); 0 refusals with 429; 0 speculative skipped or cut; 4 promoted to the committed path');
    expect(summary).toContain('  tokens         peak 3900 in a minute (limit 4000); 120 used beyond their estimates');
  });

  it('counts the tasks a budget stopped and everything spent, stopped tasks included', () => {
    const stoppedRecords = [record({ taskId: 'task-2', costUsd: 0.004 })];
    const error = new TargetCallError({
      taskId: 'task-2',
      step: 2,
      cause: new BudgetExceededError({ scope: 'run', unit: 'usd', limit: 0.005, committed: 0.0049, needed: 0.0028 }),
    });
    const outcome = outcomeOf([resultOf('task-1', [record({})])], {
      failures: [{ task: { id: 'task-2', text: 'task-2' }, index: 1, total: 2, run: 'speculative', error, step: 2, records: stoppedRecords }],
    });
    outcome.tasks.push({ id: 'task-2', text: 'task-2' });
    const summary = renderRunSummary({ outcome, options: { ...options, budgetUsd: 0.005, taskBudgetTokens: 4000 } });
    expect(summary).toContain('Summary: 1 of 2 tasks finished, 1 failed, policy fixed:4');
    expect(summary).toContain('  budget         $0.005000 per run, 4000 tokens per task: 1 task stopped by it; $0.006800 spent in all (stopped tasks included)');
  });

  it('says what the failed tasks spent, which the figures per task leave out', () => {
    const failedRecords = [
      record({ taskId: 'task-2', id: 0, status: 'discarded', role: 'approx', costUsd: 0.001 }),
      record({ taskId: 'task-2', id: 1, status: 'failed', attemptOf: 2, usage: { inputTokens: 1000, outputTokens: 40, estimated: true }, costUsd: 0.00232 }),
      record({ taskId: 'task-2', id: 2, status: 'failed', usage: { inputTokens: 1000, outputTokens: 10, estimated: true }, costUsd: 0.00208 }),
    ];
    const error = new TargetCallError({ taskId: 'task-2', step: 1, cause: new Error('call to model t failed: Response stream ended without a finish reason.') });
    const outcome = outcomeOf([resultOf('task-1', [record({})])], {
      failures: [{ task: { id: 'task-2', text: 'task-2' }, index: 1, total: 2, run: 'speculative', error, step: 1, records: failedRecords }],
    });
    expect(renderRunSummary({ outcome, options })).toContain(
      '  failed tasks   $0.005400 spent by 1 failed task, 1 failed attempt included (not in the cost per task above)',
    );
    // An unpriced call makes the sum unknown; a failure that spent nothing adds no line.
    const unpriced = outcomeOf([], { failures: [{ ...outcome.failures[0]!, records: [record({ model: 'local', costUsd: undefined })] }] });
    expect(renderRunSummary({ outcome: unpriced, options })).toContain('  failed tasks   ? spent by 1 failed task (not in the cost per task above)');
    const nothing = outcomeOf([], { failures: [{ ...outcome.failures[0]!, records: [] }] });
    expect(renderRunSummary({ outcome: nothing, options })).not.toContain('failed tasks');
  });

  it('shows the share of input read from the providers’ caches and what it saved', () => {
    // 600 of 1000 input tokens cached at $0.50 instead of $2 per million: $0.0009 saved.
    const results = [resultOf('task-1', [record({ usage: { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 600 }, costUsd: 0.0019 })])];
    expect(renderRunSummary({ outcome: outcomeOf(results), options })).toContain(
      "  cached input   60% of input tokens (600 of 1000) read from the providers' caches: $0.0009000 per task saved against the list price ($0.0009000 in all)",
    );
    // Nothing cached: no line.
    expect(renderRunSummary({ outcome: outcomeOf([resultOf('task-1', [record({})])]), options })).not.toContain('cached input');
  });

  it('names the models whose calls have no price, and says where to add them', () => {
    const results = [
      resultOf('task-1', [
        record({ id: 0 }),
        record({ id: 1, role: 'approx', model: 'local-a', costUsd: undefined }),
        record({ id: 2, role: 'approx', model: 'local-a', costUsd: undefined }),
        // No usage at all: costs nothing, so it is not unpriced.
        record({ id: 3, role: 'approx', model: 'silent', usage: {}, costUsd: undefined }),
      ]),
    ];
    const summary = renderRunSummary({ outcome: outcomeOf(results), options });
    expect(summary.split('\n')).toContain(
      '  unpriced calls 2 (no price for "local-a": a cost that includes them is unknown, ?; add their models to the price file of test)',
    );
  });
});
