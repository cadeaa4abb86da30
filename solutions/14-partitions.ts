/**
 * Lab 14 · Partitions: predict, then watch a 5-member cluster split {3 | 2} (reference solution)
 */
import { ClusterUnavailableError, type EtcdClient } from '../lib/kit.ts';

export const predictions: Record<string, boolean | undefined> = {
  /** The majority side (3 of 5) elects a leader of its own. */
  majorityElectsLeader: true,
  /** The old leader, cut off with 1 other member, still calls itself leader. (CheckQuorum: it steps down.) */
  oldLeaderStaysLeader: false,
  /** A write sent to the minority side succeeds. */
  minorityCanWrite: false,
  /** A linearizable read (etcd's default) on the minority side answers. */
  minorityServesLinearizableReads: false,
  /** A serializable read on the minority side answers. */
  minorityServesSerializableReads: true,
  /** Serializable reads on the minority see what the majority wrote during the partition. */
  minoritySeesMajorityWrites: false,
  /** The minority members' Raft term keeps rising while they are cut off. (Pre-vote: it does not.) */
  minorityTermKeepsRising: false,
  /** A write that timed out on the minority side is gone for good once the partition heals. (Here, yes: never committed, overwritten after the heal.) */
  timedOutWriteIsLost: true,
};

/**
 * The value of `key` as of now, confirmed with a quorum (a linearizable
 * read), or null if the key does not exist. When the member cannot confirm
 * it (cut off from the majority), reject with ClusterUnavailableError, within
 * 5 s: never return a value that may be stale.
 */
export async function readLinearizable(client: EtcdClient, key: string): Promise<string | null> {
  try {
    // One deadline for the whole call, retries included: it gives up after about 1 s, well within the 5 s.
    return await client.get(key).options({ deadline: Date.now() + 1000 }).string();
  } catch (error) {
    throw new ClusterUnavailableError(`no quorum confirmed the read of ${key}`, { cause: error });
  }
}

/**
 * The value of `key` in the member's own copy, without asking the others (a
 * serializable read), or null if the key does not exist there. It answers
 * during a partition, and may be stale.
 */
export async function readSerializable(client: EtcdClient, key: string): Promise<string | null> {
  return client.get(key).serializable(true).string();
}
