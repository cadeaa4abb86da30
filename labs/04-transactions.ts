/**
 * Lab 04 · Transactions: every user or none
 *
 * Run the checks:   npm run lab 4
 * Read first:       LAB.md, "Lab 04 · Transactions"
 *
 * Lab 03's registerUsers() sends one request per user: another client can see
 * half a list, and a crash in the middle leaves half a list behind. An etcd
 * transaction is one request that compares, then writes, in one commit.
 */
import { type EtcdClient, todo } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';
/** Where the failure branch leaves its note. */
export const FAILURE_MARKER = '/tmp/failure';

/**
 * Registers every user (/logged_users/<name> = hostname) in ONE transaction,
 * and only if none of those users is registered yet:
 *
 *   if   every /logged_users/<name> of the list does not exist
 *   then put every /logged_users/<name> = hostname
 *   else put /tmp/failure = 'condition failed'     (and no user key changes)
 *
 * Resolves to true when the `then` branch ran. An empty list registers nobody
 * and resolves to true.
 */
export async function registerAllAtomically(client: EtcdClient, usernames: string[], hostname: string): Promise<boolean> {
  // TODO: client.if(key, 'Create', '==', 0).and(...).then(...puts).else(...).commit()
  todo('registerAllAtomically');
}

/**
 * The naive way, for comparison: one put per user, one after the other (each
 * put answered before the next is sent). Resolves once every user is written.
 */
export async function registerAllSequentially(client: EtcdClient, usernames: string[], hostname: string): Promise<void> {
  // TODO
  todo('registerAllSequentially');
}

/** The value of /tmp/failure, or null when there is no such key (task 5: get a single key). */
export async function readFailureMarker(client: EtcdClient): Promise<string | null> {
  // TODO
  todo('readFailureMarker');
}
