/**
 * A lab process must not outlive its runner.
 *
 * The runner kills its lab processes when it exits, but it cannot when it
 * is killed itself (SIGKILL, the OOM killer, a crashed editor). An orphaned
 * lab process would go on running the student's code: a session's lease kept
 * alive for ever, a loop burning a core.
 *
 * Two guards: when the IPC channel to the runner closes without the runner
 * having asked for it (`release`), the process exits; and a thread of its
 * own checks every half second whether the process still has the parent it
 * started with, and kills the process if not. The thread is what catches
 * student code spinning in a synchronous loop, where the main thread never
 * gets to its events.
 */
import { Worker } from 'node:worker_threads';

const CHECK_EVERY_MS = 500;

const WATCHDOG = `
const parent = ${process.ppid};
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
}, ${CHECK_EVERY_MS});
`;

export function exitWithRunner(): { released(): void } {
  let released = false;
  process.on('disconnect', () => {
    if (!released) process.exit(0);
  });
  // unref: the thread never keeps the process alive (lab 08 checks that a process can exit on its own).
  new Worker(WATCHDOG, { eval: true }).unref();
  return { released: () => void (released = true) };
}
