/** Parsing of numeric command-line options with errors that name the option. */
import { InvalidInputError } from '../core/errors.js';

export function parseWholeNumber(text: string, option: string, minimum: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < minimum) {
    throw new InvalidInputError(`expected a whole number ≥ ${minimum}, got "${text}"`, { source: option });
  }
  return value;
}
