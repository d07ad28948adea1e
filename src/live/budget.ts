/**
 * Budgets of a live run, in USD and in tokens, per task and for the whole run, enforced before each model request
 * is sent, with its estimated cost.
 *
 * - A request is admitted only if what is spent, plus the estimates of the requests in flight, plus its own
 *   estimate fits in every budget that applies (the run's, its task's). Its estimate is reserved until it settles,
 *   then replaced by what it really cost (the provider's usage, or the estimate of a failed or cancelled request,
 *   as the ledger bills it).
 * - Speculation is cut first: a speculative request (and speculation itself, through the policy) must also leave
 *   room for the committed path — the largest of the latest estimates of committed-path requests of each kind in
 *   the budget's scope. So when money runs short, speculation stops while T can still go on.
 * - A committed-path request that does not fit stops its task: it fails with `BudgetExceededError` (the cause of
 *   the task's `TargetCallError`), and everything spent is in the task's ledger.
 *
 * The bound: what a budget's scope spends never exceeds its limit by more than the amount by which the requests
 * admitted under it cost more than their estimates (`overrunUsd`, `overrunTokens`). An estimate is the prompt
 * counted with the bundled tokenizer and, for the output, the longest reply seen so far for the same model and
 * kind of request (512 tokens before the first); with replies no longer than that, a budget is never exceeded.
 */
import { DspError } from '../core/errors.js';
import type { Usage } from '../core/types.js';
import { costOf, type PriceTable } from '../ledger/prices.js';

/** A spending limit. Either or both. */
export interface BudgetLimits {
  /** USD. */
  usd?: number;
  /** Tokens, input and output together. */
  tokens?: number;
}

/** The budgets of a live run. */
export interface BudgetSettings {
  /** The whole run's. */
  run?: BudgetLimits;
  /** Each task's (its sequential baseline, if any, draws on the same task budget). */
  task?: BudgetLimits;
}

/** What a request is expected to cost, or did cost. */
export interface Spend {
  usd: number;
  tokens: number;
}

/** A committed-path request that would take a budget past its limit: the task stops. */
export class BudgetExceededError extends DspError {
  override readonly name = 'BudgetExceededError' as const;
  /** Whose budget: the run's or the task's. */
  readonly scope: 'run' | 'task';
  /** Which limit: USD or tokens. */
  readonly unit: 'usd' | 'tokens';
  readonly limit: number;
  /** Spent, plus the estimates of the requests in flight, when the request was refused. */
  readonly committed: number;
  /** The refused request's estimate. */
  readonly needed: number;

  constructor(options: { scope: 'run' | 'task'; unit: 'usd' | 'tokens'; limit: number; committed: number; needed: number }) {
    const amount = (value: number): string => (options.unit === 'usd' ? `$${value.toFixed(4)}` : `${Math.round(value)} tokens`);
    super(
      `the ${options.scope}'s budget of ${amount(options.limit)} would be exceeded: ${amount(options.committed)} spent or in flight, ` +
        `the next request on the committed path needs about ${amount(options.needed)}`,
    );
    this.scope = options.scope;
    this.unit = options.unit;
    this.limit = options.limit;
    this.committed = options.committed;
    this.needed = options.needed;
  }
}

/** True for a `BudgetExceededError`, even from another copy of the package. */
export function isBudgetExceededError(error: unknown): error is BudgetExceededError {
  return DspError.isInstance(error) && error.name === 'BudgetExceededError';
}

/** The spending of one scope (the run, or one task) against its limits. */
class Account {
  spent: Spend = { usd: 0, tokens: 0 };
  inFlight: Spend = { usd: 0, tokens: 0 };
  overrun: Spend = { usd: 0, tokens: 0 };
  /** The latest estimate of a committed-path request, per kind of request. */
  readonly committedEstimates = new Map<string, Spend>();

  /** What speculation must leave free: the largest of the latest committed-path estimates of each kind. */
  get committedReserve(): Spend {
    const reserve: Spend = { usd: 0, tokens: 0 };
    for (const estimate of this.committedEstimates.values()) {
      reserve.usd = Math.max(reserve.usd, estimate.usd);
      reserve.tokens = Math.max(reserve.tokens, estimate.tokens);
    }
    return reserve;
  }

  constructor(
    readonly scope: 'run' | 'task',
    readonly limits: BudgetLimits,
  ) {}

  /** The first limit the request would break, leaving `keep` free after it; undefined when it fits. */
  breach(estimate: Spend, keep: Spend): { unit: 'usd' | 'tokens'; limit: number; committed: number; needed: number } | undefined {
    for (const unit of ['usd', 'tokens'] as const) {
      const limit = this.limits[unit];
      if (limit === undefined) continue;
      const committed = this.spent[unit] + this.inFlight[unit];
      if (committed + estimate[unit] + keep[unit] > limit) return { unit, limit, committed, needed: estimate[unit] };
    }
    return undefined;
  }
}

/** An admitted request's hold on its budgets, released when it settles. */
export interface BudgetReservation {
  /** The request ended: `usage` (the reply's, or the estimate of a failed or cancelled request) replaces the estimate. */
  settle(usage: Usage, model: string | undefined): void;
}

/** Outcome of `admit` for a speculative request that does not fit. */
export const speculationRefused = 'speculation-refused' as const;

/** The budgets of a live run. */
export class RunBudget {
  private readonly run: Account | undefined;
  private readonly tasks = new Map<string, Account>();
  /** Longest output seen per model and kind of request, for estimates. */
  private readonly longestOutput = new Map<string, number>();

  constructor(
    private readonly settings: BudgetSettings,
    private readonly priceTable: PriceTable,
  ) {
    for (const [scope, limits] of Object.entries(settings) as Array<[string, BudgetLimits | undefined]>) {
      for (const [unit, value] of Object.entries(limits ?? {}) as Array<[string, number | undefined]>) {
        if (value !== undefined && !(value > 0 && Number.isFinite(value))) {
          throw new DspError(`the ${scope} budget in ${unit} must be a number > 0, got ${value}`);
        }
      }
    }
    this.run = settings.run === undefined ? undefined : new Account('run', settings.run);
  }

  /** Whether any budget is set. */
  get enabled(): boolean {
    return this.settings.run !== undefined || this.settings.task !== undefined;
  }

  /** What the run has spent so far (settled requests), and by how much requests cost more than their estimates. */
  get runSpend(): { spent: Spend; overrun: Spend } | undefined {
    return this.run === undefined ? undefined : { spent: { ...this.run.spent }, overrun: { ...this.run.overrun } };
  }

  /** The same for each task with a budget, by task id. */
  get taskSpend(): Record<string, { spent: Spend; overrun: Spend }> {
    const spend: Record<string, { spent: Spend; overrun: Spend }> = {};
    for (const [taskId, account] of this.tasks) spend[taskId] = { spent: { ...account.spent }, overrun: { ...account.overrun } };
    return spend;
  }

  /**
   * The expected cost of a request: its prompt (`inputTokens`, counted) and the longest reply seen so far for the
   * same model and kind of request.
   */
  estimate(model: string, kind: string, inputTokens: number): { usage: Usage; spend: Spend } {
    const outputTokens = this.longestOutput.get(`${model}\u0000${kind}`) ?? defaultOutputEstimate;
    const usage: Usage = { inputTokens, outputTokens };
    return { usage, spend: { usd: costOf(this.priceTable, model, usage) ?? 0, tokens: inputTokens + outputTokens } };
  }

  /** Whether a task may still speculate: every budget of it has room for twice a committed-path request. */
  speculationAllowed(taskId: string): boolean {
    return this.accounts(taskId).every((account) => account.breach(account.committedReserve, account.committedReserve) === undefined);
  }

  /**
   * Admits a request with its estimate, or refuses it: a committed-path request that does not fit throws
   * `BudgetExceededError`; a speculative one that does not fit while leaving room for the committed path gets
   * `speculationRefused`.
   */
  admit(request: { taskId: string; model: string; kind: string; committed: boolean; estimate: Spend }): BudgetReservation | typeof speculationRefused {
    const accounts = this.accounts(request.taskId);
    const { estimate } = request;
    for (const account of accounts) {
      if (request.committed) {
        account.committedEstimates.set(request.kind, estimate);
        const breach = account.breach(estimate, { usd: 0, tokens: 0 });
        if (breach !== undefined) throw new BudgetExceededError({ scope: account.scope, ...breach });
      } else if (account.breach(estimate, account.committedReserve) !== undefined) {
        return speculationRefused;
      }
    }
    for (const account of accounts) add(account.inFlight, estimate, 1);
    let settled = false;
    return {
      settle: (usage, model) => {
        if (settled) return;
        settled = true;
        const outputTokens = usage.outputTokens ?? 0;
        const key = `${request.model}\u0000${request.kind}`;
        if (usage.estimated !== true && outputTokens > (this.longestOutput.get(key) ?? 0)) this.longestOutput.set(key, outputTokens);
        const actual: Spend = {
          usd: costOf(this.priceTable, model ?? request.model, usage) ?? 0,
          tokens: (usage.inputTokens ?? 0) + outputTokens,
        };
        for (const account of accounts) {
          add(account.inFlight, estimate, -1);
          add(account.spent, actual, 1);
          account.overrun.usd += Math.max(0, actual.usd - estimate.usd);
          account.overrun.tokens += Math.max(0, actual.tokens - estimate.tokens);
        }
      },
    };
  }

  private accounts(taskId: string): Account[] {
    const accounts: Account[] = [];
    if (this.run !== undefined) accounts.push(this.run);
    if (this.settings.task !== undefined) {
      let account = this.tasks.get(taskId);
      if (account === undefined) {
        account = new Account('task', this.settings.task);
        this.tasks.set(taskId, account);
      }
      accounts.push(account);
    }
    return accounts;
  }
}

/** The output estimate of a kind of request before any reply of it was seen, in tokens. */
export const defaultOutputEstimate = 512;

function add(total: Spend, amount: Spend, sign: 1 | -1): void {
  total.usd += sign * amount.usd;
  total.tokens += sign * amount.tokens;
}
