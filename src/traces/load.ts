/**
 * Reading and writing `dsp-trace/1` files. Loading validates every line and names the file, the line, the field
 * and what was expected; writing is atomic (a temporary file renamed into place), so no half-written file is left.
 */
import type { ZodError } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { traceSchema, type Trace } from './schema.js';
import { readTextFile } from '../io/read-text.js';

/** Parses the text of a trace file. `source` names the file in errors. Blank lines are ignored. */
export function parseTraces(text: string, source: string): Trace[] {
  const traces: Trace[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InvalidInputError(`line ${lineNumber}: not valid JSON (${(error as Error).message}); expected one trace object per line`, {
        source,
      });
    }
    const parsed = traceSchema.safeParse(value);
    if (!parsed.success) {
      throw new InvalidInputError(`line ${lineNumber}: ${describeZodError(parsed.error)}`, { source });
    }
    const previous = seen.get(parsed.data.id);
    if (previous !== undefined) {
      throw new InvalidInputError(`line ${lineNumber}: trace id "${parsed.data.id}" already used on line ${previous}`, {
        source,
      });
    }
    seen.set(parsed.data.id, lineNumber);
    traces.push(parsed.data);
  });
  if (traces.length === 0) {
    throw new InvalidInputError('the file holds no trace (expected one dsp-trace/1 JSON object per line)', { source });
  }
  return traces;
}

/** Reads and validates a trace file. */
export function loadTraces(path: string): Trace[] {
  const text = readTextFile(path);
  return parseTraces(text, path);
}

/** One trace as a JSON line. */
export function formatTrace(trace: Trace): string {
  return JSON.stringify(trace);
}

/** Writes traces as JSON Lines, atomically. */
export function writeTraces(path: string, traces: readonly Trace[]): void {
  writeFileAtomic(path, traces.map((trace) => `${formatTrace(trace)}\n`).join(''));
}

/** The first issue of a zod error as `field a.b.c: message`. */
export function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const field = issue.path.length === 0 ? '(the line)' : issue.path.map(String).join('.');
  return `field ${field}: ${issue.message}`;
}
