/**
 * Is it the cluster's fault? After a check fails, the runner asks the
 * cluster of the run (not a cluster the check started) whether it is still
 * there and has a leader. When it is not, the failure is the environment's
 * (stopped from another terminal, a member crashed, the class cluster went
 * away): said so, with the fix, never blamed on the student's code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterStatus } from '../cluster/inspect.ts';
import type { Target } from './context.ts';

export interface EnvironmentProblem {
  /** What is wrong, in a sentence. */
  problem: string;
  /** What to do. */
  fix: string;
}

/**
 * What is wrong with the run's cluster, or undefined when it answers and has
 * a leader. A cluster in an election (lab 01 moves leaders on purpose) gets
 * `graceMs` to elect one.
 */
export async function environmentProblem(target: Target, graceMs = 5000): Promise<EnvironmentProblem | undefined> {
  const fix = target.cluster
    ? '`npm run cluster -- status` shows which member is down and why (its log); `npm run lab` starts stopped members again. Then rerun the lab.'
    : 'check that the class cluster is up (ask your instructor; `npm run class -- status` for them), then rerun the lab.';
  const deadline = Date.now() + graceMs;
  for (;;) {
    // A busy machine answers slowly: a member counts as gone only when it stays silent for the whole grace period.
    const statuses = await clusterStatus(target, 2000);
    const up = statuses.filter((s) => s.up);
    if (up.some((s) => s.leaderId && s.leaderId !== '0')) return undefined;
    if (Date.now() > deadline) {
      return up.length === 0
        ? { problem: `the cluster stopped answering during the run: no member at ${target.endpoints.join(', ')} answers`, fix }
        : { problem: `the cluster has had no leader for ${(graceMs / 1000).toFixed(0)} s: only ${up.length} of ${statuses.length} members answer`, fix };
    }
    await sleep(200);
  }
}
