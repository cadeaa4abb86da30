/**
 * The memo of configurations the search has already reached (Lowe 2017).
 *
 * A configuration is (the set of operations linearized so far, the model
 * state after them). Two paths of the search that reach the same
 * configuration have the same future, so the second one is cut: this turns
 * Wing & Gong's search over orders (n!) into one over configurations, which
 * for real histories, where only the few operations in flight at a time can
 * be reordered, is close to linear.
 *
 * Stored flat for speed and memory: an open hash table of chains over typed
 * arrays, every set's words copied into one growing pool; states are compared
 * with the model's `equal` only when the set and the state hash both match.
 */
import type { Bitset } from './bitset.ts';

export class ConfigurationCache<S> {
  private readonly width: number;
  private heads: Int32Array;
  private hashes = new Int32Array(1024);
  private chain = new Int32Array(1024);
  private pool: Uint32Array;
  private states: S[] = [];
  size = 0;

  constructor(
    wordsPerSet: number,
    private readonly equal: (a: S, b: S) => boolean,
  ) {
    this.width = wordsPerSet;
    this.heads = new Int32Array(4096).fill(-1);
    this.pool = new Uint32Array(1024 * wordsPerSet);
  }

  /** Records (set, state); false when it was recorded before. */
  addIfNew(set: Bitset, state: S, stateHash: number): boolean {
    const hash = (set.hash + Math.imul(stateHash, 0x27d4eb2f)) | 0;
    if (this.find(hash, set.words, state)) return false;
    this.append(hash, set.words, state);
    return true;
  }

  /** Whether (set, state) was recorded. */
  has(set: Bitset, state: S, stateHash: number): boolean {
    return this.find((set.hash + Math.imul(stateHash, 0x27d4eb2f)) | 0, set.words, state);
  }

  private find(hash: number, words: Uint32Array, state: S): boolean {
    for (let e = this.heads[hash & (this.heads.length - 1)]; e !== -1; e = this.chain[e]) {
      if (this.hashes[e] === hash && this.sameWords(e, words) && this.equal(this.states[e], state)) return true;
    }
    return false;
  }

  private sameWords(entry: number, words: Uint32Array): boolean {
    const base = entry * this.width;
    for (let i = 0; i < this.width; i++) if (this.pool[base + i] !== words[i]) return false;
    return true;
  }

  private append(hash: number, words: Uint32Array, state: S): void {
    const e = this.size++;
    if (e === this.hashes.length) this.grow();
    this.hashes[e] = hash;
    const base = e * this.width;
    for (let i = 0; i < this.width; i++) this.pool[base + i] = words[i];
    this.states.push(state);
    const slot = hash & (this.heads.length - 1);
    this.chain[e] = this.heads[slot];
    this.heads[slot] = e;
    if (this.size > this.heads.length * 0.75) this.rehash();
  }

  private grow(): void {
    const capacity = this.hashes.length * 2;
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const chain = new Int32Array(capacity);
    chain.set(this.chain);
    this.chain = chain;
    const pool = new Uint32Array(capacity * this.width);
    pool.set(this.pool);
    this.pool = pool;
  }

  private rehash(): void {
    this.heads = new Int32Array(this.heads.length * 2).fill(-1);
    const mask = this.heads.length - 1;
    for (let e = 0; e < this.size; e++) {
      const slot = this.hashes[e] & mask;
      this.chain[e] = this.heads[slot];
      this.heads[slot] = e;
    }
  }
}
