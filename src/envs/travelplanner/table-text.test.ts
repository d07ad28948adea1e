import { describe, expect, it } from 'vitest';
import { formatFloats, pythonStringRepr, pythonText, tableText } from './table-text.js';

describe('pandas-like tables', () => {
  it('right-aligns every column under its header, one space apart', () => {
    const text = tableText(
      [
        { name: 'Name', kind: 'text' },
        { name: 'Cost', kind: 'int' },
      ],
      [
        ['A', 5],
        ['Longer name', 120],
      ],
    );
    expect(text).toBe('       Name Cost\n          A    5\nLonger name  120');
  });

  it('prints row labels left-aligned under an empty header', () => {
    expect(tableText([{ name: 'x', kind: 'int' }], [[1], [22]], { rowLabels: [5, 123] })).toBe('     x\n5    1\n123 22');
  });

  it('gives a float column six decimals, less the trailing zeros all values share, and escapes line breaks', () => {
    expect(formatFloats([131, 548.5])).toEqual(['131.0', '548.5']);
    expect(formatFloats([2, 4])).toEqual(['2.0', '4.0']);
    expect(formatFloats([42.2773242, -89.08814249999999])).toEqual(['42.277324', '-89.088142']);
    expect(formatFloats([0.25, 1.125])).toEqual(['0.250', '1.125']);
    expect(tableText([{ name: 'NAME', kind: 'text' }], [['Loft\nwith view']])).toBe('           NAME\nLoft\\nwith view');
  });
});

describe('Python reprs', () => {
  it('quotes like Python', () => {
    expect(pythonStringRepr('Boston')).toBe("'Boston'");
    expect(pythonStringRepr("Martha's Vineyard")).toBe(`"Martha's Vineyard"`);
    expect(pythonStringRepr(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pythonStringRepr('a\\b\nc')).toBe("'a\\\\b\\nc'");
    expect(pythonText(['a', null, 3, { k: 'v' }])).toBe("['a', None, 3, {'k': 'v'}]");
  });
});
