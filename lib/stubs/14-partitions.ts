/**
 * Lab 14 · Partitions: predict, then watch a 5-member cluster split {3 | 2}
 *
 * Run the checks:   npm run lab 14
 * Read first:       LAB.md, "Lab 14 · Partitions"
 *
 * The checks start 5 etcd members of their own, make one of them leader, and
 * cut the network so that the leader and one other member are on the small
 * side: {3 | 2}. Then they write on the big side, read on both, and heal.
 *
 * Step 1, before you run anything: mark each prediction below true or false.
 * The run shows each one next to what happened, and explains the misses (a
 * miss does not fail the lab; a prediction left undefined does).
 *
 * Step 2: implement the two reads. The checks call them on both sides of
 * the partition, with a client that talks to one member and has no deadline.
 */
import { ClusterUnavailableError, type EtcdClient, todo } from '../lib/kit.ts';

export const predictions: Record<string, boolean | undefined> = {
  /** The majority side (3 of 5) elects a leader of its own. */
  majorityElectsLeader: undefined,
  /** The old leader, cut off with 1 other member, still calls itself leader. */
  oldLeaderStaysLeader: undefined,
  /** A write sent to the minority side succeeds. */
  minorityCanWrite: undefined,
  /** A linearizable read (etcd's default) on the minority side answers. */
  minorityServesLinearizableReads: undefined,
  /** A serializable read on the minority side answers. */
  minorityServesSerializableReads: undefined,
  /** Serializable reads on the minority see what the majority wrote during the partition. */
  minoritySeesMajorityWrites: undefined,
  /** The minority members' Raft term keeps rising while they are cut off. */
  minorityTermKeepsRising: undefined,
  /** A write that timed out on the minority side is gone for good once the partition heals. */
  timedOutWriteIsLost: undefined,
};

/**
 * The value of `key` as of now, confirmed with a quorum (a linearizable
 * read), or null if the key does not exist. When the member cannot confirm
 * it (cut off from the majority), reject with ClusterUnavailableError, within
 * 5 s: never return a value that may be stale.
 */
export async function readLinearizable(client: EtcdClient, key: string): Promise<string | null> {
  // TODO: a get with a deadline; any failure becomes a ClusterUnavailableError.
  void ClusterUnavailableError;
  todo('readLinearizable');
}

/**
 * The value of `key` in the member's own copy, without asking the others (a
 * serializable read), or null if the key does not exist there. It answers
 * during a partition, and may be stale.
 */
export async function readSerializable(client: EtcdClient, key: string): Promise<string | null> {
  // TODO: a get that does not need a quorum.
  todo('readSerializable');
}
