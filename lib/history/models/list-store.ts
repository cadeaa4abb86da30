/**
 * The capstone lab's list store: each key holds a list of strings.
 *
 * - `PUT key value` sets the key's list to `[value]`;
 * - `APPEND key value` adds one element at the end (a missing key counts as
 *   the empty list);
 * - `GET key` reads the list; a missing key reads as `[]`.
 *
 * In a history: input `{ "op": "PUT" | "APPEND", "value": "x3" }` or
 * `{ "op": "GET" }`; a GET's output is the list it returned (`["x1","x3"]`);
 * the output of PUT and APPEND is not checked. Keys are independent, so the
 * history is checked key by key.
 *
 * The state is a persistent list built from the end (each APPEND adds one node
 * pointing at the list before it), so a step costs O(1) and the checker can
 * keep thousands of states that share their prefixes.
 */
import { findListAnomalies } from '../anomalies.ts';
import { hashString, mixHash, partitionByKey, rejected, type Model, type StepResult } from '../model.ts';
import type { ListInput, ListOutput } from './list-operations.ts';

export type { ListInput, ListOutput } from './list-operations.ts';

/** The list, last element first; `null` is the empty (or missing) list. */
export type ListState = ListNode | null;
export type ListNode = { readonly value: string; readonly before: ListState; readonly length: number; readonly hash: number };

const EMPTY_HASH = 0x2545f491;

function node(value: string, before: ListState): ListNode {
  return { value, before, length: (before?.length ?? 0) + 1, hash: mixHash(before?.hash ?? EMPTY_HASH, hashString(value)) };
}

/** The list as an array, first element first. */
export function listOf(state: ListState): string[] {
  const values: string[] = [];
  for (let n = state; n; n = n.before) values.push(n.value);
  return values.reverse();
}

/**
 * The hashes of a read list's prefixes (entry k: of its first k elements),
 * computed once per list: a state whose hash differs is not that prefix.
 */
const prefixHashes = new WeakMap<readonly string[], Uint32Array>();

function hashesOf(values: readonly string[]): Uint32Array {
  let hashes = prefixHashes.get(values);
  if (!hashes) {
    hashes = new Uint32Array(values.length + 1);
    hashes[0] = EMPTY_HASH;
    for (let i = 0; i < values.length; i++) hashes[i + 1] = mixHash(hashes[i], hashString(values[i]));
    prefixHashes.set(values, hashes);
  }
  return hashes;
}

/** Whether the list `state` is the first elements of `values` (all of them when `whole`). */
function isPrefix(state: ListState, values: readonly string[], whole: boolean): boolean {
  const length = state?.length ?? 0;
  if (whole ? length !== values.length : length > values.length) return false;
  if (hashesOf(values)[length] !== (state?.hash ?? EMPTY_HASH)) return false;
  let i = length - 1;
  for (let n = state; n; n = n.before, i--) if (n.value !== values[i]) return false;
  return true;
}

export function formatList(values: readonly string[]): string {
  return `[${values.join(', ')}]`;
}

/** Why a GET could not have returned `read` from `state`, in words. */
function getMismatch(state: ListState, read: readonly string[]): string {
  const actual = listOf(state);
  const text = `GET returned ${formatList(read)}, but the list at that point is ${formatList(actual)}`;
  const inList = new Set(actual);
  const inRead = new Set(read);
  const missing = actual.filter((v) => !inRead.has(v));
  const extra = read.filter((v) => !inList.has(v));
  const hints: string[] = [];
  if (missing.length) hints.push(`${describeSome(missing)} ${missing.length === 1 ? 'is' : 'are'} missing`);
  if (extra.length) hints.push(`${describeSome(extra)} ${extra.length === 1 ? 'was' : 'were'} not in it yet (or any more)`);
  if (!missing.length && !extra.length) hints.push(read.length === actual.length ? 'the same elements in another order' : 'an element is repeated');
  return `${text}: ${hints.join(', ')}`;
}

function describeSome(values: readonly string[]): string {
  return values.length <= 4 ? values.join(', ') : `${values.slice(0, 3).join(', ')} and ${values.length - 3} more`;
}

const ops = ['PUT', 'APPEND', 'GET'];

export const listStore: Model<ListState, ListInput, ListOutput> = {
  name: 'list-store',
  summary: 'keys holding lists of strings: PUT key value, APPEND key value, GET key',

  init: () => null,

  step(state, input, output): StepResult<ListState> {
    switch (input.op) {
      case 'PUT':
        return { ok: true, state: node(input.value, null) };
      case 'APPEND':
        return { ok: true, state: node(input.value, state) };
      case 'GET':
        if (output === undefined || isPrefix(state, output, true)) return { ok: true, state };
        return rejected(() => getMismatch(state, output));
    }
  },

  partition: partitionByKey,

  equal(a, b) {
    for (; a !== b; a = a.before, b = b!.before) {
      if (!a || !b || a.hash !== b.hash || a.length !== b.length || a.value !== b.value) return false;
    }
    return true;
  },

  hash: (state) => state?.hash ?? EMPTY_HASH,

  describeOperation(input, output) {
    if (input.op !== 'GET') return `${input.op} ${input.value}`;
    return output === undefined ? 'GET → ?' : `GET → [${output.join(',')}]`;
  },

  describeState: (state) => formatList(listOf(state)),

  validate(input, output, outcome) {
    if (typeof input !== 'object' || input === null) return `"input" must be an object like {"op":"GET"}`;
    const { op, value } = input as { op?: unknown; value?: unknown };
    if (!ops.includes(op as string)) return `"input.op" must be PUT, APPEND or GET, got ${JSON.stringify(op) ?? 'nothing'}`;
    if (op !== 'GET' && typeof value !== 'string') return `${op as string} needs "input.value", a string`;
    if (op === 'GET' && outcome === 'ok') {
      if (!Array.isArray(output)) return 'a GET that returned ok needs "output", the list it read (e.g. ["x1","x3"])';
      if (!output.every((v) => typeof v === 'string')) return 'the output of a GET must be a list of strings';
    }
    return undefined;
  },

  readOnly: (input) => input.op === 'GET',

  // Lists only grow, except by PUT: the GET of L can still come true if L is the list now, or a PUT still to come,
  // followed by elements that APPENDs still to come add.
  stillPossible(state, input, output, pending) {
    if (input.op !== 'GET') return true;
    const prefix = isPrefix(state, output, false);
    if (!prefix && output.length === 0) return false;
    const later = pending();
    const appends = new Set<string>();
    let put = false;
    for (const i of later) {
      if (i.op === 'APPEND') appends.add(i.value);
      else if (i.op === 'PUT' && i.value === output[0]) put = true;
    }
    const appendedFrom = (from: number) => {
      for (let k = from; k < output.length; k++) if (!appends.has(output[k])) return false;
      return true;
    };
    return (prefix && appendedFrom(state?.length ?? 0)) || (put && appendedFrom(1));
  },

  anomalies: findListAnomalies,
};
