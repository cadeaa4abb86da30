/**
 * The models' step functions alone: what a correct list store and a correct
 * compare-and-set register would answer, in which words they refuse, and the
 * hashing and equality the checker's memo relies on.
 */
import { describe, expect, test } from 'vitest';
import type { StepResult } from '../../lib/history/model.ts';
import { casRegister, type RegisterState } from '../../lib/history/models/cas-register.ts';
import { listOf, listStore, type ListState } from '../../lib/history/models/list-store.ts';

function run<S>(steps: StepResult<S>[]): S {
  const last = steps.at(-1)!;
  if (!last.ok) throw new Error(last.reason);
  return last.state;
}

function ok<S>(result: StepResult<S>): S {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.state;
}

describe('list store', () => {
  const m = listStore;

  test('PUT sets the list, APPEND adds at the end, GET reads it; a missing key reads as []', () => {
    let s: ListState = m.init();
    expect(m.step(s, { op: 'GET' }, []).ok).toBe(true);
    s = ok(m.step(s, { op: 'APPEND', value: 'a' }, undefined));
    s = ok(m.step(s, { op: 'APPEND', value: 'b' }, undefined));
    expect(listOf(s)).toEqual(['a', 'b']);
    expect(m.step(s, { op: 'GET' }, ['a', 'b']).ok).toBe(true);
    s = ok(m.step(s, { op: 'PUT', value: 'p' }, undefined));
    expect(listOf(s)).toEqual(['p']);
    expect(m.describeState(s)).toBe('[p]');
  });

  test('a GET that does not match says what is missing, extra, repeated or reordered', () => {
    const s = run([m.step(m.init(), { op: 'APPEND', value: 'a' }, undefined)]);
    const ab = ok(m.step(s, { op: 'APPEND', value: 'b' }, undefined));
    const reason = (out: string[]) => {
      const r = m.step(ab, { op: 'GET' }, out);
      return r.ok ? 'accepted' : r.reason;
    };
    expect(reason(['a'])).toBe('GET returned [a], but the list at that point is [a, b]: b is missing');
    expect(reason(['a', 'b', 'c'])).toMatch(/c was not in it yet/);
    expect(reason(['b', 'a'])).toMatch(/the same elements in another order/);
    expect(reason(['a', 'b', 'b'])).toMatch(/an element is repeated/);
  });

  test('an unknown GET (no output) is accepted in any state', () => {
    expect(m.step(m.init(), { op: 'GET' }, undefined).ok).toBe(true);
  });

  test('equal lists built separately are equal and hash alike; different ones are not equal', () => {
    const build = (values: string[]) => values.reduce<ListState>((s, v) => ok(m.step(s, { op: 'APPEND', value: v }, undefined)), m.init());
    expect(m.equal(build(['a', 'b']), build(['a', 'b']))).toBe(true);
    expect(m.hash(build(['a', 'b']))).toBe(m.hash(build(['a', 'b'])));
    expect(m.equal(build(['a', 'b']), build(['b', 'a']))).toBe(false);
    expect(m.equal(build(['a']), build(['a', 'b']))).toBe(false);
    expect(m.equal(build([]), m.init())).toBe(true);
  });

  test('labels: APPEND x3, GET → [x1,x3], GET → ? when the answer is unknown', () => {
    expect(m.describeOperation({ op: 'APPEND', value: 'x3' }, undefined)).toBe('APPEND x3');
    expect(m.describeOperation({ op: 'GET' }, ['x1', 'x3'])).toBe('GET → [x1,x3]');
    expect(m.describeOperation({ op: 'GET' }, undefined)).toBe('GET → ?');
  });

  test('stillPossible: a GET can come true later only from a prefix of its list, or from a PUT of its first element still to come', () => {
    const a = ok(m.step(m.init(), { op: 'APPEND', value: 'a' }, undefined));
    const none = () => [];
    expect(m.stillPossible!(a, { op: 'GET' }, ['a', 'b'], () => [{ op: 'APPEND', value: 'b' }])).toBe(true);
    expect(m.stillPossible!(a, { op: 'GET' }, ['a', 'b'], none)).toBe(false); // b is written by no pending operation
    expect(m.stillPossible!(a, { op: 'GET' }, ['b'], none)).toBe(false);
    expect(m.stillPossible!(a, { op: 'GET' }, ['p', 'c'], () => [{ op: 'PUT', value: 'p' }, { op: 'APPEND', value: 'c' }])).toBe(true);
    expect(m.stillPossible!(a, { op: 'GET' }, [], none)).toBe(false);
  });

  test('validate names what is wrong with an operation', () => {
    expect(m.validate({ op: 'GET' }, ['x'], 'ok')).toBeUndefined();
    expect(m.validate({ op: 'GET' }, undefined, 'unknown')).toBeUndefined();
    expect(m.validate({ op: 'DELETE' }, undefined, 'ok')).toMatch(/must be PUT, APPEND or GET/);
    expect(m.validate({ op: 'APPEND' }, undefined, 'ok')).toMatch(/APPEND needs "input.value"/);
    expect(m.validate({ op: 'GET' }, 'x1', 'ok')).toMatch(/needs "output", the list it read/);
    expect(m.validate({ op: 'GET' }, [1], 'ok')).toMatch(/list of strings/);
  });
});

describe('compare-and-set register', () => {
  const m = casRegister;

  test('read, write, and cas that swaps iff the value equals expected (null: the key is missing)', () => {
    let s: RegisterState = m.init();
    expect(m.step(s, { op: 'read' }, null).ok).toBe(true);
    s = ok(m.step(s, { op: 'cas', expected: null, next: 'me' }, true));
    expect(s).toBe('me');
    expect(m.step(s, { op: 'cas', expected: null, next: 'you' }, false).ok).toBe(true);
    s = ok(m.step(s, { op: 'write', value: 3 }, undefined));
    expect(m.step(s, { op: 'read' }, 3).ok).toBe(true);
    expect(m.step(s, { op: 'read' }, '3').ok).toBe(false); // 3 is not "3"
  });

  test('refusals in words', () => {
    const r1 = m.step('a', { op: 'cas', expected: 'b', next: 'c' }, true);
    expect(r1.ok ? '' : r1.reason).toBe('cas "b" → "c" says it swapped, but the register holds "a", not "b"');
    const r2 = m.step('b', { op: 'cas', expected: 'b', next: 'c' }, false);
    expect(r2.ok ? '' : r2.reason).toMatch(/says it did not swap, but the register holds exactly "b"/);
    const r3 = m.step(null, { op: 'read' }, 'x');
    expect(r3.ok ? '' : r3.reason).toBe('read returned "x", but the register holds nothing (missing key) at that point');
  });

  test('a cas whose outcome is unknown swaps when it matches', () => {
    expect(ok(m.step('a', { op: 'cas', expected: 'a', next: 'b' }, undefined))).toBe('b');
    expect(ok(m.step('x', { op: 'cas', expected: 'a', next: 'b' }, undefined))).toBe('x');
  });

  test('reads and failed cas are read-only; writes are not', () => {
    expect(m.readOnly!({ op: 'read' }, 1)).toBe(true);
    expect(m.readOnly!({ op: 'cas', expected: 1, next: 2 }, false)).toBe(true);
    expect(m.readOnly!({ op: 'cas', expected: 1, next: 2 }, true)).toBe(false);
    expect(m.readOnly!({ op: 'cas', expected: 1, next: 2 }, undefined)).toBe(false);
    expect(m.readOnly!({ op: 'write', value: 1 }, undefined)).toBe(false);
  });

  test('validate', () => {
    expect(m.validate({ op: 'cas', expected: null, next: 1 }, true, 'ok')).toBeUndefined();
    expect(m.validate({ op: 'cas', expected: null, next: 1 }, undefined, 'ok')).toMatch(/true if it swapped/);
    expect(m.validate({ op: 'write' }, undefined, 'ok')).toMatch(/write needs "input.value"/);
    expect(m.validate({ op: 'incr' }, undefined, 'ok')).toMatch(/must be read, write or cas/);
  });
});
