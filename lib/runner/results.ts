/**
 * What a lab run comes to: one result per check, and the lab's outcome
 * (passed, failed, or skipped where no check could run, e.g. a lab that
 * starts its own members, on a class cluster).
 */
import type { LabEntry } from '../catalog.ts';
import type { FailureDetails } from './failure.ts';

export interface CheckResult {
  id: string;
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  /** One line: why it failed or was skipped. */
  message?: string;
  details?: FailureDetails;
  /** The failure is a stub that is not implemented yet. */
  todo?: boolean;
  /**
   * The check itself could not run (a workbook bug, a broken cluster): not
   * the student's failure.
   */
  error?: boolean;
  /** The run's cluster stopped answering or lost its leader: the environment failed, not the code (with `error`). */
  environment?: boolean;
  /** It did not run, because of another check's failure (the lab file does not load): counted as failed, told once. */
  notRun?: boolean;
  notes: string[];
  ms: number;
}

export interface LabResult {
  lab: LabEntry;
  labFile: string;
  seed: number;
  checks: CheckResult[];
  passed: boolean;
  ms: number;
}

export type LabOutcome = 'passed' | 'failed' | 'skipped';

/** A lab passes when no check failed and at least one ran (skipped checks could not run here). */
export function isPassed(checks: CheckResult[]): boolean {
  return checks.every((c) => c.status !== 'failed') && checks.some((c) => c.status === 'passed');
}

export function labOutcome(result: Pick<LabResult, 'checks' | 'passed'>): LabOutcome {
  if (result.passed) return 'passed';
  return result.checks.length > 0 && result.checks.every((c) => c.status === 'skipped') ? 'skipped' : 'failed';
}

/** Whether any lab of a run failed (labs that could not run here do not count): what decides a command's exit code. */
export function anyFailed(results: LabResult[]): boolean {
  return results.some((r) => labOutcome(r) === 'failed');
}

export function passedChecks(result: Pick<LabResult, 'checks'>): number {
  return result.checks.filter((c) => c.status === 'passed').length;
}
