/**
 * Lab 05 · Range scans: users from Emil to Oskar (reference solution)
 */
import type { EtcdClient } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';

/**
 * The notebook's question: is the END of a key range included in the answer?
 * No: a range is [start, end), the end key itself is left out.
 */
export const RANGE_END_IS_INCLUSIVE: boolean | undefined = false;

/**
 * The users whose names lie in [from, to) - the way etcd compares keys, by
 * bytes - as [username, hostname] pairs sorted by hostname, descending.
 * One request: a key range, sorted by value.
 */
export async function usersInRange(client: EtcdClient, from: string, to: string): Promise<Array<[string, string]>> {
  // Both ends carry the prefix, so nothing outside /logged_users/ can fall in the range.
  // etcd sorts by the value's bytes; .exec() gives the pairs in that order, as an array. (An object from
  // .strings() would keep it too, full keys are never integer-like, but an array says the order matters.)
  const res = await client.getAll().inRange({ start: ROOT + from, end: ROOT + to }).sort('Value', 'Descend').exec();
  return res.kvs.map((kv) => [kv.key.toString('utf8').slice(ROOT.length), kv.value.toString('utf8')]);
}
