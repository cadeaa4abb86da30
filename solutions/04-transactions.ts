/**
 * Lab 04 · Transactions: every user or none (reference solution)
 */
import type { EtcdClient } from '../lib/kit.ts';

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
  if (usernames.length === 0) return true;
  // A key that does not exist has create revision 0. Compare every user's own
  // key: a compare on "/logged_users" itself would look at a key nobody writes.
  const [first, ...rest] = usernames;
  let condition = client.if(ROOT + first, 'Create', '==', 0);
  for (const name of rest) condition = condition.and(ROOT + name, 'Create', '==', 0);
  const result = await condition
    .then(...usernames.map((name) => client.put(ROOT + name).value(hostname)))
    .else(client.put(FAILURE_MARKER).value('condition failed'))
    .commit();
  return result.succeeded;
}

/**
 * The naive way, for comparison: one put per user, one after the other (each
 * put answered before the next is sent). Resolves once every user is written.
 */
export async function registerAllSequentially(client: EtcdClient, usernames: string[], hostname: string): Promise<void> {
  for (const name of usernames) await client.put(ROOT + name).value(hostname).exec();
}

/** The value of /tmp/failure, or null when there is no such key (task 5: get a single key). */
export async function readFailureMarker(client: EtcdClient): Promise<string | null> {
  // One key, not a prefix: "/tmp/failure" as a prefix also matches "/tmp/failures".
  return client.get(FAILURE_MARKER).string();
}
