/**
 * A model: the sequential specification a history is checked against.
 *
 * Linearizability asks whether the concurrent operations of a history can be
 * put in *one* order, each taking effect at an instant between its call and
 * its return, such that executing them one after another on a correct
 * single-copy object gives exactly the outputs the clients saw. The model is
 * that single-copy object, written as a pure step function (porcupine's
 * design): no I/O, no mutation, so the checker may replay it in any order and
 * remember states it has already seen.
 *
 * - `init()` is the state before any operation;
 * - `step(state, input, output)` applies one operation: `{ ok: true, state }`
 *   when a correct object in `state` could have answered `output`, else
 *   `{ ok: false, reason }` in words a student understands. `output` is
 *   `undefined` when the outcome is unknown (the client never got an answer):
 *   the step must then accept whatever the object would have answered;
 * - `partition(operations)` splits a history into independent parts (here:
 *   per key), each checked alone (P-compositionality: a history is
 *   linearizable iff every part is, and small parts are exponentially cheaper);
 * - `equal`/`hash` of states let the checker memoise (operations done, state);
 * - `describeOperation`/`describeState` are for people (`APPEND x3`, `[x1, x3]`);
 * - `validate` names what is wrong with an operation read from a file;
 * - `readOnly`, optional, says an operation never changes the state wherever
 *   its step succeeds (a read). The checker then places such an operation as
 *   soon as the state allows (no other order can do better, so it is not a
 *   choice to backtrack over) and drops one whose outcome is unknown;
 * - `stillPossible`, optional, prunes: for a read the current state refuses,
 *   false when no sequence of the operations that may still come before it
 *   (`pending()`) can lead to a state that accepts it, so the search backs
 *   out at once instead of trying every order of those operations first. It
 *   must be sound: when unsure, true;
 * - `anomalies`, optional, finds named anomalies directly, before the search.
 */
import type { Anomaly } from './anomaly.ts';
import type { Operation, Outcome } from './operation.ts';

export type StepResult<S> = { ok: true; state: S } | { ok: false; reason: string };

/** The operations of one key (or whatever the model partitions by). */
export type Part<I = unknown, O = unknown> = { key: string; operations: Operation<I, O>[] };

export type Model<S = unknown, I = unknown, O = unknown> = {
  /** The name a history file uses in its "model" field. */
  readonly name: string;
  /** One line: what the model is, for the README and error messages. */
  readonly summary: string;
  init(): S;
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  partition(operations: readonly Operation<I, O>[]): Part<I, O>[];
  equal(a: S, b: S): boolean;
  /** A 32-bit integer; equal states must hash alike. */
  hash(state: S): number;
  describeOperation(input: I, output: O | undefined): string;
  describeState(state: S): string;
  /** What is wrong with an operation's input (or, for outcome ok, output), or undefined. */
  validate(input: unknown, output: unknown, outcome: Outcome): string | undefined;
  readOnly?(input: I, output: O | undefined): boolean;
  stillPossible?(state: S, input: I, output: O, pending: () => I[]): boolean;
  /** `history` is every operation of every part (an anomaly may point at another key). */
  anomalies?(part: Part<I, O>, history: readonly Operation[]): Anomaly[];
};

/** A model whose types are not known statically (as picked by a file's "model" field). */
// biome-ignore lint/suspicious/noExplicitAny: a model picked by name at run time has types known only to itself
export type AnyModel = Model<any, any, any>;

/**
 * A rejection whose reason is only put into words when someone reads it: the
 * search is refused often and reads the reason of one refusal at most.
 */
class Rejection {
  readonly ok = false;
  private text: string | undefined;
  constructor(private readonly explain: () => string) {}
  get reason(): string {
    return (this.text ??= this.explain());
  }
}

export function rejected(reason: () => string): { ok: false; reason: string } {
  return new Rejection(reason);
}

/** The usual partition: one part per key, in order of first appearance, operations in call order. */
export function partitionByKey<I, O>(operations: readonly Operation<I, O>[]): Part<I, O>[] {
  const parts = new Map<string, Operation<I, O>[]>();
  for (const op of operations) {
    let list = parts.get(op.key);
    if (!list) parts.set(op.key, (list = []));
    list.push(op);
  }
  return [...parts].map(([key, ops]) => ({ key, operations: ops.sort((a, b) => a.call - b.call) }));
}

/** FNV-1a over a string's UTF-16 units: a cheap 32-bit hash for model states. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Combines two 32-bit hashes (order matters). */
export function mixHash(a: number, b: number): number {
  let h = Math.imul(a ^ (b + 0x9e3779b9 + (a << 6) + (a >>> 2)), 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
