/**
 * A history: what the clients of a store did and saw, on one clock.
 *
 * Each operation was *called* at `call` and, unless it timed out, *returned*
 * at `return` (milliseconds of one monotonic clock, e.g. `performance.now()`
 * of the harness; fractions are fine). Its `outcome` says what the client
 * knows about its effect:
 *
 * - `ok`: it took effect, once, at some instant between call and return, and
 *   `output` is what it answered;
 * - `fail`: it definitely did not take effect (e.g. the server refused it
 *   before doing anything). The checker drops it before the search; an
 *   element it wrote that shows up anyway is an anomaly;
 * - `unknown`: it may or may not have taken effect (a timeout, a dropped
 *   connection). It has no return time (one given is ignored): it may take
 *   effect at any instant after its call, or never, and its output is not
 *   checked.
 *
 * ## The JSON file (`npm run check-history <file.json>`)
 *
 *     {
 *       "model": "list-store",
 *       "operations": [
 *         { "id": 1, "client": "c1", "key": "k", "input": { "op": "APPEND", "value": "x1" },
 *           "call": 0.5, "return": 3.25, "outcome": "ok" },
 *         { "id": 2, "client": "c2", "key": "k", "input": { "op": "GET" }, "output": ["x1"],
 *           "call": 1, "return": 4, "outcome": "ok" },
 *         { "id": 3, "client": "c3", "key": "k", "input": { "op": "APPEND", "value": "x2" },
 *           "call": 2, "outcome": "unknown" }
 *       ],
 *       "events": [ { "at": 1.5, "kind": "kill", "text": "killed n2" } ]
 *     }
 *
 * - `model`: `list-store` (inputs `{op:"PUT"|"APPEND", value}` and `{op:"GET"}`,
 *   a GET's output is the list read) or `cas-register` (inputs `{op:"read"}`,
 *   `{op:"write", value}`, `{op:"cas", expected, next}`; a read's output is the
 *   value or null, a cas's is true when it swapped);
 * - `operations`: `id` a unique integer, `client` a string or number (one row
 *   of the report each), `key` a string, `call` and `return` numbers with
 *   return ≥ call; calls and returns at the same instant count as overlapping;
 * - `events` (optional): annotations over time, drawn on the report's time
 *   axis: `at` (same clock), `kind` one of kill, partition, heal, restart,
 *   leader, note, and `text`.
 *
 * Other fields (at the top or in an operation) are ignored, so a harness may
 * add its own (a seed, a lab number).
 */
import { InvalidHistoryError, UnknownModelError } from './errors.ts';
import type { AnyModel } from './model.ts';
import { eventKinds, type EventKind, type HistoryEvent, type Operation, type Outcome } from './operation.ts';
import { modelNamed, modelNames } from './models/registry.ts';

export type History = { model: AnyModel; operations: Operation[]; events: HistoryEvent[] };

const outcomes: readonly Outcome[] = ['ok', 'fail', 'unknown'];
const MAX_PROBLEMS = 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Checks a parsed JSON document against the format above and returns the
 * history it describes. Throws `UnknownModelError` or `InvalidHistoryError`
 * (every problem found, the first in the message: "operation 12: return
 * before call (call 7, return 3.5)").
 */
export function parseHistory(data: unknown): History {
  if (!isRecord(data)) throw new InvalidHistoryError(['the file must hold one JSON object with "model" and "operations"']);
  const model = typeof data.model === 'string' ? modelNamed(data.model) : undefined;
  if (!model) throw new UnknownModelError(data.model, modelNames());
  if (!Array.isArray(data.operations)) throw new InvalidHistoryError(['"operations" must be a list of operations']);
  if (data.events !== undefined && !Array.isArray(data.events)) throw new InvalidHistoryError(['"events" must be a list (or left out)']);

  const problems: string[] = [];
  const operations = validateOperations(data.operations, model, problems);
  const events = validateEvents((data.events as unknown[] | undefined) ?? [], problems);
  if (problems.length) throw new InvalidHistoryError(problems.slice(0, MAX_PROBLEMS));
  return { model, operations, events };
}

/** The same checks for a history built in code (the harness, tests): problems in words, none when valid. */
export function validateOperations(raw: readonly unknown[], model: AnyModel, problems: string[] = []): Operation[] {
  const operations: Operation[] = [];
  const seen = new Map<number, number>();
  raw.forEach((entry, index) => {
    if (problems.length >= MAX_PROBLEMS) return;
    const name = isRecord(entry) && Number.isInteger(entry.id) ? `operation ${entry.id}` : `operations[${index}]`;
    const problem = operationProblem(entry, model);
    if (problem) return void problems.push(`${name}: ${problem}`);
    const op = entry as Operation;
    const earlier = seen.get(op.id);
    if (earlier !== undefined) return void problems.push(`${name}: the id ${op.id} is also used by operations[${earlier}]`);
    seen.set(op.id, index);
    const { id, client, key, input, output, call, outcome } = op;
    operations.push(outcome === 'unknown' ? { id, client, key, input, call, outcome } : { id, client, key, input, output, call, return: op.return, outcome });
  });
  return operations;
}

function operationProblem(entry: unknown, model: AnyModel): string | undefined {
  if (!isRecord(entry)) return 'must be an object';
  if (!Number.isInteger(entry.id)) return `"id" must be an integer, got ${show(entry.id)}`;
  if (!(typeof entry.client === 'string' && entry.client !== '') && !Number.isInteger(entry.client)) return `"client" must be a name or a number, got ${show(entry.client)}`;
  if (typeof entry.key !== 'string') return `"key" must be a string, got ${show(entry.key)}`;
  if (!outcomes.includes(entry.outcome as Outcome)) return `"outcome" must be "ok", "fail" or "unknown", got ${show(entry.outcome)}`;
  if (!isTime(entry.call)) return `"call" must be a time in ms, got ${show(entry.call)}`;
  if (entry.outcome !== 'unknown') {
    if (entry.return === undefined) return `no return time for an operation that returned ${entry.outcome} (use outcome "unknown" for one that never returned)`;
    if (!isTime(entry.return)) return `"return" must be a time in ms, got ${show(entry.return)}`;
    if (entry.return < entry.call) return `return before call (call ${entry.call}, return ${entry.return})`;
  }
  if (entry.input === undefined) return 'no "input"';
  return model.validate(entry.input, entry.output, entry.outcome as Outcome);
}

function validateEvents(raw: readonly unknown[], problems: string[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  raw.forEach((entry, index) => {
    const name = `events[${index}]`;
    if (!isRecord(entry)) return void problems.push(`${name}: must be an object`);
    if (!isTime(entry.at)) return void problems.push(`${name}: "at" must be a time in ms, got ${show(entry.at)}`);
    if (!eventKinds.includes(entry.kind as EventKind)) return void problems.push(`${name}: "kind" must be one of ${eventKinds.join(', ')}, got ${show(entry.kind)}`);
    if (entry.text !== undefined && typeof entry.text !== 'string') return void problems.push(`${name}: "text" must be a string`);
    events.push({ at: entry.at, kind: entry.kind as EventKind, text: (entry.text as string | undefined) ?? entry.kind as string });
  });
  return events.sort((a, b) => a.at - b.at);
}

/** A value as a problem message shows it: short, and never more than one line. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
