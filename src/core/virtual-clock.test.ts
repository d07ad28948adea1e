import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.js';
import { RealClock } from './clock.js';

describe('VirtualClock', () => {
  it('jumps to each timer in due order, ties in the order they were set', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    await clock.run(async () => {
      await Promise.all([
        clock.sleep(30).then(() => order.push(`c@${clock.now()}`)),
        clock.sleep(10).then(() => order.push(`a@${clock.now()}`)),
        clock.sleep(10).then(() => order.push(`b@${clock.now()}`)),
        clock.sleep(0).then(() => order.push(`z@${clock.now()}`)),
      ]);
    });
    expect(order).toEqual(['z@0', 'a@10', 'b@10', 'c@30']);
    expect(clock.now()).toBe(30);
  });

  it('rejects a sleep with the abort reason and never fires it', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const reason = new Error('stop');
    const result = await clock.run(async () => {
      const sleeping = clock.sleep(100, controller.signal).then(
        () => 'fired',
        (error: unknown) => error,
      );
      await clock.sleep(5);
      controller.abort(reason);
      return sleeping;
    });
    expect(result).toBe(reason);
    expect(clock.now()).toBe(5);
  });

  it('fails instead of hanging when the work waits on something that is not its timer', async () => {
    const clock = new VirtualClock();
    await expect(clock.run(() => new Promise<void>(() => undefined))).rejects.toThrow(/not a timer of this clock/);
  });

  it('gives identical timelines on repeated runs', async () => {
    const timeline = async (): Promise<number[]> => {
      const clock = new VirtualClock();
      const seen: number[] = [];
      await clock.run(async () => {
        for (let index = 0; index < 5; index += 1) {
          await Promise.all([clock.sleep(index * 3), clock.sleep(7 - index)]);
          seen.push(clock.now());
        }
      });
      return seen;
    };
    expect(await timeline()).toEqual(await timeline());
    // Each pair waits max(3i, 7 − i): 7, 6, 6, 9, 12 → 7, 13, 19, 28, 40.
    expect(await timeline()).toEqual([7, 13, 19, 28, 40]);
  });
});

describe('RealClock', () => {
  it('sleeps on real time and aborts with the reason', async () => {
    const clock = new RealClock();
    const start = clock.now();
    await clock.sleep(5);
    expect(clock.now() - start).toBeGreaterThanOrEqual(4);
    const controller = new AbortController();
    const pending = clock.sleep(10_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
  });
});
