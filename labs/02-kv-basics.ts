/**
 * Lab 02 · Put, get, list and delete, with errors that mean something
 *
 * Run the checks:   npm run lab 2
 * Read first:       LAB.md, "Lab 02 · Key/value basics"
 *
 * The four operations of the seeds' key/value app. Each one gets a client
 * from the runner. When a key is missing, say so with KeyNotFoundError; when
 * the cluster cannot be reached (refused, hung, circuit breaker open), say so
 * with ClusterUnavailableError within 5 s: never hang, never leak a raw gRPC
 * error to your caller. Any other error (etcd refusing the request itself)
 * is not unavailability: let it through unchanged. The client you are given
 * may have no deadline.
 */
import { ClusterUnavailableError, type EtcdClient, KeyNotFoundError, todo } from '../lib/kit.ts';

/** Every key in the cluster (inside the client's namespace), in byte order, ascending. */
export async function listKeys(client: EtcdClient): Promise<string[]> {
  // TODO: read every key.
  todo('listKeys');
}

/** The value of `key`. Throws KeyNotFoundError when the key does not exist. */
export async function getValue(client: EtcdClient, key: string): Promise<string> {
  // TODO: read one key; a missing key is not the same as an empty value.
  todo('getValue');
}

/** Stores `value` at `key`, replacing any earlier value. */
export async function putValue(client: EtcdClient, key: string, value: string): Promise<void> {
  // TODO: write one key.
  todo('putValue');
}

/** Deletes exactly `key`. Throws KeyNotFoundError when there was no such key. */
export async function deleteKey(client: EtcdClient, key: string): Promise<void> {
  // TODO: delete one key and find out whether it existed.
  todo('deleteKey');
}
