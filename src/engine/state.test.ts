/** The copy-on-write task state: forks, seals, versions and copies. */
import { describe, expect, it } from 'vitest';
import { StateLayer } from './state.js';

function versions(): () => string {
  let count = 0;
  return () => `v${(count += 1)}`;
}

describe('StateLayer', () => {
  it('a fork reads through to its parent and keeps its own writes and deletions to itself', () => {
    const root = StateLayer.root([['a', 1], ['b', 2]], versions());
    const fork = root.fork();
    fork.set('a', 10);
    fork.delete('b');
    fork.set('c', 3);
    expect([...fork.entries()]).toEqual([['a', 10], ['c', 3]]);
    expect(fork.has('b')).toBe(false);
    expect(fork.get('b')).toBeUndefined();
    expect(fork.size).toBe(2);
    expect([...root.entries()]).toEqual([['a', 1], ['b', 2]]);
    // A sibling fork sees none of it.
    expect([...root.fork().entries()]).toEqual([['a', 1], ['b', 2]]);
  });

  it('versions: a fork shares its parent version until it writes, and each write gives a new one', () => {
    const root = StateLayer.root([], versions());
    const fork = root.fork();
    expect(fork.version).toBe(root.version);
    fork.set('x', 1);
    const afterOne = fork.version;
    expect(afterOne).not.toBe(root.version);
    fork.set('x', 1);
    expect(fork.version).not.toBe(afterOne);
    // Deleting a missing key changes nothing.
    const other = root.fork();
    expect(other.delete('nothing')).toBe(false);
    expect(other.version).toBe(root.version);
  });

  it('refuses writes once sealed and through a read-only view, naming why', () => {
    const root = StateLayer.root([['k', 'v']], versions());
    expect(() => root.set('k', 'w')).toThrow(/cannot be written: the initial state/);
    const fork = root.fork();
    fork.set('k', 'w');
    fork.seal('the execution has ended');
    expect(() => fork.delete('k')).toThrow(/the execution has ended/);
    const view = fork.readOnly('the tool is declared pure');
    expect(view.get('k')).toBe('w');
    expect(() => view.set('k', 'x')).toThrow(/declared pure/);
  });

  it('copies values in and out, so nobody can change a stored object in place', () => {
    const root = StateLayer.root([['cart', { items: ['a'] }]], versions());
    const fork = root.fork();
    const cart = fork.get('cart') as { items: string[] };
    cart.items.push('b');
    expect(fork.get('cart')).toEqual({ items: ['a'] });
    const value = { items: ['c'] };
    fork.set('cart', value);
    value.items.push('d');
    expect(fork.get('cart')).toEqual({ items: ['c'] });
    expect(root.get('cart')).toEqual({ items: ['a'] });
  });
});
