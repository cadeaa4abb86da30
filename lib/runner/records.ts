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

/** A run's claim on one owned prefix (claim.ts). */
export interface Claim {
  host: string;
  pid: number;
  lab: string;
  since: string;
}

/** A claim's record, or undefined when the key holds something else (not written by a run: nobody's claim). */
export function parseClaim(value: string | Buffer): Claim | undefined {
  const claim = parse<Claim>(value);
  return claim && typeof claim.host === 'string' && Number.isInteger(claim.pid) ? (claim as Claim) : undefined;
}

export function parseLastRun(value: string | Buffer): LastRun | undefined {
  const run = parse<LastRun>(value);
  return run && typeof run.lab === 'string' ? (run as LastRun) : undefined;
}

function parse<T>(value: string | Buffer): Partial<T> | undefined {
  try {
    const parsed: unknown = JSON.parse(value.toString());
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

export interface LastRun {
  lab: string;
  passed: number;
  total: number;
  outcome: 'passed' | 'failed' | 'skipped';
  at: string;
}
