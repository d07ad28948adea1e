/**
 * The number formatters of every output (text tables, the HTML report, the run summary): one of each kind, so a
 * figure reads the same wherever it is shown. Pure. A missing or non-finite value reads `-`; an unknown cost `?`.
 */

/**
 * USD with four significant digits (`0.01234`, `0.1373`, `12.35`); zero reads `0`, an unknown cost (`null`: some
 * call was unpriced) `?`, a missing value `-`.
 */
export function formatUsd(value: number | null | undefined): string {
  if (value === null) return '?';
  if (value === undefined || !Number.isFinite(value)) return '-';
  if (value === 0) return '0';
  return value.toPrecision(4);
}

/** A number with a fixed count of decimals (default 2): seconds, means, ratios. `1.5` → `1.50`; null reads `-`. */
export function formatFixed(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return value.toFixed(digits);
}

/** A multiple such as a speedup, two decimals and an `x`: `1.3256` → `1.33x`. */
export function formatTimes(value: number | null | undefined): string {
  const text = formatFixed(value);
  return text === '-' ? text : `${text}x`;
}

/** A whole number as it is: `25`. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return String(value);
}
