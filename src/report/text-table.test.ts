import { describe, expect, it } from 'vitest';
import { displayWidth, renderTextTable, type TextColumn } from './text-table.js';

interface Fruit {
  name: string;
  count: number;
  note: string;
}

const fruits: Fruit[] = [
  { name: 'apple', count: 3, note: 'red' },
  { name: 'fig', count: 120, note: 'ripe in August' },
];

describe('renderTextTable', () => {
  it('puts headers first, the first column left and the others right, two spaces apart', () => {
    const columns: Array<TextColumn<Fruit>> = [
      { header: 'fruit', cell: (fruit) => fruit.name },
      { header: 'n', cell: (fruit) => String(fruit.count) },
    ];
    expect(renderTextTable(columns, fruits).split('\n')).toEqual([
      'fruit    n',
      'apple    3',
      'fig    120',
    ]);
  });

  it('aligns a column as asked and leaves no trailing space after a left-aligned last column', () => {
    const columns: Array<TextColumn<Fruit>> = [
      { header: 'n', cell: (fruit) => String(fruit.count), align: 'right' },
      { header: 'fruit', cell: (fruit) => fruit.name, align: 'left' },
      { header: 'note', cell: (fruit) => fruit.note, align: 'left' },
    ];
    expect(renderTextTable(columns, fruits).split('\n')).toEqual([
      '  n  fruit  note',
      '  3  apple  red',
      '120  fig    ripe in August',
    ]);
  });

  it('prints the header line alone when there is no row', () => {
    expect(renderTextTable<Fruit>([{ header: 'fruit', cell: (fruit) => fruit.name }, { header: 'count', cell: () => '' }], [])).toBe('fruit  count');
  });

  it('measures text as a terminal shows it: a combining hat takes no room', () => {
    expect(displayWidth('k̂')).toBe(1);
    expect(displayWidth('mean V̂')).toBe(6);
    expect(displayWidth('k ≤ k̂')).toBe(5);
    const rows = [{ k: 1 }, { k: 12 }];
    expect(renderTextTable([{ header: 'k̂', cell: (row: { k: number }) => String(row.k), align: 'right' }], rows).split('\n')).toEqual([
      ' k̂',
      ' 1',
      '12',
    ]);
  });
});
