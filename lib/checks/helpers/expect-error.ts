/**
 * Shared by checks: "this call must fail with that lab-kit error".
 */
import type { CallOutcome } from '../../sandbox/sandbox.ts';
import type { CheckContext } from '../../runner/context.ts';
import { CheckFailure, show } from '../../runner/failure.ts';
import { describeThrown, threwOwnError } from '../../runner/student.ts';

/** Fails the check unless `outcome` is a rejection with the lab-kit class `kitClass`. */
export function expectKitError(ctx: CheckContext, what: string, outcome: CallOutcome, kitClass: string, why: string): void {
  if (outcome.ok) {
    throw new CheckFailure(`${what} resolved with ${show(outcome.value)}; ${why}`, { expected: `a rejection with ${kitClass}`, actual: show(outcome.value) });
  }
  if (!threwOwnError(outcome)) throw ctx.student.failure(what, outcome);
  if (outcome.error.kitClass !== kitClass) {
    const sameName = outcome.error.name === kitClass;
    throw new CheckFailure(`${what} threw ${describeThrown(outcome.error)}; ${why}`, {
      expected: kitClass,
      actual: describeThrown(outcome.error),
      explain: sameName ? `Throw the class exported by lib/kit.ts, not one of your own with the same name.` : undefined,
    });
  }
}
