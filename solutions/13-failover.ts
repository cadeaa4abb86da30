/**
 * Lab 13 · Failover: find the leader, and keep writing while it dies (reference solution)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { ClusterUnavailableError, type EtcdClient } from '../lib/kit.ts';

/** Rejects after `ms`: etcd3 retries a failed call by itself, so a deadline per attempt is not a deadline per call. */
export function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The endpoint (one of `endpoints`, as given) of the member that is the
 * leader right now. Ask every member at once; members that do not answer
 * within 1 s are skipped; if no member that answers is the leader, throw
 * ClusterUnavailableError.
 */
export async function findLeader(endpoints: string[]): Promise<string> {
  const answers = await Promise.all(endpoints.map(async (endpoint) => {
    const client = new Etcd3({ hosts: endpoint, defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + 1000 }) });
    try {
      const status = await within(1000, client.maintenance.status());
      // Member ids are uint64 decimal strings: compare them as strings.
      return status.leader === status.header.member_id ? endpoint : undefined;
    } catch {
      return undefined; // down, hung or partitioned: skip it
    } finally {
      client.close();
    }
  }));
  const leader = answers.find((a) => a !== undefined);
  if (!leader) throw new ClusterUnavailableError(`none of ${endpoints.length} members that answered is the leader`);
  return leader;
}

/**
 * Writes `value` at `key`, retrying through failures (a leader that just
 * died, an election in progress, etcd3's circuit breaker), each attempt cut
 * short after about 300 ms by a timer of your own. Rejects with
 * ClusterUnavailableError once `deadlineMs` has passed without a successful
 * write: not before, and not later either (the last attempt and the last
 * pause end by the deadline). After a failed attempt, pause a little: a call
 * that etcd3's breaker refuses fails at once, and without a pause the loop
 * spins. The client you are given has no deadline.
 */
export async function putWithFailover(client: EtcdClient, key: string, value: string, deadlineMs: number): Promise<void> {
  const giveUpAt = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < giveUpAt) {
    // Short attempts: a put stuck behind a dead leader is abandoned after 300 ms
    // and tried again, by which time a new leader may be there. The attempt is
    // cut short by a timer, while the call itself keeps a deadline longer than
    // an election: etcd3 counts every call that times out (and its own retries
    // of it), and after 3 in a row it refuses a member for 5 s (its circuit
    // breaker). A call abandoned now times out only once writes flow again.
    const attemptMs = Math.min(300, giveUpAt - Date.now());
    try {
      await within(attemptMs, client.put(key).value(value).options({ deadline: Date.now() + 5000 }).exec());
      return;
    } catch (error) {
      last = error;
      await sleep(Math.max(0, Math.min(50, giveUpAt - Date.now())));
    }
  }
  throw new ClusterUnavailableError(`no write of ${key} succeeded within ${deadlineMs} ms (no quorum?)`, { cause: last });
}
