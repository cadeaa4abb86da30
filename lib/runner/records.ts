/**
 * The workbook's own keys inside a run's namespace, under `/.workbook/`:
 *
 *   /.workbook/claims/<prefix>   a run in progress holds the prefixes its lab owns (claim.ts)
 *   /.workbook/last-run          on a shared cluster: the namespace's most recent run,
 *                                for the instructor's `npm run class -- status`
 *
 * No lab owns `/.workbook/`, so no run ever deletes these; claims go with
 * their lease, and the last run is overwritten by the next.
 */
export const WORKBOOK_PREFIX = '/.workbook/';
export const CLAIMS_PREFIX = '/.workbook/claims';
export const LAST_RUN_KEY = '/.workbook/last-run';

export interface LastRun {
  lab: string;
  passed: number;
  total: number;
  outcome: 'passed' | 'failed' | 'skipped';
  at: string;
}
