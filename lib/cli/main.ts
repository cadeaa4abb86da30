/**
 * The one place that turns errors into exit codes and one-line messages.
 * Every CLI entry point runs its work through `runCli`.
 */
import { isWorkbookError } from '../errors.ts';
import { isHelpShown } from './arg-parsers.ts';
import { style } from '../terminal/style.ts';

export function printError(error: unknown): void {
  if (isWorkbookError(error)) {
    console.error(`${style.red(`error[${error.code}]`)}: ${error.message}`);
    console.error(`  ${style.bold('fix')}: ${error.fix}`);
    return;
  }
  const e = error as Error;
  console.error(`${style.red('error[INTERNAL]')}: ${e?.message ?? String(error)}`);
  console.error(`  ${style.bold('fix')}: this is a bug in the workbook; rerun with DEBUG=1 for details and report it`);
  if (process.env.DEBUG) console.error(e?.stack);
}

/**
 * Runs `work`; its number is the exit code. Ctrl-C and SIGTERM end cleanly
 * (children are killed on exit), after `onSignal` when given (a command that
 * started processes of its own stops them first).
 */
export async function runCli(work: () => Promise<number>, options: { onSignal?: () => Promise<void> } = {}): Promise<void> {
  const exitWith = (code: number) => () => {
    if (!options.onSignal) process.exit(code);
    void options.onSignal().catch(printError).finally(() => process.exit(code));
  };
  process.once('SIGINT', exitWith(130));
  process.once('SIGTERM', exitWith(143));
  // The terminal went away (its window closed): the same clean-up.
  process.once('SIGHUP', exitWith(129));
  try {
    process.exitCode = await work();
  } catch (error) {
    if (isHelpShown(error)) {
      process.exitCode = 0; // commander printed the help
    } else {
      printError(error);
      process.exitCode = 1;
    }
  }
  // Lingering handles (an etcd3 channel, a student's keepalive) must not keep the runner alive.
  process.exit();
}
