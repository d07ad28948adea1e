/**
 * Expectile regression (spec §4): with `u = target − prediction`, the loss is `w·u²` where `w = τ` when `u > 0`
 * (under-prediction) and `1 − τ` otherwise. τ = 0.5 is half the squared error; τ > 0.5 punishes
 * under-prediction more, so the learned value (and k) grows.
 */

/** The expectile loss of one prediction. `tau` in (0, 1). */
export function expectileLoss(target: number, prediction: number, tau: number): number {
  const residual = target - prediction;
  const weight = residual > 0 ? tau : 1 - tau;
  return weight * residual * residual;
}

/** d loss / d prediction of `expectileLoss`: `−2·w·u`. */
export function expectileGradient(target: number, prediction: number, tau: number): number {
  const residual = target - prediction;
  const weight = residual > 0 ? tau : 1 - tau;
  return -2 * weight * residual;
}
