/**
 * The price file adapter: reads a user's JSON price table, validates it and lays it over the built-in table.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { describeValidationIssues } from '../core/validation-issues.js';
import { maxUsdPerMTok } from '../ledger/bounds.js';
import { builtinPriceTable, type PriceTable } from '../ledger/prices.js';
import { readJsonFile } from './read-text.js';

export const modelPriceSchema = z.object({
  inputUsdPerMTok: z.number().nonnegative().max(maxUsdPerMTok),
  outputUsdPerMTok: z.number().nonnegative().max(maxUsdPerMTok),
  source: z.string().optional(),
  date: z.string().optional(),
  cachedInputUsdPerMTok: z.number().nonnegative().max(maxUsdPerMTok).optional(),
  cachedInputSource: z.string().optional(),
  cachedInputDate: z.string().optional(),
});

export const priceTableSchema = z.object({
  name: z.string().min(1),
  models: z.record(z.string(), modelPriceSchema),
});

/**
 * A user's price file: as the table, but a key the table does not know is refused, since it is most likely a
 * misspelt price (`cachedInputUSDPerMTok`) that would otherwise be dropped without a word.
 */
const priceFileSchema = z.strictObject({
  name: priceTableSchema.shape.name,
  models: z.record(z.string(), z.strictObject(modelPriceSchema.shape)),
});

const priceTableShape = '{"name": string, "models": {MODEL: {"inputUsdPerMTok": number, "outputUsdPerMTok": number}}}';

/**
 * Loads a user's price file (same shape as the built-in table) and lays it over the built-in table: its models
 * replace or add to the built-in ones, and its name becomes the table's name.
 */
export function loadPriceTable(path: string): PriceTable {
  const parsed = priceFileSchema.safeParse(readJsonFile(path, `a price table ${priceTableShape}`));
  if (!parsed.success) {
    throw new InvalidInputError(`${describeValidationIssues(parsed.error.issues)} (expected ${priceTableShape})`, { source: path });
  }
  return { name: parsed.data.name, models: { ...builtinPriceTable.models, ...parsed.data.models } };
}
