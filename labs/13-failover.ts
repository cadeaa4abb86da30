/**
 * Lab 13 · Failover: find the leader, and keep writing while it dies
 *
 * Run the checks:   npm run lab 13
 * Read first:       LAB.md, "Lab 13 · Failover"
 *
 * The checks start a 3-member cluster of their own and kill its leader while
 * your code writes. Raft elects a new leader within about one election
 * timeout (here 0.5-1 s); a client that waits for an answer without a
 * deadline stalls far longer than that. Your job: notice quickly, retry, and
 * give up cleanly when there is no quorum at all.
 */
import { ClusterUnavailableError, type EtcdClient, todo } from '../lib/kit.ts';

/**
 * The endpoint (one of `endpoints`, as given) of the member that is the
 * leader right now. Ask every member at once; members that do not answer
 * within 1 s are skipped; if no member that answers is the leader, throw
 * ClusterUnavailableError.
 */
export async function findLeader(endpoints: string[]): Promise<string> {
  // TODO: ask every member for its status at once, each raced against a 1 s timer; the leader's `leader` is its own member id.
  todo('findLeader');
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
  // TODO: a loop of attempts until one succeeds or the time is up: each a put raced against a ~300 ms timer
  //       (Promise.race), the put itself with a longer deadline (5 s). Not .options({ deadline: Date.now() + 300 }):
  //       that trips etcd3's circuit breaker (LAB.md, "Lab 13 · Failover").
  void ClusterUnavailableError;
  todo('putWithFailover');
}
