/**
 * The data of a history: operations and events, as the checker sees them.
 *
 * An operation was *called* at `call` and, unless it timed out, *returned* at
 * `return` (ms on one monotonic clock). Its `outcome` is what the client knows
 * of its effect: `ok` (took effect once, between call and return, and
 * answered `output`), `fail` (definitely did not take effect) or `unknown`
 * (may or may not have taken effect, at any time after its call; no return,
 * output not checked). history.ts describes the file these come from.
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

export type Operation<I = unknown, O = unknown> = {
  id: number;
  client: string | number;
  key: string;
  input: I;
  /** What the client saw (absent for outcome unknown, ignored for fail). */
  output?: O;
  call: number;
  /** Absent for outcome unknown: it may take effect until the end of time. */
  return?: number;
  outcome: Outcome;
};

export const eventKinds = ['kill', 'partition', 'heal', 'restart', 'leader', 'note'] as const;
export type EventKind = (typeof eventKinds)[number];

/** An annotation on the time axis: a fault injected, a new leader, ... */
export type HistoryEvent = { at: number; kind: EventKind; text: string };
