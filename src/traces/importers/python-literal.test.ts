import { describe, expect, it } from 'vitest';
import { parsePythonLiteral, parsePythonStringList } from './python-literal.js';

describe('Python literals', () => {
  it('reads the lists and tuples the logs print', () => {
    expect(parsePythonStringList("['Image Deblurring', 'TERMINATE']")).toEqual(['Image Deblurring', 'TERMINATE']);
    expect(parsePythonLiteral("[(0, 'Image Denoising'), (1, \"it's\")]")).toEqual([
      [0, 'Image Denoising'],
      [1, "it's"],
    ]);
    expect(parsePythonLiteral("['a\\'b', None, (2,)]")).toEqual(["a'b", null, [2]]);
    expect(parsePythonStringList('[]')).toEqual([]);
  });

  it('says where and what it expected', () => {
    expect(() => parsePythonLiteral("['a' 'b']")).toThrow("expected ',' or ']' at character 6");
    expect(() => parsePythonLiteral("['a")).toThrow('expected a closing');
    expect(() => parsePythonLiteral('[1] x')).toThrow('expected the end of the literal at character 5');
    expect(() => parsePythonStringList('[1]')).toThrow('expected a list of strings');
  });
});
