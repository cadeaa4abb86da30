/**
 * The one place that turns errors into exit codes and one-line messages.
 * Every CLI entry point runs its work through `runCli`.
 */
import { isWorkbookError } from '../errors.ts';
import { isHelpShown } from './arg-parsers.ts';
import { style } from './style.ts';

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

/** Runs `work`; its number is the exit code. Ctrl-C and SIGTERM end cleanly (children are killed on exit). */
export async function runCli(work: () => Promise<number>): Promise<void> {
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
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
