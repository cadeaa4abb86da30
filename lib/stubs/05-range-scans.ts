/**
 * Lab 05 · Range scans: users from Emil to Oskar
 *
 * Run the checks:   npm run lab 5
 * Read first:       LAB.md, "Lab 05 · Range scans"
 *
 * etcd keeps keys sorted by their bytes, so "every user from Emil to Oskar"
 * is one request for a key range, and etcd can sort the answer for you.
 */
import { type EtcdClient, todo } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';

/**
 * The notebook's question: is the END of a key range included in the answer?
 * Find out (read the docs, or try it), then answer true or false.
 */
// TODO: replace undefined with your answer.
export const RANGE_END_IS_INCLUSIVE: boolean | undefined = undefined;

/**
 * The users whose names lie in [from, to) - the way etcd compares keys, by
 * bytes - as [username, hostname] pairs sorted by hostname, descending.
 * One request: a key range, sorted by value.
 */
export async function usersInRange(client: EtcdClient, from: string, to: string): Promise<Array<[string, string]>> {
  // TODO: client.getAll().inRange({ start, end }).sort(...)
  todo('usersInRange');
}
