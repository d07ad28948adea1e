/**
 * String hashing for the feature space: 32-bit FNV-1a over UTF-16 code units, so a word or an action lands in the
 * same slot on every machine and every run. Pure and allocation-free.
 */

/** FNV-1a of `text`, seeded with `seed` (so two feature families can hash the same word to different slots). */
export function hashString(text: string, seed = 0): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Mixes a small integer into a hash (for crossed features such as word × step). */
export function mixHash(hash: number, value: number): number {
  let mixed = (hash ^ Math.imul(value + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35) >>> 0;
  return (mixed ^ (mixed >>> 16)) >>> 0;
}

/** Lower-case word tokens of a text: runs of letters and digits. `Image Super-Resolution` → image, super, resolution. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
