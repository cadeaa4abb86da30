/**
 * The checker's verdicts on hand-made histories, each argued in its comment.
 * Times are ms on one clock; `[call, return]`. A call and a return at the
 * same instant overlap.
 */
import { describe, expect, test } from 'vitest';
import { checkHistory } from '../../lib/history/checker.ts';
import type { Operation, Outcome } from '../../lib/history/operation.ts';
import { casRegister } from '../../lib/history/models/cas-register.ts';
import { listStore } from '../../lib/history/models/list-store.ts';
import type { AnyModel } from '../../lib/history/model.ts';

let nextId = 1;
function op(client: string, input: unknown, call: number, ret: number | undefined, output?: unknown, outcome: Outcome = ret === undefined ? 'unknown' : 'ok', key = 'k'): Operation {
  return { id: nextId++, client, key, input, output, call, return: ret, outcome };
}
const put = (c: string, v: string, call: number, ret?: number, outcome?: Outcome) => op(c, { op: 'PUT', value: v }, call, ret, undefined, outcome);
const append = (c: string, v: string, call: number, ret?: number, outcome?: Outcome) => op(c, { op: 'APPEND', value: v }, call, ret, undefined, outcome);
const get = (c: string, out: string[], call: number, ret: number) => op(c, { op: 'GET' }, call, ret, out);
const check = (operations: Operation[], model: AnyModel = listStore, timeLimitMs?: number) => checkHistory({ model, operations }, { timeLimitMs });
const kinds = (r: ReturnType<typeof check>) => r.anomalies.map((a) => a.kind);

describe('linearizable list-store histories', () => {
  test('sequential operations in order', () => {
    const r = check([append('c1', 'a', 0, 1), append('c1', 'b', 2, 3), get('c1', ['a', 'b'], 4, 5), put('c1', 'p', 6, 7), get('c1', ['p'], 8, 9)]);
    expect(r.verdict).toBe('linearizable');
    expect(r.anomalies).toEqual([]);
  });

  test('overlapping appends must be reordered: b is called after a but takes effect first', () => {
    // a [0, 10] and b [1, 5] overlap; the GET [6, 7] sees only b, so b took effect before a; the last GET sees [b, a].
    const a = append('c1', 'a', 0, 10);
    const b = append('c2', 'b', 1, 5);
    const g1 = get('c3', ['b'], 6, 7);
    const g2 = get('c3', ['b', 'a'], 11, 12);
    const r = check([a, b, g1, g2]);
    expect(r.verdict).toBe('linearizable');
    expect(r.parts[0].linearization).toEqual([b.id, g1.id, a.id, g2.id]);
  });

  test('a read concurrent with a write may see it or not', () => {
    // The write [0, 10] overlaps both reads: one sees the old list, the next the new one. (The reverse order would not be legal: see below.)
    const r = check([append('c1', 'a', 0, 10), get('c2', [], 1, 2), get('c2', ['a'], 3, 4)]);
    expect(r.verdict).toBe('linearizable');
  });

  test('an APPEND that timed out (unknown) but whose element a later GET shows: it was applied', () => {
    const r = check([append('c1', 'a', 0, 1), append('c2', 'b', 2, undefined), get('c3', ['a'], 3, 4), get('c3', ['a', 'b'], 50, 51)]);
    expect(r.verdict).toBe('linearizable');
  });

  test('an APPEND that timed out and shows nowhere: it was not applied, also legal', () => {
    const r = check([append('c1', 'a', 0, 1), append('c2', 'b', 2, undefined), get('c3', ['a'], 50, 51)]);
    expect(r.verdict).toBe('linearizable');
  });

  test('a GET whose outcome is unknown constrains nothing, whatever output it carries', () => {
    const r = check([append('c1', 'a', 0, 1), op('c2', { op: 'GET' }, 2, undefined, ['garbage'], 'unknown')]);
    expect(r.verdict).toBe('linearizable');
  });

  test('a PUT answered fail whose value shows nowhere', () => {
    const r = check([append('c1', 'a', 0, 1), put('c2', 'p', 2, 3, 'fail'), get('c1', ['a'], 4, 5)]);
    expect(r.verdict).toBe('linearizable');
  });

  test('a PUT overlapping a finished APPEND may wipe it: no anomaly', () => {
    // a [0, 2] then PUT p [1, 6] overlaps a, so p may come after a; the GET sees [p].
    const r = check([append('c1', 'a', 0, 2), put('c2', 'p', 1, 6), get('c3', ['p'], 3, 8)]);
    expect(r.verdict).toBe('linearizable');
    expect(r.anomalies).toEqual([]);
  });
});

describe('not linearizable list-store histories', () => {
  test('stale read: a GET misses an element whose APPEND returned before the GET began', () => {
    // b returned at 3; the GET [4, 5] must see it, yet another GET [6, 7] does.
    const r = check([append('c1', 'a', 0, 1), append('c1', 'b', 2, 3), get('c2', ['a'], 4, 5), get('c3', ['a', 'b'], 6, 7)]);
    expect(r.verdict).toBe('not-linearizable');
    expect(kinds(r)).toEqual(['stale-read']);
    expect(r.parts[0].evidence!.blocked!.label).toBe('GET → [a]');
    expect(r.parts[0].evidence!.blocked!.reason).toBe('GET returned [a], but the list at that point is [a, b]: b is missing');
  });

  test('a write seen, then unseen: reads of a single copy never go back', () => {
    const r = check([append('c1', 'a', 0, 10), get('c2', ['a'], 1, 2), get('c2', [], 3, 4)]);
    expect(r.verdict).toBe('not-linearizable');
  });

  test('lost update: an acknowledged APPEND that no later GET shows', () => {
    const r = check([append('c1', 'a', 0, 1), append('c2', 'b', 2, 3), get('c3', ['a'], 4, 5), get('c1', ['a'], 6, 7)]);
    expect(r.verdict).toBe('not-linearizable');
    expect(kinds(r)).toEqual(['lost-update']);
    expect(r.anomalies[0].text).toMatch(/APPEND b \(operation \d+, client c2\) returned ok, but no GET that began after it shows b/);
  });

  test('duplicated append: a retry applied twice', () => {
    const a = append('c1', 'a', 0, 1);
    const b = append('c1', 'b', 2, 30);
    const g = get('c2', ['a', 'b', 'b'], 31, 32);
    const r = check([a, b, g]);
    expect(r.verdict).toBe('not-linearizable');
    expect(kinds(r)).toEqual(['duplicate-append']);
    expect(r.anomalies[0].operations).toEqual([b.id, g.id]);
    expect(r.anomalies[0].text).toMatch(/holds b twice, but b was appended once/);
    expect(r.parts[0].evidence!.blocked!.operation).toBe(g);
  });

  test('a value never written (garbage), and one written to another key', () => {
    const r = check([append('c1', 'a', 0, 1), get('c2', ['a', 'zz'], 2, 3), op('c3', { op: 'APPEND', value: 'q' }, 0, 1, undefined, 'ok', 'other'), get('c2', ['a', 'q'], 4, 5)]);
    expect(r.verdict).toBe('not-linearizable');
    expect(kinds(r)).toEqual(['garbage-read', 'garbage-read']);
    expect(r.anomalies[1].text).toMatch(/shows q, which no operation wrote to key k \(it was written to key other by operation \d+: keys mixed up\?\)/);
  });

  test('an APPEND answered fail whose element appears: "not applied", but it was', () => {
    const r = check([append('c1', 'a', 0, 1, 'fail'), get('c2', ['a'], 2, 3)]);
    expect(r.verdict).toBe('not-linearizable');
    expect(kinds(r)).toEqual(['failed-but-applied']);
    expect(r.anomalies[0].text).toMatch(/was answered fail \("not applied"\), but GET → \[a\].* shows a: it was applied/);
  });

  test('wrong order without any named anomaly: only the search sees it', () => {
    // a returned before b was called, so every list must have a before b.
    const r = check([append('c1', 'a', 0, 1), append('c2', 'b', 2, 3), get('c3', ['b', 'a'], 4, 5)]);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.anomalies).toEqual([]);
    const e = r.parts[0].evidence!;
    expect(e.order.map((s) => s.label)).toEqual(['APPEND a', 'APPEND b']);
    expect(e.order.map((s) => s.state)).toEqual(['[a]', '[a, b]']);
    expect(e.blocked!.reason).toMatch(/the same elements in another order/);
  });

  test('only the failing key fails: keys are checked separately', () => {
    const ok = [op('c1', { op: 'APPEND', value: 'x' }, 0, 1, undefined, 'ok', 'good'), op('c1', { op: 'GET' }, 2, 3, ['x'], 'ok', 'good')];
    const bad = [op('c2', { op: 'GET' }, 0, 1, ['nope'], 'ok', 'bad')];
    const r = check([...ok, ...bad]);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.parts.map((p) => [p.key, p.verdict])).toEqual([
      ['good', 'linearizable'],
      ['bad', 'not-linearizable'],
    ]);
  });
});

describe('compare-and-set register', () => {
  const read = (c: string, out: unknown, call: number, ret: number) => op(c, { op: 'read' }, call, ret, out);
  const write = (c: string, v: unknown, call: number, ret?: number) => op(c, { op: 'write', value: v }, call, ret);
  const cas = (c: string, expected: unknown, next: unknown, out: boolean | undefined, call: number, ret?: number) => op(c, { op: 'cas', expected, next }, call, ret, out);

  test('two clients race to take a lock: one cas wins, the other fails (either may win while they overlap)', () => {
    expect(check([cas('c1', null, 'c1', true, 0, 5), cas('c2', null, 'c2', false, 1, 4), read('c3', 'c1', 6, 7)], casRegister).verdict).toBe('linearizable');
    expect(check([cas('c1', null, 'c1', false, 0, 5), cas('c2', null, 'c2', true, 1, 4), read('c3', 'c2', 6, 7)], casRegister).verdict).toBe('linearizable');
  });

  test('both cas(null → me) succeed: two lock holders', () => {
    const r = check([cas('c1', null, 'c1', true, 0, 5), cas('c2', null, 'c2', true, 1, 4)], casRegister);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.parts[0].evidence!.blocked!.reason).toMatch(/says it swapped, but the register holds "c\d", not nothing \(missing key\)/);
  });

  test('a cas that fails although the value matched, with nothing concurrent', () => {
    expect(check([write('c1', 1, 0, 1), cas('c2', 1, 2, false, 2, 3)], casRegister).verdict).toBe('not-linearizable');
  });

  test('a cas that timed out may have swapped: a later read of its value is legal', () => {
    expect(check([write('c1', 1, 0, 1), cas('c2', 1, 2, undefined, 2), read('c3', 2, 10, 11)], casRegister).verdict).toBe('linearizable');
    expect(check([write('c1', 1, 0, 1), cas('c2', 1, 2, undefined, 2), read('c3', 1, 10, 11)], casRegister).verdict).toBe('linearizable');
  });

  test('stale read of a register', () => {
    expect(check([write('c1', 1, 0, 1), write('c1', 2, 2, 3), read('c2', 1, 4, 5)], casRegister).verdict).toBe('not-linearizable');
  });
});

describe('time limit', () => {
  test('a part whose search needs more than its time limit is unknown, with the order found so far', () => {
    // 16 writes that all overlap, then reads of 3 and of 5 with no write between them: not linearizable, but only
    // an exhaustive search of the writes' orders (2^16 sets × the last value written) can tell, and no direct check applies.
    const writes = Array.from({ length: 16 }, (_, i) => op(`w${i}`, { op: 'write', value: i }, 0, 100));
    const reads = [op('r', { op: 'read' }, 101, 102, 3), op('r', { op: 'read' }, 103, 104, 5)];
    const r = check([...writes, ...reads], casRegister, 100);
    expect(r.verdict).toBe('unknown');
    expect(r.parts[0].verdict).toBe('unknown');
    expect(r.parts[0].evidence!.blocked).toBeUndefined();
    expect(r.parts[0].evidence!.order.length).toBeGreaterThan(0);
  });

  test('the same history with a single writer is decided at once', () => {
    const r = check([op('w', { op: 'write', value: 3 }, 0, 100), op('r', { op: 'read' }, 101, 102, 3), op('r', { op: 'read' }, 103, 104, 5)], casRegister, 100);
    expect(r.verdict).toBe('not-linearizable');
  });
});
