/**
 * A compare-and-set register per key, with etcd's semantics.
 *
 * - `read` returns the value, or `null` when the key is missing;
 * - `write value` sets it;
 * - `cas expected next` sets it to `next` iff it currently equals `expected`
 *   (an etcd transaction `If(value == expected) Then(put next)`; `expected:
 *   null` means "only if the key is missing", etcd's `version == 0`), and
 *   answers whether it did.
 *
 * In a history: input `{ "op": "read" }`, `{ "op": "write", "value": 3 }` or
 * `{ "op": "cas", "expected": 3, "next": 4 }`; a read's output is the value
 * (or null), a cas's output is `true` when it swapped and `false` when it did
 * not. Values are strings or numbers, compared exactly (`3` is not `"3"`).
 */
import { hashString, partitionByKey, rejected, type Model, type StepResult } from '../model.ts';

export type RegisterValue = string | number;
export type RegisterState = RegisterValue | null;
export type RegisterInput = { op: 'read' } | { op: 'write'; value: RegisterValue } | { op: 'cas'; expected: RegisterState; next: RegisterValue };
/** A read's value, or whether a cas swapped. */
export type RegisterOutput = RegisterState | boolean;

const show = (value: RegisterState | undefined): string => (value === null || value === undefined ? 'nothing (missing key)' : JSON.stringify(value));
const isValue = (value: unknown): value is RegisterValue => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));

export const casRegister: Model<RegisterState, RegisterInput, RegisterOutput> = {
  name: 'cas-register',
  summary: 'a compare-and-set register per key: read, write value, cas expected next',

  init: () => null,

  step(state, input, output): StepResult<RegisterState> {
    switch (input.op) {
      case 'read':
        if (output === undefined || output === state) return { ok: true, state };
        return rejected(() => `read returned ${show(output as RegisterState)}, but the register holds ${show(state)} at that point`);
      case 'write':
        return { ok: true, state: input.value };
      case 'cas': {
        const matches = state === input.expected;
        if (output === undefined) return { ok: true, state: matches ? input.next : state };
        if (output === true) {
          if (matches) return { ok: true, state: input.next };
          return rejected(() => `cas ${show(input.expected)} → ${show(input.next)} says it swapped, but the register holds ${show(state)}, not ${show(input.expected)}`);
        }
        if (!matches) return { ok: true, state };
        return rejected(() => `cas ${show(input.expected)} → ${show(input.next)} says it did not swap, but the register holds exactly ${show(state)}, so it must have`);
      }
    }
  },

  partition: partitionByKey,
  equal: (a, b) => a === b,
  hash: (state) => (state === null ? 0x6a09e667 : hashString(typeof state === 'number' ? `#${state}` : `$${state}`)),

  describeOperation(input, output) {
    const result = output === undefined ? '?' : JSON.stringify(output);
    switch (input.op) {
      case 'read':
        return `read → ${result}`;
      case 'write':
        return `write ${JSON.stringify(input.value)}`;
      case 'cas':
        return `cas ${JSON.stringify(input.expected)}→${JSON.stringify(input.next)} ${output === undefined ? '?' : output ? '✓' : '✗'}`;
    }
  },

  readOnly: (input, output) => input.op === 'read' || (input.op === 'cas' && output === false),

  // A read of v later needs v written (by a write or a cas) unless the register holds it now.
  stillPossible(state, input, output, pending) {
    if (input.op !== 'read' || output === state) return true;
    return pending().some((i) => (i.op === 'write' && i.value === output) || (i.op === 'cas' && i.next === output));
  },

  describeState: (state) => (state === null ? '(missing)' : JSON.stringify(state)),

  validate(input, output, outcome) {
    if (typeof input !== 'object' || input === null) return `"input" must be an object like {"op":"read"}`;
    const i = input as Record<string, unknown>;
    switch (i.op) {
      case 'read':
        if (outcome === 'ok' && output !== null && !isValue(output)) return 'a read that returned ok needs "output": the value read, or null for a missing key';
        return undefined;
      case 'write':
        return isValue(i.value) ? undefined : 'write needs "input.value", a string or a number';
      case 'cas':
        if (i.expected !== null && !isValue(i.expected)) return 'cas needs "input.expected", a string, a number or null (key missing)';
        if (!isValue(i.next)) return 'cas needs "input.next", a string or a number';
        if (outcome === 'ok' && typeof output !== 'boolean') return 'a cas that returned ok needs "output": true if it swapped, false if not';
        return undefined;
      default:
        return `"input.op" must be read, write or cas, got ${JSON.stringify(i.op) ?? 'nothing'}`;
    }
  },
};
