/**
 * The set of operations already linearized, as a bitset with a running hash.
 *
 * Lowe's memoisation remembers every (set of operations linearized, model
 * state) the search has reached; the set is stored as bits in 32-bit words
 * (operation i is bit i). Its hash is kept up to date on every `add`/`remove`
 * (Zobrist hashing: each operation has a fixed random 32-bit number, and the
 * set's hash is the XOR of its members' numbers), so looking a configuration
 * up costs O(1) plus one comparison of words on a hash hit.
 */
export class Bitset {
  readonly words: Uint32Array;
  /** XOR of the members' random numbers. */
  hash = 0;
  private readonly keys: Int32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
    this.keys = zobristKeys(size);
  }

  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    this.words[i >>> 5] |= 1 << (i & 31);
    this.hash ^= this.keys[i];
  }

  remove(i: number): void {
    this.words[i >>> 5] &= ~(1 << (i & 31));
    this.hash ^= this.keys[i];
  }
}

/** Fixed pseudo-random numbers (splitmix32), the same for every run: results are reproducible. */
function zobristKeys(size: number): Int32Array {
  const keys = new Int32Array(size);
  let seed = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    seed = (seed + 0x9e3779b9) | 0;
    let z = seed;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    keys[i] = z ^ (z >>> 16);
  }
  return keys;
}
