/**
 * How a check says "no". A CheckFailure has a one-line `message` (shown in
 * the task list) and optional details shown below the list: what was
 * expected, what the student's code did, and what it printed.
 */
export interface FailureDetails {
  expected?: unknown;
  actual?: unknown;
  /** Anything else worth saying, one paragraph. */
  explain?: string;
}

export class CheckFailure extends Error {
  constructor(
    message: string,
    readonly details: FailureDetails = {},
    /** Set when the failure is a function the student has not written yet (its name): a TODO, not a mistake. */
    readonly todo?: string,
  ) {
    super(message);
    this.name = 'CheckFailure';
  }
}

/** "TODO: implement `fn` in labs/NN-slug.ts": a stub that is still a stub (`labFile` as shown to the student). */
export function todoFailure(fn: string, labFile: string, details?: FailureDetails): CheckFailure {
  return new CheckFailure(`TODO: implement \`${fn}\` in ${labFile}`, details, fn);
}

/** A check that cannot run here (e.g. needs the local cluster): reported as skipped, with the reason. */
export class CheckSkipped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CheckSkipped';
  }
}

/** Asserts a condition; on failure, the message is what the student reads. */
export function expect(condition: unknown, message: string, details?: FailureDetails): asserts condition {
  if (!condition) throw new CheckFailure(message, details);
}

/** Compact, stable text for expected/actual values (strings quoted, keys in order). */
export function show(value: unknown, limit = 600): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} bytes>` : v));
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} chars)` : text;
}
