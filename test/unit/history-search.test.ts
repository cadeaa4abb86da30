/**
 * The search against a reference: on thousands of small random histories
 * (list store and cas register; overlapping calls, equal timestamps, unknown
 * and failed outcomes, outputs that are right or deliberately wrong), the
 * checker's verdict must equal that of a naive search over every order, and
 * the direct checks must never fire on a history the reference finds
 * linearizable. This guards the search's shortcuts (reads first, dead ends
 * early, unknown operations last and dominated) and the anomalies' soundness.
 */
import { expect, test } from 'vitest';
import { checkHistory } from '../../lib/history/checker.ts';
import type { Operation, Outcome } from '../../lib/history/operation.ts';
import type { AnyModel } from '../../lib/history/model.ts';
import { casRegister } from '../../lib/history/models/cas-register.ts';
import { listStore } from '../../lib/history/models/list-store.ts';
import { randomSource } from '../../lib/history/simulate.ts';

/** Every order that respects real time (ties overlap), every subset of the unknown operations. */
function linearizableByBruteForce(model: AnyModel, all: Operation[]): boolean {
  const ops = all.filter((o) => o.outcome !== 'fail');
  const used = ops.map(() => false);
  const returnOf = (o: Operation) => (o.outcome === 'unknown' ? Infinity : o.return!);
  const search = (state: unknown): boolean => {
    if (ops.every((o, i) => used[i] || o.outcome !== 'ok')) return true;
    return ops.some((o, i) => {
      if (used[i] || ops.some((p, j) => !used[j] && j !== i && p.outcome === 'ok' && returnOf(p) < o.call)) return false;
      const stepped = model.step(state, o.input, o.outcome === 'ok' ? o.output : undefined);
      if (!stepped.ok) return false;
      used[i] = true;
      const found = search(stepped.state);
      used[i] = false;
      return found;
    });
  };
  return search(model.init());
}

function randomHistory(random: () => number, cas: boolean): Operation[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const n = 3 + Math.floor(random() * 6);
  const written: string[] = [];
  const ops: Operation[] = [];
  for (let i = 0; i < n; i++) {
    const call = Math.floor(random() * 20);
    const outcome: Outcome = random() < 0.75 ? 'ok' : random() < 0.5 ? 'unknown' : 'fail';
    const r = random();
    let input: unknown;
    if (!cas) {
      input = r < 0.4 ? { op: 'GET' } : { op: r < 0.85 ? 'APPEND' : 'PUT', value: `v${i}` };
      if (r >= 0.4) written.push(`v${i}`);
    } else {
      input = r < 0.4 ? { op: 'read' } : r < 0.7 ? { op: 'write', value: Math.floor(random() * 3) } : { op: 'cas', expected: pick([null, 0, 1, 2]), next: Math.floor(random() * 3) };
    }
    ops.push({ id: i, client: `c${i % 3}`, key: 'k', input, call, return: outcome === 'unknown' ? undefined : call + Math.floor(random() * 8), outcome });
  }
  // Outputs from one run of a correct store (each operation at a random instant of its interval), then some spoiled.
  const at = ops.map((o) => o.call + random() * ((o.return ?? o.call + 10) - o.call));
  let list: string[] = [];
  let value: unknown = null;
  for (const i of ops.map((_, i) => i).sort((a, b) => at[a] - at[b])) {
    const o = ops[i];
    const input = o.input as { op: string; value?: unknown; expected?: unknown; next?: unknown };
    const applied = o.outcome === 'ok' || (o.outcome === 'unknown' && random() < 0.5);
    if (input.op === 'GET') o.output = [...list];
    else if (input.op === 'PUT' && applied) list = [input.value as string];
    else if (input.op === 'APPEND' && applied) list = [...list, input.value as string];
    else if (input.op === 'read') o.output = value;
    else if (input.op === 'write' && applied) value = input.value;
    else if (input.op === 'cas') {
      o.output = value === input.expected;
      if (o.output && applied) value = input.next;
    }
  }
  for (const o of ops) {
    const input = o.input as { op: string };
    if (random() < 0.25) {
      if (input.op === 'GET') {
        const xs = [...(o.output as string[])];
        const r = random();
        if (r < 0.3 && xs.length) xs.pop();
        else if (r < 0.6 && written.length) xs.push(pick(written));
        else xs.reverse();
        o.output = xs;
      }
      if (input.op === 'read') o.output = pick([null, 0, 1, 2]);
      if (input.op === 'cas') o.output = !o.output;
    }
    if (o.outcome === 'unknown') delete o.output;
  }
  return ops;
}

test('the checker agrees with a brute-force search on 3,000 small random histories', () => {
  const random = randomSource(20240611);
  let linearizable = 0;
  for (let t = 0; t < 3000; t++) {
    const cas = random() < 0.3;
    const model = cas ? casRegister : listStore;
    const operations = randomHistory(random, cas);
    const expected = linearizableByBruteForce(model, operations);
    const result = checkHistory({ model, operations });
    if ((result.verdict === 'linearizable') !== expected || (expected && result.anomalies.length)) {
      expect.fail(`expected ${expected ? 'linearizable' : 'not linearizable'}, got ${result.verdict} (anomalies: ${result.anomalies.map((a) => a.text).join('; ')}) for ${JSON.stringify(operations)}`);
    }
    if (expected) linearizable++;
  }
  // Both verdicts are well represented.
  expect(linearizable).toBeGreaterThan(1000);
  expect(linearizable).toBeLessThan(2800);
});
