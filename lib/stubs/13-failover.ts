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
 * leader right now. Members that do not answer within 1 s are skipped; if no
 * member that answers is the leader, throw ClusterUnavailableError.
 */
export async function findLeader(endpoints: string[]): Promise<string> {
  // TODO: ask each member for its status (in parallel, each with a deadline); the leader's leader id is its own member id.
  todo('findLeader');
}

/**
 * Writes `value` at `key`, retrying through failures (a leader that just
 * died, an election in progress), each attempt with a short deadline of its
 * own. Rejects with ClusterUnavailableError once `deadlineMs` has passed
 * without a successful write. The client you are given has no deadline.
 */
export async function putWithFailover(client: EtcdClient, key: string, value: string, deadlineMs: number): Promise<void> {
  // TODO: a loop of attempts, each with .options({ deadline }), until one succeeds or the time is up.
  void ClusterUnavailableError;
  todo('putWithFailover');
}
