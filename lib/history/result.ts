/**
 * What a check tells: a verdict per part (key) and, for a part that is not
 * linearizable, the evidence a student can follow.
 *
 * - `linearizable`: there is an order of the part's operations that respects
 *   real time and the model; `linearization` is one (operation ids);
 * - `not-linearizable`: there is none. `evidence.order` is the longest order
 *   the search could justify (carried on as far as it legally goes), with the
 *   state after each step, and `evidence.blocked` the operation that cannot
 *   be placed after it, with the model's reason: the one that returned first
 *   among those not placed, which had to come next, or else a read that can
 *   no longer come true (evidence.ts);
 * - `unknown`: the search ran out of its time limit (the longest order found
 *   so far is in `evidence`, without `blocked`).
 *
 * The whole history is not linearizable when any part is not, unknown when
 * none is not but some part timed out, linearizable otherwise.
 */
import type { Anomaly } from './anomaly.ts';
import type { HistoryEvent, Operation } from './operation.ts';
import type { AnyModel } from './model.ts';

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** One step of a justified order: the operation, its label, the state after it. */
export type JustifiedStep = { operation: Operation; label: string; state: string };

export type Blocked = {
  operation: Operation;
  label: string;
  /** Why the model refuses it after the justified order, in words. */
  reason: string;
};

export type Evidence = {
  /** The state before the first operation. */
  initialState: string;
  order: JustifiedStep[];
  /** Not set for a part that timed out: there the search did not finish. */
  blocked?: Blocked;
  /** The other operations that could have come next, and why each cannot either. */
  alsoRefused: Blocked[];
};

export type PartResult = {
  key: string;
  verdict: Verdict;
  /** Every operation of the part, `fail` ones included (the report draws them). */
  operations: Operation[];
  /** Operation ids in a valid order, when linearizable. */
  linearization?: number[];
  evidence?: Evidence;
  anomalies: Anomaly[];
  /** Time spent on the search, ms. */
  ms: number;
  /** Configurations the search memoised: a measure of its work. */
  configurations: number;
};

export type CheckResult = {
  verdict: Verdict;
  model: AnyModel;
  parts: PartResult[];
  /** All parts' anomalies, in the order `formatSummary` prints them. */
  anomalies: Anomaly[];
  events: HistoryEvent[];
  /** The history file checked, when it came from one. */
  file?: string;
  /** The HTML report, when one was written. */
  reportPath?: string;
  /** Total time, ms. */
  ms: number;
};

export function overallVerdict(parts: readonly { verdict: Verdict }[]): Verdict {
  if (parts.some((p) => p.verdict === 'not-linearizable')) return 'not-linearizable';
  return parts.some((p) => p.verdict === 'unknown') ? 'unknown' : 'linearizable';
}
