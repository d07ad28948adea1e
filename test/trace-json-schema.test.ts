/**
 * The committed JSON Schema of dsp-trace/1 is exactly what scripts/trace-json-schema.ts generates from the loader's
 * zod schema (regenerate with `npx tsx scripts/trace-json-schema.ts`), and the example trace in docs/spec.md §6 is
 * one the loader accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceJsonSchemaPath, traceJsonSchemaText } from '../scripts/trace-json-schema.js';
import { parseTraces } from '../src/traces/format.js';

const specPath = join(import.meta.dirname, '..', 'docs', 'spec.md');

describe('the dsp-trace/1 JSON Schema', () => {
  it('docs/dsp-trace-1.schema.json equals what scripts/trace-json-schema.ts produces', () => {
    const committed = readFileSync(traceJsonSchemaPath, 'utf8');
    expect(
      committed === traceJsonSchemaText(),
      'docs/dsp-trace-1.schema.json is stale: run `npx tsx scripts/trace-json-schema.ts` and commit the result',
    ).toBe(true);
  });

  it('describes every field the loader requires', () => {
    const schema = JSON.parse(readFileSync(traceJsonSchemaPath, 'utf8')) as {
      required: string[];
      $defs: { call: { required: string[] }; step: { required: string[] } };
    };
    expect(schema.required).toEqual(['format', 'id', 'suite', 'task', 'timing', 'models', 'steps']);
    expect(schema.$defs.step.required).toEqual(['target']);
    expect(schema.$defs.call.required).toEqual(['action', 'latencyMs', 'inputTokens', 'outputTokens']);
  });
});

describe('the example trace of docs/spec.md §6', () => {
  it('is accepted by the loader', () => {
    const spec = readFileSync(specPath, 'utf8');
    const section = spec.slice(spec.indexOf('### The format `dsp-trace/1`'));
    const block = /```json\n([\s\S]*?)```/.exec(section);
    expect(block, 'no json block under "The format dsp-trace/1"').not.toBeNull();
    const line = JSON.stringify(JSON.parse(block![1]!));
    const [trace] = parseTraces(line, 'docs/spec.md');
    expect(trace?.steps.map((step) => step.target.action)).toEqual(['Image Deblurring', 'TERMINATE']);
  });
});
