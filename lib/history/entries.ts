/**
 * The entry list: a part's calls and returns in time order, as a linked list
 * the search lifts operations out of (Lowe's "just-in-time linearization").
 *
 * Walking the list from its head, every call met before the first return is
 * an operation that may be linearized next: it had been called before any
 * operation still pending had to have taken effect. Linearizing one *lifts*
 * its call and its return out of the list; backtracking *unlifts* them back
 * in, in the reverse order (dancing links: a removed entry keeps its own
 * links, so putting it back is O(1)). Meeting a return means that operation
 * should already be linearized: the search must backtrack.
 *
 * An operation whose outcome is unknown has a call and no return: it may be
 * linearized at any point after its call, or never.
 *
 * Entries are numbered in time order, so `0..length-1` is the full list.
 *
 * Ties: a call and a return at the same instant count as overlapping (the
 * call is sorted first), the lenient reading of a clock with finite
 * resolution.
 */
import type { Operation } from './operation.ts';

export class EntryList {
  /** Index of the list's head sentinel; `next[HEAD]` is the first entry, -1 ends the list. */
  readonly head: number;
  /** The operation (index into the part) of each entry. */
  readonly op: Int32Array;
  /** 1 for a call, 0 for a return. */
  readonly isCall: Uint8Array;
  /** For a call, its return's entry, or -1 when the operation never returned. */
  readonly returnOf: Int32Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;

  constructor(operations: readonly Operation[]) {
    type Raw = { op: number; call: boolean; time: number };
    const raw: Raw[] = [];
    operations.forEach((o, op) => {
      raw.push({ op, call: true, time: o.call });
      if (o.outcome !== 'unknown') raw.push({ op, call: false, time: o.return! });
    });
    raw.sort((a, b) => a.time - b.time || Number(b.call) - Number(a.call) || a.op - b.op);

    const n = raw.length;
    this.head = n;
    this.op = new Int32Array(n);
    this.isCall = new Uint8Array(n);
    this.returnOf = new Int32Array(n).fill(-1);
    this.next = new Int32Array(n + 1);
    this.prev = new Int32Array(n + 1);
    const callEntry = new Int32Array(operations.length);
    raw.forEach((r, e) => {
      this.op[e] = r.op;
      this.isCall[e] = r.call ? 1 : 0;
      if (r.call) callEntry[r.op] = e;
      else this.returnOf[callEntry[r.op]] = e;
      this.next[e] = e + 1 < n ? e + 1 : -1;
      this.prev[e] = e === 0 ? this.head : e - 1;
    });
    this.next[this.head] = n ? 0 : -1;
    this.prev[this.head] = -1;
  }

  /** Takes a call entry and its return out of the list. */
  lift(call: number): void {
    this.unlink(call);
    const ret = this.returnOf[call];
    if (ret !== -1) this.unlink(ret);
  }

  /** Puts back what the matching `lift` took out (lifts must be undone last-first). */
  unlift(call: number): void {
    const ret = this.returnOf[call];
    if (ret !== -1) this.relink(ret);
    this.relink(call);
  }

  private unlink(e: number): void {
    const { next, prev } = this;
    next[prev[e]] = next[e];
    if (next[e] !== -1) prev[next[e]] = prev[e];
  }

  private relink(e: number): void {
    const { next, prev } = this;
    next[prev[e]] = e;
    if (next[e] !== -1) prev[next[e]] = e;
  }
}
