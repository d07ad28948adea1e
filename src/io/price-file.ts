/**
 * The price file adapter: reads a user's JSON price table, validates it and lays it over the built-in table.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { builtinPriceTable, type PriceTable } from '../ledger/prices.js';
import { readTextFile } from './read-text.js';

export const modelPriceSchema = z.object({
  inputUsdPerMTok: z.number().nonnegative(),
  outputUsdPerMTok: z.number().nonnegative(),
  source: z.string().optional(),
  date: z.string().optional(),
});

export const priceTableSchema = z.object({
  name: z.string().min(1),
  models: z.record(z.string(), modelPriceSchema),
});

/**
 * Loads a user's price file (same shape as the built-in table) and lays it over the built-in table: its models
 * replace or add to the built-in ones, and its name becomes the table's name.
 */
export function loadPriceTable(path: string): PriceTable {
  const text = readTextFile(path);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`the price table is not valid JSON (${(error as Error).message})`, { source: path });
  }
  const parsed = priceTableSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidInputError(
      `field ${issue.path.join('.') || '(root)'}: ${issue.message} (expected {"name": string, "models": {MODEL: {"inputUsdPerMTok": number, "outputUsdPerMTok": number}}})`,
      { source: path },
    );
  }
  return { name: parsed.data.name, models: { ...builtinPriceTable.models, ...parsed.data.models } };
}
