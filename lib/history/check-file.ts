/**
 * `checkHistoryFile`: what `npm run check-history <file.json>` does, as a
 * function. Reads and validates the file, checks it, and when a key is not
 * linearizable writes the HTML report (beside the file unless `reportDir`
 * says otherwise, named after it: `history.json` → `history.report.html`).
 *
 * Bad input throws a HistoryError (errors.ts) with a stable `code` and a
 * one-line `fix`; a history that is not linearizable is a result, not an error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { checkHistory, type CheckOptions } from './checker.ts';
import { HistoryFileMissingError, HistoryJsonError } from './errors.ts';
import { parseHistory, type History } from './history.ts';
import { writeReport } from './report/write.ts';
import type { CheckResult } from './result.ts';

export type CheckFileOptions = CheckOptions & {
  /** Where the report goes; default: the history file's folder. */
  reportDir?: string;
};

/** Reads and validates a history file. */
export function readHistoryFile(file: string): History {
  if (!existsSync(file)) throw new HistoryFileMissingError(file);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HistoryJsonError(file, (error as Error).message.split('\n')[0]);
  }
  return parseHistory(data);
}

export async function checkHistoryFile(file: string, options: CheckFileOptions = {}): Promise<CheckResult> {
  const history = readHistoryFile(file);
  const result: CheckResult = { ...checkHistory(history, options), file };
  if (result.parts.some((p) => p.verdict === 'not-linearizable')) {
    const name = `${basename(file, extname(file))}.report.html`;
    result.reportPath = writeReport(result, join(options.reportDir ?? dirname(file), name));
  }
  return result;
}
