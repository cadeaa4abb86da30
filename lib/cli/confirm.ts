/** Asking the user yes/no on a terminal; without one, the command must be given --yes. */
import { createInterface } from 'node:readline/promises';
import { ConfirmationRequiredError } from '../errors.ts';

/** True when the user answers y/yes. `command` names the command in the error shown without a terminal. */
export async function confirm(question: string, command: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new ConfirmationRequiredError(command);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
