/**
 * The direct checks for the list store: each named anomaly, the operations
 * it points at, and the cases that look alike but are legal (a PUT that may
 * have wiped an element), which must not be flagged. A last test replays
 * synthetic correct histories: no anomaly may ever fire on them.
 */
import { describe, expect, test } from 'vitest';
import { findListAnomalies } from '../../lib/history/anomalies.ts';
import type { Operation, Outcome } from '../../lib/history/operation.ts';
import type { ListInput, ListOutput } from '../../lib/history/models/list-operations.ts';
import { simulateListHistory } from '../../lib/history/simulate.ts';

type ListOp = Operation<ListInput, ListOutput>;
let nextId = 1;
const w = (op: 'PUT' | 'APPEND', value: string, call: number, ret?: number, outcome: Outcome = ret === undefined ? 'unknown' : 'ok'): ListOp => ({
  id: nextId++,
  client: 'w',
  key: 'k',
  input: { op, value },
  call,
  return: ret,
  outcome,
});
const g = (output: string[], call: number, ret: number): ListOp => ({ id: nextId++, client: 'r', key: 'k', input: { op: 'GET' }, output, call, return: ret, outcome: 'ok' });
const anomalies = (operations: ListOp[]) => findListAnomalies({ key: 'k', operations });

describe('named anomalies', () => {
  test('duplicate append, pointing at the APPEND and the GET', () => {
    const b = w('APPEND', 'b', 0, 1);
    const read = g(['b', 'b'], 2, 3);
    expect(anomalies([b, read])).toEqual([
      expect.objectContaining({ kind: 'duplicate-append', operations: [b.id, read.id], text: expect.stringMatching(/^GET → \[b, b\] .* holds b twice, but b was appended once/) }),
    ]);
  });

  test('lost update: missing from every GET that had to show it', () => {
    const a = w('APPEND', 'a', 0, 1);
    const r1 = g([], 2, 3);
    const r2 = g([], 4, 5);
    const [lost] = anomalies([a, r1, r2]);
    expect(lost.kind).toBe('lost-update');
    expect(lost.operations).toEqual([a.id, r1.id, r2.id]);
  });

  test('stale read: one GET misses what a later one shows', () => {
    const a = w('APPEND', 'a', 0, 1);
    const stale = g([], 2, 3);
    expect(anomalies([a, stale, g(['a'], 4, 5)])).toEqual([expect.objectContaining({ kind: 'stale-read', operations: [a.id, stale.id] })]);
  });

  test('a GET that misses many elements is one stale read, not many lost updates', () => {
    const ops = [w('APPEND', 'a', 0, 1), w('APPEND', 'b', 0, 1), g(['a', 'b'], 2, 3), g([], 4, 5)];
    expect(anomalies(ops).map((x) => x.kind)).toEqual(['stale-read']);
  });

  test('garbage and failed-but-applied', () => {
    const failed = w('APPEND', 'f', 0, 1, 'fail');
    expect(anomalies([failed, g(['f', 'zz'], 2, 3)]).map((x) => x.kind).sort()).toEqual(['failed-but-applied', 'garbage-read']);
  });

  test('a PUT after the element that the GET starts with: the GET had to show the element', () => {
    // p returned at 1, a was appended after it [2, 3]; the GET [4, 5] starts with p, so no PUT came after a: a must be there.
    expect(anomalies([w('PUT', 'p', 0, 1), w('APPEND', 'a', 2, 3), g(['p'], 4, 5)]).map((x) => x.kind)).toEqual(['lost-update']);
  });
});

describe('legal look-alikes are not flagged', () => {
  test('a PUT that may come after the APPEND wipes it', () => {
    expect(anomalies([w('APPEND', 'a', 0, 2), w('PUT', 'p', 1, 6), g(['p'], 3, 8)])).toEqual([]);
  });

  test('a GET concurrent with the APPEND may miss it', () => {
    expect(anomalies([w('APPEND', 'a', 0, 5), g([], 1, 2), g(['a'], 6, 7)])).toEqual([]);
  });

  test('an APPEND whose outcome is unknown may be missing, or present', () => {
    expect(anomalies([w('APPEND', 'a', 0), g([], 5, 6), g(['a'], 7, 8)])).toEqual([]);
  });

  test('a value written twice (the harness broke its promise) is left to the search', () => {
    expect(anomalies([w('APPEND', 'a', 0, 1), w('APPEND', 'a', 2, 3), g(['a', 'a'], 4, 5)])).toEqual([]);
  });

  test('no anomaly in synthetic correct histories (with timeouts and refusals)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const ops = simulateListHistory({ operations: 400, keys: 2, clientsPerKey: 6, seed, unknownRate: 0.05, failRate: 0.05 });
      for (const key of ['k0', 'k1']) expect(findListAnomalies({ key, operations: ops.filter((o) => o.key === key) }, ops)).toEqual([]);
    }
  });
});
