/**
 * A lab result as plain JSON (`npm run lab N -- --json`): no catalog
 * internals, paths relative to the checkout.
 */
import { shown } from '../paths.ts';
import { type LabResult, labOutcome } from '../runner/results.ts';

/** The outcome as JSON reports spell it (Exercism's results.json, --json). */
export function statusWord(result: Pick<LabResult, 'checks' | 'passed'>): 'pass' | 'fail' | 'skip' {
  return ({ passed: 'pass', failed: 'fail', skipped: 'skip' } as const)[labOutcome(result)];
}

export function toJson(result: LabResult) {
  return {
    lab: result.lab.id,
    title: result.lab.title,
    file: shown(result.labFile),
    seed: result.seed,
    status: statusWord(result),
    ms: result.ms,
    checks: result.checks.map(({ id, title, status, message, ms, notes }) => ({ id, title, status, message, ms, notes })),
  };
}
