/**
 * Lab 02 · Put, get, list and delete, with errors that mean something (reference solution)
 */
import { isBrokenCircuitError } from 'cockatiel';
import { GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import { ClusterUnavailableError, type EtcdClient, KeyNotFoundError } from '../lib/kit.ts';

/** The client we are given may have no deadline: bound every call ourselves. */
const DEADLINE_MS = 2000;
const bounded = () => ({ deadline: Date.now() + DEADLINE_MS });

/** No connection, no answer in time, or etcd3's circuit breaker refusing every member: the cluster cannot be reached. */
function unreachable(error: unknown): boolean {
  return error instanceof GRPCUnavailableError || error instanceof GRPCDeadlineExceededError || isBrokenCircuitError(error);
}

/**
 * Runs one etcd operation; failures that mean "the cluster cannot be reached"
 * become ClusterUnavailableError. Anything else (an invalid request, a
 * permission error, a bug) is not unavailability and goes through as it is.
 * (etcd3's isRecoverableError() is not this test: it is false for
 * BrokenCircuitError, and true for INTERNAL or RESOURCE_EXHAUSTED too.)
 */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (unreachable(error)) throw new ClusterUnavailableError(`the etcd cluster is unavailable: ${(error as Error).message}`, { cause: error });
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
