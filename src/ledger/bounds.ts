/**
 * The largest values dsp reads from a file (spec §5, §6). Every figure is a sum, mean or ratio of these, so bounded
 * inputs keep every figure finite: a call of at most a day and a billion tokens at most $100,000 per million tokens
 * costs at most $10⁸, and it takes ten million such calls before any figure nears the results file's bound.
 * Pure constants, shared by the trace, price and results schemas.
 */

/** The longest call a trace may record: 24 hours, in ms. */
export const maxCallLatencyMs = 86_400_000;

/** The most input or output tokens one recorded call may have (all model calls of a strategy's step summed). */
export const maxCallTokens = 1_000_000_000;

/** The highest price a price table may hold, in USD per million tokens. */
export const maxUsdPerMTok = 100_000;

/** The largest absolute value of any number in a results file (10¹⁵: ms, USD, tokens, ratios). */
export const maxResultsValue = 1e15;
