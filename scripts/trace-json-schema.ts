/**
 * The JSON Schema of the `dsp-trace/1` format (docs/spec.md §6), generated with zod's `z.toJSONSchema` from the zod
 * schema the trace loader itself uses, so the two cannot drift apart: test/trace-json-schema.test.ts fails when the
 * committed docs/dsp-trace-1.schema.json differs from what this script produces. After a change of
 * src/traces/schema.ts, run `npx tsx scripts/trace-json-schema.ts` and commit the file it writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { traceCallSchema, traceSchema, traceStepSchema } from '../src/traces/schema.js';

/** Where the schema is committed. */
export const traceJsonSchemaPath = join(import.meta.dirname, '..', 'docs', 'dsp-trace-1.schema.json');

/** What the schema says about each part of a trace: names of shared definitions and one-line descriptions. */
function describedParts(): z.core.$ZodRegistry<{ id?: string; description: string }> {
  const registry = z.registry<{ id?: string; description: string }>();
  const trace = traceSchema.shape;
  const call = traceCallSchema.shape;
  const step = traceStepSchema.shape;
  registry.add(trace.format, { description: 'The format and its version.' });
  registry.add(trace.id, { description: 'Names the trace; unique within a file.' });
  registry.add(trace.suite, { description: 'The suite the trace belongs to (dsp bench --traces groups traces by it).' });
  registry.add(trace.task, { description: 'The task text the agents saw.' });
  registry.add(trace.timing, {
    description:
      'Where latencies and tokens come from: measured calls, a model fitted to measured calls, or the seeded synthetic generator.',
  });
  registry.add(trace.models, {
    description:
      'The models that served A and T; calls are priced by these names (a provider-qualified name such as openai:gpt-4.1-mini as its model id unless the price table has the qualified key).',
  });
  registry.add(trace.models.shape.approx, { description: 'The model of the approximation agent A.' });
  registry.add(trace.models.shape.target, { description: 'The model of the target agent T.' });
  registry.add(trace.steps, { description: 'The committed steps of the plan, in order: steps[i] is step i + 1.' });
  registry.add(trace.terminal, {
    description:
      "Whether the plan ended by a terminal action (the last step's target.action). Default true; false: the plan was cut at its last step.",
  });
  registry.add(traceStepSchema, {
    id: 'step',
    description: "One committed step: T's call (target) and A's guess (approx), both on the same true prefix.",
  });
  registry.add(step.approx, { description: "A's guess for this step on the same prefix; absent when none was recorded." });
  registry.add(traceCallSchema, { id: 'call', description: "One agent's call at one step, on the true prefix." });
  registry.add(call.action, { id: 'action', description: 'The action the agent returned: any JSON value.' });
  registry.add(call.latencyMs, { description: 'How long the call took, in milliseconds (at most a day).' });
  registry.add(call.inputTokens, { description: 'Prompt tokens (all model calls of a strategy summed; at most 10^9).' });
  registry.add(call.outputTokens, { description: 'Generated tokens, reasoning included (all model calls of a strategy summed; at most 10^9).' });
  registry.add(call.confidence, {
    description: "The agent's probability (0 to 1) that this is the action it meant, from its tokens' log-probabilities; optional. Replay hands A's to the policy with its guess.",
  });
  return registry;
}

/** The schema file's text: 2-space JSON and a final newline. */
export function traceJsonSchemaText(): string {
  const generated = z.toJSONSchema(traceSchema, { target: 'draft-2020-12', metadata: describedParts() });
  const { $schema, ...rest } = generated;
  const document = {
    $schema,
    title: 'dsp-trace/1',
    description:
      'One task of a dsp-trace/1 file (JSON Lines: one such object per line). More fields may be added and are kept. Specified in docs/spec.md §6 of the dsp-agent package.',
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const text = traceJsonSchemaText();
  writeFileSync(traceJsonSchemaPath, text);
  process.stdout.write(`wrote docs/dsp-trace-1.schema.json (${text.length} bytes)\n`);
}
