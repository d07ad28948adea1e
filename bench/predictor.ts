/**
 * Predictor benchmark (issue #4 targets: a k decision in ≤ 50 µs median; ≤ 5 ms p99 event-loop delay on the planner's
 * thread while the worker trains; ≤ 10 s for `dsp bench` over every embedded suite with DSP rows).
 *
 *   npm run bench:predictor -- --json
 *
 * It measures the compiled code in dist/ (what users run; the trainer worker is dist's .js), built by the npm
 * script first. Figures:
 * - predictMicrosMedian: the median wall time of one `chooseK` of a trained dsp policy, over every round of a
 *   replay of the embedded suites (or the synthetic suite when none is embedded), in the order a live run makes them.
 * - predictMicrosMedianEconomic, guessMicrosMedianEconomic: the same for the economic policy (`dsp:value=30`): its
 *   `chooseK` (a survival forecast over kmax steps and the gain of each) and its `continueAfterGuess` on each guess
 *   of the recorded rounds (the acceptance head on the guesses so far).
 * - eventLoopDelayP99MsWhileTraining: a live-mode policy (worker trainer, no waiting) is fed the same rounds, one
 *   task per millisecond (a live task takes seconds; this keeps the trainer saturated), with a deliberately heavy
 *   trainer (the whole 2,500-step buffer sampled, 3 epochs per break); p99 of `monitorEventLoopDelay` from the
 *   first job until the worker has finished them all. The machine's other load shows up in this figure.
 *   eventLoopDelayP99MsWhileTrainingEconomic: the same with the economic policy (value, survival and acceptance
 *   heads trained).
 * - benchAllSuitesSec: wall time of `node bin/dsp.js bench` over every embedded suite with the default rows and
 *   three DSP rows.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { availableSuiteNames, embeddedSuite, syntheticSuite, type Suite } from '../dist/suite/embedded-suites.js';
import { replaySuite } from '../dist/suite/replay-suite.js';
import type { RoundRecord, TaskInput, TaskResult } from '../dist/core/types.js';
import type { KPolicy, RoundState } from '../dist/core/policy.js';
import { createDspPolicy, type DspPolicy } from '../dist/predictor/index.js';

const json = process.argv.includes('--json');
const root = fileURLToPath(new URL('..', import.meta.url));

/** The DSP rows `benchAllSuitesSec` runs beside the default ones. */
export const benchDspRows = ['dsp', 'dsp:tau=0.99', 'dsp:tau=0.99,beta=1,cold=6'];

/** What a live run shows a policy, recorded in order. */
type Event =
  | { kind: 'task-started'; task: TaskInput }
  | { kind: 'round'; state: RoundState; round: RoundRecord }
  | { kind: 'task-ended'; result: Pick<TaskResult, 'plan' | 'records'> };

function embeddedSuites(): Suite[] {
  const names = availableSuiteNames().filter((name) => name !== 'synthetic');
  return names.length > 0 ? names.map((name) => embeddedSuite(name, 1)) : [syntheticSuite(1)];
}

/** Replays the suites under fixed:4 and records every event a policy sees (states copied, as they were then). */
async function recordEvents(suites: readonly Suite[]): Promise<Event[]> {
  const events: Event[] = [];
  let pending: RoundState | undefined;
  const recorder: KPolicy = {
    name: 'recorder',
    taskStarted: (task) => void events.push({ kind: 'task-started', task }),
    chooseK: (state) => {
      pending = { ...state, committed: [...state.committed], previousRounds: [...state.previousRounds] };
      return 4;
    },
    observeRound: (round) => {
      if (pending !== undefined) events.push({ kind: 'round', state: pending, round: { ...round, guesses: [...round.guesses] } });
    },
    // Only what the dsp policy reads (the economic one reads the call records): a small heap keeps garbage
    // collection out of the figures.
    taskEnded: (result) => void events.push({ kind: 'task-ended', result: { plan: result.plan, records: result.records } }),
  };
  for (const suite of suites) {
    await replaySuite({ traces: suite.traces, policy: { kind: 'fixed', name: 'recorder', k: 4 }, buildPolicy: () => recorder });
  }
  return events;
}

function feed(policy: DspPolicy, event: Event, timings?: number[], guessTimings?: number[]): void {
  if (event.kind === 'task-started') policy.taskStarted(event.task);
  else if (event.kind === 'task-ended') policy.taskEnded(event.result as TaskResult);
  else {
    const start = process.hrtime.bigint();
    policy.chooseK(event.state);
    const end = process.hrtime.bigint();
    timings?.push(Number(end - start) / 1000);
    if (guessTimings !== undefined) {
      for (let count = 1; count < event.round.guesses.length; count += 1) {
        const guessStart = process.hrtime.bigint();
        policy.continueAfterGuess(event.state, event.round.guesses.slice(0, count));
        guessTimings.push(Number(process.hrtime.bigint() - guessStart) / 1000);
      }
    }
    policy.observeRound(event.round, event.state);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function predictMicrosMedian(events: readonly Event[], spec = { name: 'dsp', options: {} }): Promise<{ choose: number; guess: number }> {
  const policy = createDspPolicy(spec, { trainer: 'in-process' });
  // The first pass trains the policy and warms up the JIT; the figure is over the next three.
  for (const event of events) feed(policy, event);
  const timings: number[] = [];
  const guessTimings: number[] = [];
  for (let pass = 0; pass < 3; pass += 1) for (const event of events) feed(policy, event, timings, guessTimings);
  await policy.close();
  if (!json) {
    console.log(`${spec.name} chooseK: ${timings.length} calls, median ${median(timings).toFixed(2)} µs`);
    console.log(`${spec.name} continueAfterGuess: ${guessTimings.length} calls, median ${median(guessTimings).toFixed(2)} µs`);
  }
  return { choose: median(timings), guess: median(guessTimings) };
}

async function eventLoopDelayP99Ms(events: readonly Event[], extra: Record<string, number> = {}): Promise<number> {
  const policy = createDspPolicy(
    { name: 'dsp', options: { sample: 2500, capacity: 2500, epochs: 3, ...extra } },
    { trainer: 'worker', deterministic: false, onError: (error) => console.error(error) },
  );
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const start = performance.now();
  histogram.enable();
  // One task per turn of the event loop, as a live run would interleave them with its I/O.
  for (let pass = 0; pass < 2; pass += 1) {
    for (let index = 0; index < events.length; ) {
      let event: Event;
      do {
        event = events[index]!;
        index += 1;
        feed(policy, event);
      } while (event.kind !== 'task-ended' && index < events.length);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  while (policy.trainerStats.jobsCompleted < policy.trainerStats.jobsSubmitted) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  histogram.disable();
  const seconds = (performance.now() - start) / 1000;
  await policy.close();
  const p99 = histogram.percentile(99) / 1e6;
  if (!json) {
    console.log(
      `training: ${policy.trainerStats.jobsCompleted} jobs, ${policy.trainerStats.trainings} trainings in ${seconds.toFixed(2)} s; ` +
        `event-loop delay p99 ${p99.toFixed(2)} ms, max ${(histogram.max / 1e6).toFixed(2)} ms`,
    );
  }
  return p99;
}

function benchAllSuitesSec(suites: readonly Suite[]): number {
  const names = suites.map((suite) => suite.name);
  const policies = ['sequential', 'fixed:2', 'fixed:4', 'fixed:6', 'additive', 'oracle', ...benchDspRows].join(',');
  const start = performance.now();
  const run = spawnSync(process.execPath, ['bin/dsp.js', 'bench', '--suite', ...names, '--policies', policies, '--format', 'json', '--quiet'], {
    cwd: root,
    encoding: 'utf8',
  });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`dsp bench failed (exit ${run.status}): ${run.stderr}`);
  if (!json) console.log(`dsp bench over ${names.join(', ')} with ${policies}: ${seconds.toFixed(2)} s`);
  return seconds;
}

const suites = embeddedSuites();
const events = await recordEvents(suites);
const plain = await predictMicrosMedian(events);
const economic = await predictMicrosMedian(events, { name: 'dsp:value=30', options: { value: 30 } });
const figures = {
  predictMicrosMedian: Number(plain.choose.toFixed(2)),
  predictMicrosMedianEconomic: Number(economic.choose.toFixed(2)),
  guessMicrosMedianEconomic: Number(economic.guess.toFixed(2)),
  eventLoopDelayP99MsWhileTraining: Number((await eventLoopDelayP99Ms(events)).toFixed(2)),
  eventLoopDelayP99MsWhileTrainingEconomic: Number((await eventLoopDelayP99Ms(events, { value: 30 })).toFixed(2)),
  benchAllSuitesSec: Number(benchAllSuitesSec(suites).toFixed(2)),
};
console.log(json ? JSON.stringify(figures) : figures);
