/**
 * Lab 06 · Atomic replace: compare-and-swap (reference solution)
 */
import type { EtcdClient } from '../lib/kit.ts';

/**
 * Sets `key` to `next` only if its value is exactly `expected` right now, in
 * ONE request to etcd. Resolves to true when it replaced the value, false
 * otherwise (another value, or no such key: a missing key is never created).
 * Values are any UTF-8 text, the empty string included, and `next` may equal
 * `expected`: etcd decides every time.
 */
export async function replaceIfEquals(client: EtcdClient, key: string, expected: string, next: string): Promise<boolean> {
  // etcd compares and writes in the same commit, so no other write can slip in
  // between. A compare on the value of a missing key is always false, also for ''.
  const result = await client.if(key, 'Value', '==', expected).then(client.put(key).value(next)).commit();
  return result.succeeded;
}
