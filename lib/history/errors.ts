/**
 * The ways a history file can be unusable, one class each.
 *
 * Each is a `WorkbookError` (lib/errors.ts), so the CLI prints it as
 *
 *     error[HISTORY_INVALID]: operation 12: return before call (return 3.5 < call 7)
 *       fix: the harness must record call and return on one monotonic clock ...
 *
 * with a stable `code` for scripts and tests and a one-line `fix`. A history
 * that *is* usable but not linearizable is not an error: it is a verdict.
 */
import { WorkbookError } from '../errors.ts';

export abstract class HistoryError extends WorkbookError {}

export class HistoryFileMissingError extends HistoryError {
  readonly code = 'HISTORY_FILE_MISSING';
  constructor(file: string) {
    super(`the history file ${file} does not exist`, 'check the path; the harness writes the history where its --out option says');
  }
}

export class HistoryJsonError extends HistoryError {
  readonly code = 'HISTORY_BAD_JSON';
  constructor(file: string, detail: string) {
    super(`${file} is not valid JSON: ${detail}`, 'the file was probably cut short or edited by hand; record the history again');
  }
}

export class UnknownModelError extends HistoryError {
  readonly code = 'HISTORY_UNKNOWN_MODEL';
  constructor(asked: unknown, known: string[]) {
    super(
      asked === undefined ? 'the history does not say which model it follows' : `there is no model ${JSON.stringify(asked)}`,
      `set "model" at the top of the file to one of ${known.map((k) => `"${k}"`).join(', ')}`,
    );
  }
}

/** The file's shape or one of its operations or events is wrong; `problems` lists every one found. */
export class InvalidHistoryError extends HistoryError {
  readonly code = 'HISTORY_INVALID';
  constructor(readonly problems: string[]) {
    super(
      problems.length > 1 ? `${problems[0]} (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : problems[0],
      'fix the recording: lib/history/README.md describes the format (one clock for call and return, unique operation ids)',
    );
  }
}
