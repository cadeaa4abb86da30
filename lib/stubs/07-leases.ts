/**
 * Lab 07 · Leases: users that expire by themselves
 *
 * Run the checks:   npm run lab 7
 * Read first:       LAB.md, "Lab 07 · Leases"
 *
 * A lease is a timer that lives in etcd, not in your process: keys attached
 * to it are deleted by the cluster when it runs out, whatever happens to the
 * client that made them.
 */
import { type EtcdClient, todo } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';

/**
 * Registers /logged_users/<username> = hostname on a lease of `ttlSeconds`,
 * so that etcd deletes the user by itself when the time is up, and resolves
 * once the key is there. Nothing may renew the lease, and nothing else may
 * delete the key: this user is temporary, and etcd alone ends it.
 */
export async function registerTemporaryUser(client: EtcdClient, username: string, hostname: string, ttlSeconds: number): Promise<void> {
  // TODO: a lease with that TTL, and a put attached to it.
  todo('registerTemporaryUser');
}

/**
 * How many seconds the user has left: etcd's remaining TTL of the lease on
 * the user's key (any lease, also one another client granted). -1 when the
 * user is gone.
 */
export async function remainingTtl(client: EtcdClient, username: string): Promise<number> {
  // TODO: read the key's lease id, then ask etcd for that lease's TTL.
  todo('remainingTtl');
}
