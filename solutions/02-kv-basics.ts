/**
 * Lab 02 · Put, get, list and delete, with errors that mean something (reference solution)
 */
import { isRecoverableError } from 'etcd3';
import { ClusterUnavailableError, type EtcdClient, KeyNotFoundError } from '../lib/kit.ts';

/** The client we are given may have no deadline: bound every call ourselves. */
const DEADLINE_MS = 2000;
const bounded = () => ({ deadline: Date.now() + DEADLINE_MS });

/**
 * Runs one etcd operation; failures that mean "the cluster cannot be reached"
 * become ClusterUnavailableError. Anything else (a bug, a permission error)
 * is not unavailability and goes through as it is.
 */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const e = error as Error;
    // Refused or hung members, expired deadlines: etcd3 marks them recoverable.
    // After a few of those etcd3's circuit breaker (cockatiel) fails fast for 5 s.
    if (isRecoverableError(e) || e?.constructor?.name === 'BrokenCircuitError') {
      throw new ClusterUnavailableError(`the etcd cluster is unavailable: ${e.message}`, { cause: e });
    }
    throw error;
  }
}

/** Every key in the cluster (inside the client's namespace), in byte order, ascending. */
export async function listKeys(client: EtcdClient): Promise<string[]> {
  // etcd returns a range sorted by key bytes already: no JavaScript sort.
  return guarded(() => client.getAll().options(bounded()).keys());
}

/** The value of `key`. Throws KeyNotFoundError when the key does not exist. */
export async function getValue(client: EtcdClient, key: string): Promise<string> {
  const value = await guarded(() => client.get(key).options(bounded()).string());
  // null means missing; '' is a value like any other.
  if (value === null) throw new KeyNotFoundError(key);
  return value;
}

/** Stores `value` at `key`, replacing any earlier value. */
export async function putValue(client: EtcdClient, key: string, value: string): Promise<void> {
  await guarded(() => client.put(key).value(value).options(bounded()).exec());
}

/** Deletes exactly `key`. Throws KeyNotFoundError when there was no such key. */
export async function deleteKey(client: EtcdClient, key: string): Promise<void> {
  // One round trip: etcd says how many keys it deleted (a decimal string).
  const { deleted } = await guarded(() => client.delete().key(key).options(bounded()).exec());
  if (deleted === '0') throw new KeyNotFoundError(key);
}
