import { describe, expect, it } from 'vitest';
import { RealClock } from '../core/clock.js';
import { fixedPolicy } from '../policies/basic.js';
import { runSuite } from './run-suite.js';
import type { Agent } from '../core/types.js';

describe('runSuite on the real clock', () => {
  it('runs every task in order and really aborts speculative calls', async () => {
    const clock = new RealClock();
    let aborted = 0;
    const plans: Record<string, string[]> = { a: ['x', 'y', 'END'], b: ['z', 'END'] };
    const agent =
      (wrongAt: number | undefined, delayMs: number): Agent =>
      async ({ task, step }, { signal }) => {
        try {
          await clock.sleep(delayMs, signal);
        } catch (error) {
          aborted += 1;
          throw error;
        }
        const action = plans[task.id]![step - 1] ?? 'END';
        return { action: step === wrongAt ? 'wrong' : action, usage: { inputTokens: 10, outputTokens: 2 } };
      };
    const order: string[] = [];
    const { results, metrics } = await runSuite({
      tasks: [
        { id: 'a', text: 'task a' },
        { id: 'b', text: 'task b' },
      ],
      approx: agent(1, 1),
      target: agent(undefined, 15),
      policy: fixedPolicy(3),
      clock,
      isTerminal: (action) => action === 'END',
      onTask: (_done, _total, result) => order.push(result.taskId),
    });
    expect(order).toEqual(['a', 'b']);
    expect(results.map((result) => result.plan)).toEqual([plans.a, plans.b]);
    expect(metrics.tasks).toBe(2);
    // A's wrong step-1 guess makes the speculative T calls on it useless: they were aborted for real.
    expect(aborted).toBeGreaterThan(0);
    expect(results.flatMap((result) => result.records).filter((record) => record.status === 'cancelled').length).toBe(aborted);
  });
});
