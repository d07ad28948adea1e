import { describe, expect, it } from 'vitest';
import type { PriceTable } from '../ledger/prices.js';
import { defaultOutputEstimate, isBudgetExceededError, RunBudget, speculationRefused, type BudgetReservation } from './budget.js';

// $1 per 1,000 tokens in and out: a request of 100 tokens in and 100 out costs $0.20.
const prices: PriceTable = { name: 'test', models: { t: { inputUsdPerMTok: 1000, outputUsdPerMTok: 1000 } } };
const spend = (usd: number, tokens = 0) => ({ usd, tokens });

function admitted(value: BudgetReservation | typeof speculationRefused): BudgetReservation {
  if (value === speculationRefused) throw new Error('refused');
  return value;
}

describe('the budget of a live run', () => {
  it('estimates a request from its prompt and the longest reply seen for its model and kind', () => {
    const budget = new RunBudget({ task: { usd: 100 } }, prices);
    expect(budget.estimate('t', 'react-thought', 100)).toEqual({
      usage: { inputTokens: 100, outputTokens: defaultOutputEstimate },
      spend: { usd: (100 + defaultOutputEstimate) / 1000, tokens: 100 + defaultOutputEstimate },
    });
    admitted(budget.admit({ taskId: 'a', model: 't', kind: 'react-thought', committed: true, estimate: spend(0.1) })).settle(
      { inputTokens: 100, outputTokens: 40 },
      't',
    );
    expect(budget.estimate('t', 'react-thought', 100).usage.outputTokens).toBe(40);
    // Another kind of request has its own: nothing seen yet.
    expect(budget.estimate('t', 'react-action', 100).usage.outputTokens).toBe(defaultOutputEstimate);
    // An unpriced model costs nothing in USD; its tokens still count.
    expect(budget.estimate('unknown', 'direct', 10).spend).toEqual({ usd: 0, tokens: 10 + defaultOutputEstimate });
  });

  it('counts spent plus in-flight estimates, and replaces an estimate by the real cost when the request settles', () => {
    const budget = new RunBudget({ run: { usd: 1 } }, prices);
    const first = admitted(budget.admit({ taskId: 'a', model: 't', kind: 'direct', committed: true, estimate: spend(0.5) }));
    const second = admitted(budget.admit({ taskId: 'a', model: 't', kind: 'direct', committed: true, estimate: spend(0.4) }));
    // 0.9 in flight: a third of 0.2 does not fit.
    const refused: unknown = (() => {
      try {
        return budget.admit({ taskId: 'a', model: 't', kind: 'direct', committed: true, estimate: spend(0.2) });
      } catch (error) {
        return error;
      }
    })();
    expect(isBudgetExceededError(refused)).toBe(true);
    expect((refused as Error).message).toBe(
      "the run's budget of $1.0000 would be exceeded: $0.9000 spent or in flight, the next request on the committed path needs about $0.2000",
    );
    // The first cost less than its estimate (100 + 100 tokens: $0.20): now 0.6 is committed and 0.2 fits.
    first.settle({ inputTokens: 100, outputTokens: 100 }, 't');
    admitted(budget.admit({ taskId: 'a', model: 't', kind: 'direct', committed: true, estimate: spend(0.2) })).settle({ inputTokens: 100, outputTokens: 100 }, 't');
    second.settle({ inputTokens: 300, outputTokens: 200 }, 't');
    // 0.2 + 0.2 + 0.5 spent; the second cost 0.1 more than its estimate of 0.4: that is the overrun.
    expect(budget.runSpend?.spent.usd).toBeCloseTo(0.9, 12);
    expect(budget.runSpend?.overrun.usd).toBeCloseTo(0.1, 12);
    expect(budget.runSpend?.spent.tokens).toBe(900);
  });

  it('cuts speculation first: a speculative request must leave room for the committed path', () => {
    const budget = new RunBudget({ task: { usd: 1 } }, prices);
    // A committed request of 0.3 sets what speculation must leave free.
    admitted(budget.admit({ taskId: 'a', model: 't', kind: 'react-thought', committed: true, estimate: spend(0.3) })).settle(
      { inputTokens: 150, outputTokens: 150 },
      't',
    );
    expect(budget.speculationAllowed('a')).toBe(true);
    // 0.3 spent; a speculative 0.3 leaves 0.4 ≥ 0.3: admitted, and in flight.
    const speculative = admitted(budget.admit({ taskId: 'a', model: 't', kind: 'direct', committed: false, estimate: spend(0.3) }));
    // 0.6 committed: another speculative 0.2 would leave 0.2 < 0.3 — refused, though it would fit.
    expect(budget.admit({ taskId: 'a', model: 't', kind: 'direct', committed: false, estimate: spend(0.2) })).toBe(speculationRefused);
    expect(budget.speculationAllowed('a')).toBe(false);
    // The committed path still has its room.
    admitted(budget.admit({ taskId: 'a', model: 't', kind: 'react-thought', committed: true, estimate: spend(0.3) }));
    speculative.settle({}, 't');
    // Another task has a budget of its own.
    expect(budget.speculationAllowed('b')).toBe(true);
  });

  it('enforces token budgets too, and the run budget across tasks', () => {
    const budget = new RunBudget({ run: { tokens: 1000 }, task: { tokens: 700 } }, prices);
    admitted(budget.admit({ taskId: 'a', model: 't', kind: 'direct', committed: true, estimate: spend(0, 600) })).settle(
      { inputTokens: 300, outputTokens: 300 },
      't',
    );
    const taskRefusal = catchError(() => budget.admit({ taskId: 'a', model: 't', kind: 'direct', committed: true, estimate: spend(0, 200) }));
    expect(taskRefusal).toMatchObject({ name: 'BudgetExceededError', scope: 'task', unit: 'tokens', limit: 700, committed: 600, needed: 200 });
    admitted(budget.admit({ taskId: 'b', model: 't', kind: 'direct', committed: true, estimate: spend(0, 300) })).settle(
      { inputTokens: 100, outputTokens: 200 },
      't',
    );
    const runRefusal = catchError(() => budget.admit({ taskId: 'c', model: 't', kind: 'direct', committed: true, estimate: spend(0, 200) }));
    expect(runRefusal).toMatchObject({ scope: 'run', unit: 'tokens', limit: 1000, committed: 900 });
    expect((runRefusal as Error).message).toContain("the run's budget of 1000 tokens would be exceeded: 900 tokens spent or in flight");
  });

  it('refuses limits that are not positive', () => {
    expect(() => new RunBudget({ task: { usd: 0 } }, prices)).toThrow('the task budget in usd must be a number > 0, got 0');
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
