/**
 * Policy wrappers of a live run: speculation cut when the run has no room for it (a rate limit shrank it, the
 * budget is nearly spent), and one policy instance per task when several tasks run at once.
 */
import type { KPolicy, RoundState } from '../core/policy.js';
import type { Action, RoundRecord, TaskInput, TaskResult } from '../core/types.js';

/**
 * `policy`, except that it speculates only while `allowed(task)` says so: k is 0 for a round that starts without room,
 * and a round stops speculating at the next guess once room is gone. The wrapped policy is still asked for k
 * every round (a learning policy keeps its view of the task) and is told every round. Keeps the policy's name.
 */
export function gateSpeculation(policy: KPolicy, allowed: (task: TaskInput) => boolean): KPolicy {
  const gated: KPolicy = {
    name: policy.name,
    chooseK: (state) => {
      const k = policy.chooseK(state);
      return allowed(state.task) ? k : 0;
    },
    continueAfterGuess: (state, guesses, confidences) => allowed(state.task) && (policy.continueAfterGuess?.(state, guesses, confidences) ?? true),
  };
  if (policy.observeRound !== undefined) gated.observeRound = (round, state) => policy.observeRound!(round, state);
  if (policy.taskStarted !== undefined) gated.taskStarted = (task) => policy.taskStarted!(task);
  if (policy.taskEnded !== undefined) gated.taskEnded = (result) => policy.taskEnded!(result);
  if (policy.close !== undefined) gated.close = () => policy.close!();
  return gated;
}

/**
 * One instance of a policy per task, made by `create` when the task starts and dropped when it ends, for tasks
 * that run at once (a policy such as `additive` keeps state from round to round of a task). Tasks are told apart
 * by their id.
 */
export function policyPerTask(create: () => KPolicy): KPolicy {
  const instances = new Map<string, KPolicy>();
  const name = create().name;
  const of = (task: TaskInput): KPolicy => {
    let instance = instances.get(task.id);
    if (instance === undefined) {
      instance = create();
      instances.set(task.id, instance);
    }
    return instance;
  };
  return {
    name,
    taskStarted: (task) => {
      instances.delete(task.id);
      of(task).taskStarted?.(task);
    },
    chooseK: (state: RoundState) => of(state.task).chooseK(state),
    continueAfterGuess: (state: RoundState, guesses: readonly Action[], confidences?: readonly (number | undefined)[]) =>
      of(state.task).continueAfterGuess?.(state, guesses, confidences) ?? true,
    observeRound: (round: RoundRecord, state: RoundState) => of(state.task).observeRound?.(round, state),
    taskEnded: (result: TaskResult) => {
      instances.get(result.taskId)?.taskEnded?.(result);
      instances.delete(result.taskId);
    },
  };
}
