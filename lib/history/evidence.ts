/**
 * The evidence for a part that is not linearizable, put together after the
 * search: the longest order it justified, carried on greedily as far as it
 * legally goes (the search stops short where it sees a dead end coming), the
 * state after each step, and the operation that cannot be placed after it,
 * with the model's reason in words. result.ts says what each field means.
 */
import type { Anomaly } from './anomaly.ts';
import type { AnyModel } from './model.ts';
import type { Operation } from './operation.ts';
import type { Blocked, Evidence } from './result.ts';
import type { SearchOutcome } from './search.ts';

const MAX_ALSO_REFUSED = 10;

export function labelOf(model: AnyModel, op: Operation): string {
  return model.describeOperation(op.input, op.outcome === 'ok' ? op.output : undefined);
}

export function evidence(model: AnyModel, operations: readonly Operation[], found: SearchOutcome<unknown>, anomaly: Anomaly | undefined): Evidence {
  const initial = model.init();
  const { order: indexes, states } = found.verdict === 'not-linearizable' ? extend(model, operations, found) : found;
  const order = indexes.map((i, step) => ({ operation: operations[i], label: labelOf(model, operations[i]), state: model.describeState(states[step]) }));
  const result: Evidence = { initialState: model.describeState(initial), order, alsoRefused: [] };
  if (found.verdict === 'unknown' && !anomaly) return result;

  // After the longest justified order, the operation that returned first among those not placed had to come next.
  // Where the search cut that order short because a read could no longer come true, that read is the culprit;
  // where it ran out of time, the anomaly names one.
  const placed = new Set(indexes);
  const state = states.length ? states[states.length - 1] : initial;
  const waiting = operations
    .map((o, i) => ({ o, i }))
    .filter(({ o, i }) => o.outcome === 'ok' && !placed.has(i))
    .sort((a, b) => a.o.return! - b.o.return! || a.i - b.i);
  const first = waiting.length ? waiting[0].i : -1;
  const refusal = (o: Operation): Blocked | undefined => {
    const stepped = model.step(state, o.input, o.outcome === 'ok' ? o.output : undefined);
    return stepped.ok ? undefined : { operation: o, label: labelOf(model, o), reason: stepped.reason };
  };
  const pendingBefore = (read: Operation) => operations.filter((o, i) => !placed.has(i) && o !== read && o.call <= read.return!).map((o) => o.input);
  const doomed = (o: Operation) =>
    Boolean(model.readOnly?.(o.input, o.output) && model.stillPossible && !model.stillPossible(state, o.input, o.output, () => pendingBefore(o)));
  const deadline = first === -1 ? undefined : operations[first];
  result.blocked = deadline && refusal(deadline);
  if (!result.blocked) {
    const read = waiting.find(({ o }) => doomed(o));
    if (read) result.blocked = refusal(read.o);
  }
  if (!result.blocked && anomaly) {
    const culprit = operations.find((o) => o.id === anomaly.operations[anomaly.operations.length - 1]);
    if (culprit) result.blocked = { operation: culprit, label: labelOf(model, culprit), reason: anomaly.text };
  }
  if (!result.blocked) {
    const refused = waiting.map(({ o }) => refusal(o)).find(Boolean);
    result.blocked = refused ?? (deadline && { operation: deadline, label: labelOf(model, deadline), reason: 'no order of the operations around it works' });
  }
  if (!deadline || !result.blocked) return result;

  // The steps carried on after the blocked operation was called need not come before it: where it is refused
  // already without them, show the order up to the last step that had to come first, and the state it met there.
  const blocked = result.blocked.operation;
  let cut = found.order.length;
  for (let k = cut; k < indexes.length; k++) if (operations[indexes[k]].return! < blocked.call) cut = k + 1;
  let before = state;
  if (cut < indexes.length) {
    const earlier = cut ? states[cut - 1] : initial;
    const stepped = model.step(earlier, blocked.input, blocked.outcome === 'ok' ? blocked.output : undefined);
    if (!stepped.ok) {
      result.order = order.slice(0, cut);
      result.blocked = { ...result.blocked, reason: stepped.reason };
      for (const i of indexes.slice(cut)) placed.delete(i);
      before = earlier;
    }
  }
  for (const [i, o] of operations.entries()) {
    if (result.alsoRefused.length >= MAX_ALSO_REFUSED) break;
    if (placed.has(i) || o.call > blocked.return! || o === blocked) continue;
    const stepped = model.step(before, o.input, o.outcome === 'ok' ? o.output : undefined);
    if (!stepped.ok) result.alsoRefused.push({ operation: o, label: labelOf(model, o), reason: stepped.reason });
  }
  return result;
}

/**
 * The search cuts an order short as soon as it sees that a read further on can
 * no longer come true, which is right for the verdict but leaves the evidence
 * a few steps before the place a student would look. So the order is carried
 * on greedily with every operation that can legally come next (reads first),
 * until none can: still an order the model justifies, step by step.
 */
function extend(model: AnyModel, operations: readonly Operation[], found: SearchOutcome<unknown>): { order: number[]; states: unknown[] } {
  const order = [...found.order];
  const states = [...found.states];
  const placed = new Set(order);
  let state = states.length ? states[states.length - 1] : model.init();
  const pending = operations.map((_, i) => i).filter((i) => operations[i].outcome === 'ok' && !placed.has(i));
  pending.sort((a, b) => operations[a].return! - operations[b].return!);
  const rank = (i: number) => (model.readOnly?.(operations[i].input, operations[i].output) ? 0 : 1);
  for (;;) {
    // An operation may come next if no other operation still to be placed had returned before it was called.
    const bound = (i: number) => operations[pending[0] === i ? pending[1] : pending[0]]?.return ?? Infinity;
    const candidates = pending.filter((i) => operations[i].call <= bound(i));
    candidates.sort((a, b) => rank(a) - rank(b) || operations[a].call - operations[b].call);
    let next: { i: number; state: unknown } | undefined;
    for (const i of candidates) {
      const stepped = model.step(state, operations[i].input, operations[i].output);
      if (stepped.ok) {
        next = { i, state: stepped.state };
        break;
      }
    }
    if (!next) return { order, states };
    order.push(next.i);
    states.push(next.state);
    pending.splice(pending.indexOf(next.i), 1);
    state = next.state;
  }
}
