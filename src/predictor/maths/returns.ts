/**
 * λ-returns over one segment (spec §4), with γ = 1 and reward 1 at every step up to and including the break:
 *
 *   G_j = r_j + (1 − λ)·V(s_{j+1}) + λ·G_{j+1},   G and V after the break = 0.
 *
 * With λ = 1, G_j is the label `k_j = m − j + 1`. The authors' code bootstraps from `V(s_j)` instead of
 * `V(s_{j+1})`; that variant is kept behind `bootstrap: 'current'` for comparison only.
 *
 * Steps are keyed by step number, not list position. A step of the segment without a stored state (no guess was
 * made there, e.g. a `no-guess` break step) has no estimate of its own; its value is taken as its return (a Monte
 * Carlo link), so labels stay exact with λ = 1 and the recursion never reads a value it does not have.
 */

/** Which state's value a λ-return bootstraps from. `next` is the standard form; `current` is the authors' variant. */
export type Bootstrap = 'next' | 'current';

/**
 * The λ-return of every stored state of a segment.
 * @param steps 1-based step numbers of the stored states, strictly ascending, all ≤ `breakStep`.
 * @param values the current estimates V(s) of those states, same order.
 * @param breakStep the step of the break (the last step of the segment).
 * @param lambda λ in [0, 1].
 * @returns the targets, same order as `steps`.
 */
export function lambdaReturns(
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
  breakStep: number,
  lambda: number,
  bootstrap: Bootstrap = 'next',
): Float64Array {
  const targets = new Float64Array(steps.length);
  let stored = steps.length - 1;
  let returnAfter = 0;
  let valueAfter = 0;
  const firstStep = steps.length > 0 ? steps[0]! : breakStep + 1;
  for (let step = breakStep; step >= firstStep; step -= 1) {
    const hasState = stored >= 0 && steps[stored] === step;
    const value = hasState ? values[stored]! : undefined;
    let currentReturn: number;
    if (bootstrap === 'next') {
      currentReturn = 1 + (1 - lambda) * valueAfter + lambda * returnAfter;
    } else {
      // With no estimate of V(s_j), the authors' form degenerates to the Monte Carlo link.
      currentReturn = value === undefined ? 1 + returnAfter : 1 + (1 - lambda) * value + lambda * returnAfter;
    }
    if (hasState) {
      targets[stored] = currentReturn;
      stored -= 1;
    }
    returnAfter = currentReturn;
    valueAfter = value ?? currentReturn;
  }
  return targets;
}
