/**
 * A reader for the small subset of Python literals that the DSP authors' logs print: lists, tuples, quoted strings,
 * integers and `None` (e.g. `['Image Deblurring', 'TERMINATE']` or `[(0, 'Image Denoising')]`).
 */

/** A value read from a Python literal. Tuples become arrays; `None` becomes null. */
export type PythonValue = string | number | null | PythonValue[];

/** Thrown with the character offset and what the reader expected there. */
export class PythonLiteralError extends Error {
  override readonly name = 'PythonLiteralError';
  /** 0-based character offset in the literal. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at character ${offset + 1}`);
    this.offset = offset;
  }
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

/** Parses one Python literal; the whole text must be consumed (surrounding whitespace allowed). */
export function parsePythonLiteral(text: string): PythonValue {
  let position = 0;

  const skipSpaces = (): void => {
    while (position < text.length && /\s/.test(text[position]!)) position += 1;
  };

  const readSequence = (close: ']' | ')'): PythonValue[] => {
    const items: PythonValue[] = [];
    position += 1;
    skipSpaces();
    if (text[position] === close) {
      position += 1;
      return items;
    }
    for (;;) {
      items.push(readValue());
      skipSpaces();
      const character = text[position];
      if (character === ',') {
        position += 1;
        skipSpaces();
        // A trailing comma is legal Python: `(1,)` or `['a',]`.
        if (text[position] === close) {
          position += 1;
          return items;
        }
        continue;
      }
      if (character === close) {
        position += 1;
        return items;
      }
      throw new PythonLiteralError(`expected ',' or '${close}'`, position);
    }
  };

  const readString = (): string => {
    const quote = text[position]!;
    const start = position;
    position += 1;
    let value = '';
    while (position < text.length) {
      const character = text[position]!;
      if (character === quote) {
        position += 1;
        return value;
      }
      if (character === '\\') {
        const next = text[position + 1];
        if (next === undefined) break;
        value += escapes[next] ?? `\\${next}`;
        position += 2;
        continue;
      }
      value += character;
      position += 1;
    }
    throw new PythonLiteralError(`expected a closing ${quote} for the string opened`, start);
  };

  const readValue = (): PythonValue => {
    skipSpaces();
    const character = text[position];
    if (character === '[') return readSequence(']');
    if (character === '(') return readSequence(')');
    if (character === "'" || character === '"') return readString();
    if (text.startsWith('None', position)) {
      position += 4;
      return null;
    }
    const number = /^-?\d+/.exec(text.slice(position));
    if (number !== null) {
      position += number[0].length;
      return Number(number[0]);
    }
    throw new PythonLiteralError('expected a list, tuple, quoted string, integer or None', position);
  };

  const value = readValue();
  skipSpaces();
  if (position !== text.length) throw new PythonLiteralError('expected the end of the literal', position);
  return value;
}

/** Parses a Python list of strings, e.g. `['Image Deblurring', 'TERMINATE']`. */
export function parsePythonStringList(text: string): string[] {
  const value = parsePythonLiteral(text);
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new PythonLiteralError('expected a list of strings', 0);
  }
  return value;
}
