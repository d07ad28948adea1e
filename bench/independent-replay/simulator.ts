/**
 * An independent replay of traces, written from the rules of docs/spec.md (§2 one round, §3 fixed:K and the oracle,
 * §5 billing, §6 replay) without the engine: a small discrete-event computation of each round's calls, their start
 * and end times, what is committed and what each call is billed. It shares no code with `dsp` (not even the trace
 * types or the action matcher), so where it agrees with `dsp bench` the two readings of the spec agree.
 *
 * Only what the figures need is modelled: fixed:K and the oracle, exact matching, and the latency and cost of each
 * task. Ties (a guess that arrives at the instant T answers) are read as "A was in time"; with latencies in whole
 * milliseconds they are rare, and they are one reason the comparison has a tolerance rather than exact equality.
 */

/** One recorded call of a trace (the fields of `dsp-trace/1` this replay reads). */
export interface SimulatedCall {
  action: unknown;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
}

/** One trace (the fields of `dsp-trace/1` this replay reads). */
export interface SimulatedTrace {
  id: string;
  models: { approx: string; target: string };
  /** Default true: the plan ended by its last step's action, which is then terminal. */
  terminal?: boolean;
  steps: ReadonlyArray<{ target: SimulatedCall; approx?: SimulatedCall }>;
}

/** The k-policies this replay knows: a fixed k, or the oracle's distance to the next break. */
export type SimulatedPolicy = { kind: 'fixed'; k: number } | { kind: 'oracle' };

/** List prices per million tokens, by model name. */
export type SimulatedPrices = Readonly<Record<string, { inputUsdPerMTok: number; outputUsdPerMTok: number }>>;

export interface SimulationOptions {
  prices: SimulatedPrices;
  /** The largest k (spec §2). Default 8. */
  kMax?: number;
  /**
   * The live run's step limit (spec §6): a trace that ended by a terminal action is replayed under it (or its own
   * length, if longer), a trace cut short (`terminal: false`) under its own length. `'trace-length'` replays every
   * trace under its own length: how `dsp bench` replayed before a live run's limit was used. Default 50.
   */
  maxSteps?: number | 'trace-length';
}

/** The figures of one task. */
export interface SimulatedTask {
  id: string;
  latencyMs: number;
  costUsd: number;
  /** Calls made, in flight or finished, past the trace's last step. */
  callsPastTheEnd: number;
}

/** Same action: equal JSON with object keys sorted (spec §1). */
function sameAction(left: unknown, right: unknown): boolean {
  const canonical = (value: unknown): string =>
    JSON.stringify(value, (_key, inner: unknown) =>
      inner !== null && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner,
    );
  return canonical(left) === canonical(right);
}

interface PlannedCall {
  role: 'approx' | 'target';
  step: number;
  startMs: number;
  /** Undefined: the call fails at once (no guess recorded), billed nothing. */
  record: SimulatedCall | undefined;
}

/** Replays one trace under one policy. */
export function simulateTask(trace: SimulatedTrace, policy: SimulatedPolicy, options: SimulationOptions): SimulatedTask {
  const steps = trace.steps;
  const length = steps.length;
  const kMax = options.kMax ?? 8;
  const endsByTerminal = trace.terminal !== false;
  const terminalAction = steps[length - 1]!.target.action;
  const isTerminal = (action: unknown): boolean => endsByTerminal && sameAction(action, terminalAction);
  const liveLimit = options.maxSteps ?? 50;
  const maxSteps = liveLimit === 'trace-length' || !endsByTerminal ? length : Math.max(liveLimit, length);
  // A call for a step past the end is billed like the last step (spec §6).
  const recordAt = (step: number) => steps[Math.min(step, length) - 1]!;

  const price = (model: string) => options.prices[model] ?? { inputUsdPerMTok: 0, outputUsdPerMTok: 0 };
  const billed = (call: PlannedCall, cutAtMs: number): number => {
    if (call.record === undefined) return 0;
    const { inputUsdPerMTok, outputUsdPerMTok } = price(call.role === 'approx' ? trace.models.approx : trace.models.target);
    const finished = call.startMs + call.record.latencyMs <= cutAtMs;
    // A call cancelled at the round's end: input in full, output pro rata to the time it ran (spec §5, §6).
    const outputTokens = finished
      ? call.record.outputTokens
      : Math.round(call.record.outputTokens * ((cutAtMs - call.startMs) / call.record.latencyMs));
    return (call.record.inputTokens * inputUsdPerMTok + outputTokens * outputUsdPerMTok) / 1e6;
  };

  /** The oracle (spec §3): steps from the prefix up to and including the next missing or wrong guess or terminal step. */
  const stepsToBreak = (committed: number): number => {
    let count = 1;
    for (let index = committed; index < length; index += 1, count += 1) {
      const step = steps[index]!;
      if (step.approx === undefined || !sameAction(step.approx.action, step.target.action)) return count;
      if (isTerminal(step.target.action)) return count;
    }
    return count;
  };

  let nowMs = 0;
  let committed = 0;
  let costUsd = 0;
  let callsPastTheEnd = 0;
  for (;;) {
    const roundStartMs = nowMs;
    const chosen = policy.kind === 'fixed' ? policy.k : stepsToBreak(committed);
    const k = Math.min(chosen, kMax, maxSteps - committed);

    // Rule 1 and 3: T for the next step at once, A too when k ≥ 1. Rule 4: each guess of A (j < k, not terminal)
    // launches A and T for the following step. A's chain does not depend on T, so it is laid out in advance.
    const targetCalls: PlannedCall[] = [{ role: 'target', step: committed + 1, startMs: roundStartMs, record: recordAt(committed + 1).target }];
    const approxCalls: PlannedCall[] = [];
    const guesses: Array<{ action: unknown; atMs: number }> = [];
    let launchMs = roundStartMs;
    for (let j = 1; j <= k; j += 1) {
      const record = recordAt(committed + j).approx;
      approxCalls.push({ role: 'approx', step: committed + j, startMs: launchMs, record });
      if (record === undefined) break;
      const atMs = launchMs + record.latencyMs;
      guesses.push({ action: record.action, atMs });
      if (j === k || isTerminal(record.action)) break;
      launchMs = atMs;
      targetCalls.push({ role: 'target', step: committed + j + 1, startMs: launchMs, record: recordAt(committed + j + 1).target });
    }

    // Rule 5: T's answers are checked in step order, each once every earlier step was accepted.
    let checkMs = roundStartMs;
    let accepted = 0;
    let commits = 0;
    let endsPlan = false;
    for (let j = 1; ; j += 1) {
      const target = targetCalls[j - 1]!;
      checkMs = Math.max(checkMs, target.startMs + target.record!.latencyMs);
      const action = target.record!.action;
      const guess = guesses[j - 1];
      if (guess === undefined || guess.atMs > checkMs || !sameAction(guess.action, action)) {
        // No guess in time, or a wrong one: commit T's action and end the round.
        commits = accepted + 1;
        endsPlan = isTerminal(action);
        break;
      }
      accepted += 1;
      if (isTerminal(action)) {
        commits = accepted;
        endsPlan = true;
        break;
      }
      if (j === k) {
        commits = accepted;
        break;
      }
    }

    // Rule 7: the round ends at checkMs; calls launched by then are billed, those still in flight pro rata.
    for (const call of [...targetCalls, ...approxCalls]) {
      if (call.startMs > checkMs) continue;
      costUsd += billed(call, checkMs);
      if (call.step > length) callsPastTheEnd += 1;
    }
    committed += commits;
    nowMs = checkMs;
    if (endsPlan || committed >= maxSteps) break;
  }
  return { id: trace.id, latencyMs: nowMs, costUsd, callsPastTheEnd };
}

/** Means per task over a suite. */
export interface SimulatedSuite {
  latencySec: number;
  costUsd: number;
  callsPastTheEnd: number;
  tasks: SimulatedTask[];
}

export function simulateSuite(traces: readonly SimulatedTrace[], policy: SimulatedPolicy, options: SimulationOptions): SimulatedSuite {
  const tasks = traces.map((trace) => simulateTask(trace, policy, options));
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  return {
    latencySec: mean(tasks.map((task) => task.latencyMs)) / 1000,
    costUsd: mean(tasks.map((task) => task.costUsd)),
    callsPastTheEnd: tasks.reduce((sum, task) => sum + task.callsPastTheEnd, 0),
    tasks,
  };
}

/** Parses `fixed:K` or `oracle`. */
export function simulatedPolicy(name: string): SimulatedPolicy {
  if (name === 'oracle') return { kind: 'oracle' };
  const match = /^fixed:(\d+)$/.exec(name);
  if (match === null || Number(match[1]) < 1) throw new Error(`the independent replay knows fixed:K and oracle, not ${name}`);
  return { kind: 'fixed', k: Number(match[1]) };
}
