/**
 * The search for a linearization of one part: Wing & Gong's backtracking
 * with Lowe's memoisation, over the entry list.
 *
 * From the head of the entry list, try each call met before the first return:
 * if the model accepts the operation in the current state and the resulting
 * configuration (operations linearized, state) is new, linearize it (push it,
 * lift it out of the list) and start again from the head. Meeting a return
 * means the operation that returns there cannot have been linearized in time
 * on this path: pop the last operation and try the call after it. The part
 * is linearizable when every operation that returned ok is linearized (those
 * whose outcome is unknown may be left out), not linearizable when the search
 * must pop from an empty stack.
 *
 * Four refinements keep it fast on real histories, each safe (it never cuts
 * a path that a linearization needs):
 *
 * - Reads first. When the model marks operations read-only, a read that the
 *   current state satisfies is placed at once, and is not a choice: if any
 *   order works from here, one that starts with that read does (it changes
 *   nothing, and no pending operation had to precede it, since its call came
 *   before every pending return). So when the search comes back to it, it
 *   goes back one step further. Reorderings of concurrent reads vanish.
 * - Dead ends early. When the model can tell that a read the state refuses
 *   cannot be satisfied by any order of the operations that may still come
 *   before it (`stillPossible`), the search backs out at once. The look goes
 *   a few returns past the first, to reads that cannot be placed yet: a wrong
 *   order of two writes shows in the next read that sees both, which is
 *   often called a little later.
 * - Unknown operations last. At each point the operations that returned ok
 *   are tried before those whose outcome is unknown (which may be left out).
 * - Unknown operations dominated. A configuration with an unknown operation
 *   placed can do nothing that the same configuration without it, in the
 *   same state, cannot (that one may still place it later, or never): if the
 *   memo holds the latter, the former is cut too.
 *
 * Along the way it keeps the longest order it ever justified, with the state
 * after each step: the evidence for a part that is not linearizable (or a
 * partial answer for one that ran out of time).
 */
import { Bitset } from './bitset.ts';
import { ConfigurationCache } from './cache.ts';
import { EntryList } from './entries.ts';
import type { Operation } from './operation.ts';
import type { Model } from './model.ts';

export type SearchOutcome<S> = {
  verdict: 'linearizable' | 'not-linearizable' | 'unknown';
  /** Operation indexes: the full linearization when linearizable, else the longest order justified. */
  order: number[];
  /** The model state after each operation of `order`. */
  states: S[];
  /** Configurations memoised: a measure of the work done. */
  configurations: number;
};

/** How many loop turns between two looks at the clock. */
const CLOCK_EVERY = 1024;
/** How many returns past the first the look for doomed reads goes. */
const LOOKAHEAD = 8;

export function searchLinearization<S, I, O>(model: Model<S, I, O>, operations: readonly Operation<I, O>[], deadline: number): SearchOutcome<S> {
  const n = operations.length;
  const list = new EntryList(operations);
  const { next, isCall, op: opOf, head, returnOf } = list;
  const inputs = operations.map((o) => o.input);
  const outputs = operations.map((o) => (o.outcome === 'ok' ? o.output : undefined));
  const isRequired = Uint8Array.from(operations, (o) => (o.outcome === 'ok' ? 1 : 0));
  const isRead = Uint8Array.from(operations, (_, i) => (model.readOnly?.(inputs[i], outputs[i]) ? 1 : 0));
  const required = isRequired.reduce((sum, r) => sum + r, 0);
  const anyUnknown = required < n;
  const stillPossible = model.stillPossible?.bind(model);

  const linearized = new Bitset(n);
  const cache = new ConfigurationCache<S>(linearized.words.length, model.equal);
  // The stack of choices: the call entry placed, whether it was forced (a read), in which phase (0 ok, 1 unknown), the state before it.
  const stack = new Int32Array(n);
  const forced = new Uint8Array(n);
  const phaseOf = new Uint8Array(n);
  const before: S[] = new Array(n);
  let depth = 0;
  let done = 0;
  let state = model.init();
  /** The unknown operations placed, in order (for the dominance cut). */
  const unknownPlaced = new Int32Array(n);
  let unknownCount = 0;

  // The longest order so far; only the part of the stack that changed since the last copy is copied again.
  const bestOps = new Int32Array(n);
  const bestStates: S[] = new Array(n);
  let bestLength = 0;
  let unchangedBelow = 0;
  const remember = () => {
    for (let i = unchangedBelow; i < depth; i++) {
      bestOps[i] = opOf[stack[i]];
      bestStates[i] = i + 1 < depth ? before[i + 1] : state;
    }
    bestLength = unchangedBelow = depth;
  };
  const result = (verdict: SearchOutcome<S>['verdict']): SearchOutcome<S> => ({
    verdict,
    order: Array.from(bestOps.subarray(0, bestLength)),
    states: bestStates.slice(0, bestLength),
    configurations: cache.size,
  });

  /** The inputs of the operations not placed yet that may come before the read called at `call`. */
  const pendingBefore = (call: number): I[] => {
    const found: I[] = [];
    for (let e = next[head]; e !== -1 && e !== returnOf[call]; e = next[e]) if (isCall[e] && e !== call) found.push(inputs[opOf[e]]);
    return found;
  };

  /** Whether the configuration (linearized, after) is dominated by one without an unknown operation placed. */
  const dominated = (after: S, hash: number): boolean => {
    for (let k = 0; k < unknownCount; k++) {
      const u = unknownPlaced[k];
      linearized.remove(u);
      const seen = cache.has(linearized, after, hash);
      linearized.add(u);
      if (seen) return true;
    }
    return false;
  };

  /** Linearizes the call at `entry`, whose step from the current state gave `after`; false if the search has been there. */
  const place = (entry: number, after: S, isForced: number, phase: number): boolean => {
    const o = opOf[entry];
    const hash = model.hash(after);
    linearized.add(o);
    if (!isRequired[o]) unknownPlaced[unknownCount++] = o;
    if ((unknownCount && dominated(after, hash)) || !cache.addIfNew(linearized, after, hash)) {
      if (!isRequired[o]) unknownCount--;
      linearized.remove(o);
      return false;
    }
    stack[depth] = entry;
    forced[depth] = isForced;
    phaseOf[depth] = phase;
    before[depth] = state;
    depth++;
    state = after;
    done += isRequired[o];
    list.lift(entry);
    if (depth > bestLength) remember();
    return true;
  };

  let entry = -1;
  let phase = 0;
  let arrived = true; // at a configuration not seen before: look at the reads first
  let dead = false; // this configuration leads nowhere: back out
  let turns = 0;
  while (done < required) {
    if (++turns % CLOCK_EVERY === 0 && performance.now() > deadline) return result('unknown');
    if (arrived) {
      arrived = false;
      phase = 0;
      entry = next[head];
      let returns = 0;
      for (let e = entry; e !== -1; e = next[e]) {
        if (!isCall[e]) {
          if (++returns > LOOKAHEAD) break;
          continue;
        }
        const o = opOf[e];
        if (!isRead[o]) continue;
        const stepped = model.step(state, inputs[o], outputs[o]);
        if (!stepped.ok) {
          if (stillPossible && !stillPossible(state, inputs[o], outputs[o] as O, () => pendingBefore(e))) {
            dead = true; // this read can no longer be placed on this path
            break;
          }
          continue;
        }
        if (returns > 0) continue; // satisfied, but not callable before a pending return: not a candidate yet
        if (place(e, stepped.state, 1, 0)) arrived = true;
        else dead = true; // that read leads where the search has been: so does everything from here
        break;
      }
      if (arrived) continue;
    }
    if (!dead && entry !== -1 && isCall[entry]) {
      const o = opOf[entry];
      // Reads were tried by the look above; in phase 0 the operations that returned ok, in phase 1 the unknown ones.
      if (!isRead[o] && isRequired[o] !== phase) {
        const stepped = model.step(state, inputs[o], outputs[o]);
        if (stepped.ok && place(entry, stepped.state, 0, phase)) {
          arrived = true;
          continue;
        }
      }
      entry = next[entry];
      continue;
    }
    if (!dead && phase === 0 && anyUnknown) {
      phase = 1;
      entry = next[head];
      continue;
    }
    // A return (or the end, or a dead end): the last choice leads nowhere; undo it, and undo forced reads with the choice before them.
    dead = false;
    let call: number;
    let wasForced: number;
    do {
      if (depth === 0) return result('not-linearizable');
      depth--;
      if (depth < unchangedBelow) unchangedBelow = depth;
      call = stack[depth];
      wasForced = forced[depth];
      phase = phaseOf[depth];
      const o = opOf[call];
      state = before[depth];
      linearized.remove(o);
      if (!isRequired[o]) unknownCount--;
      done -= isRequired[o];
      list.unlift(call);
    } while (wasForced);
    entry = next[call];
  }
  remember();
  return result('linearizable');
}
