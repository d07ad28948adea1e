import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPriceTable } from '../ledger/prices.js';
import { loadPriceTable } from './price-file.js';

describe('the price file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dsp-prices-'));
  const write = (name: string, content: string): string => {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  };

  it('lays its models over the built-in table and names the table', () => {
    const path = write('mine.json', JSON.stringify({ name: 'mine', models: { 'my-model': { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } } }));
    const table = loadPriceTable(path);
    expect(table.name).toBe('mine');
    expect(table.models['my-model']).toEqual({ inputUsdPerMTok: 1, outputUsdPerMTok: 2 });
    expect(Object.keys(table.models)).toEqual(expect.arrayContaining(Object.keys(builtinPriceTable.models)));
  });

  it('names the file and the field of a bad value, and what was expected', () => {
    const path = write('bad.json', JSON.stringify({ name: 'mine', models: { 'gpt-4.1': { inputUsdPerMTok: -1, outputUsdPerMTok: 2 } } }));
    expect(() => loadPriceTable(path)).toThrow(
      /bad\.json: field models\["gpt-4\.1"\]\.inputUsdPerMTok: .*>=0.* \(expected \{"name": string, "models": /,
    );
    expect(() => loadPriceTable(write('not.json', 'name: mine'))).toThrow(/not\.json: not valid JSON \(.+\); expected a price table \{"name"/);
  });

  it('refuses a key it does not know (a misspelt price would be dropped) and a cached price out of bounds', () => {
    const misspelt = { inputUsdPerMTok: 1, outputUsdPerMTok: 2, cachedInputUSDPerMTok: 0.5 };
    expect(() => loadPriceTable(write('misspelt.json', JSON.stringify({ name: 'mine', models: { m: misspelt } })))).toThrow(
      /misspelt\.json: field models\.m: Unrecognized key: "cachedInputUSDPerMTok" \(expected \{"name": string/,
    );
    const huge = { inputUsdPerMTok: 1, outputUsdPerMTok: 2, cachedInputUsdPerMTok: 1e300 };
    expect(() => loadPriceTable(write('huge.json', JSON.stringify({ name: 'mine', models: { m: huge } })))).toThrow(
      /huge\.json: field models\.m\.cachedInputUsdPerMTok: Too big/,
    );
  });
});
